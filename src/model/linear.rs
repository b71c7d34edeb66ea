//! Linear head evaluation: margins and exact per-feature contributions. Missing inputs (NaN)
//! contribute nothing. Never fails (shapes were checked by `decode`).

use super::Linear;

impl Linear {
    pub fn n_outputs(&self) -> usize {
        self.intercepts.len()
    }

    pub fn margins(&self, x: &[f64], out: &mut [f64]) {
        let n = self.n_features as usize;
        for (c, o) in out.iter_mut().enumerate().take(self.intercepts.len()) {
            let w = &self.weights[c * n..(c + 1) * n];
            *o = self.intercepts[c]
                + w.iter()
                    .zip(x)
                    .filter(|(_, v)| !v.is_nan())
                    .map(|(w, v)| w * v)
                    .sum::<f64>();
        }
    }

    /// `w[i] * x[i]` for output 0 (0 for missing inputs); returns the intercept.
    pub fn contributions(&self, x: &[f64], contrib: &mut [f64]) -> f64 {
        for (i, c) in contrib.iter_mut().enumerate() {
            let v = x.get(i).copied().unwrap_or(f64::NAN);
            *c = if v.is_nan() {
                0.0
            } else {
                self.weights.get(i).copied().unwrap_or(0.0) * v
            };
        }
        self.intercepts[0]
    }
}
