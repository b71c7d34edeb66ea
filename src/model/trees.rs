//! Gradient-boosted tree evaluation over a validated `Trees`: XGBoost and LightGBM split
//! semantics bit for bit, margins per output group, and path-based (Saabas) feature
//! contributions. Never sees bytes; never fails (indices were checked by `decode`).

use super::{node, Node, Trees};

/// LightGBM's `kZeroThreshold`: |x| at or below it counts as zero.
const ZERO_THRESHOLD: f64 = 1e-35;

impl Trees {
    /// Whether node `n` (index `i`) sends `x` left.
    #[inline]
    fn goes_left(&self, i: usize, n: &Node, x: &[f64]) -> bool {
        let v = x.get(n.feature as usize).copied().unwrap_or(f64::NAN);
        let default_left = n.missing & node::DEFAULT_LEFT != 0;
        match n.kind {
            node::LESS => {
                if v.is_nan() {
                    default_left
                } else {
                    // XGBoost compares in float32.
                    (v as f32) < n.threshold32
                }
            }
            node::LESS_EQ => {
                let missing = n.missing & !node::DEFAULT_LEFT;
                let v = if v.is_nan() && missing != node::MISSING_NAN {
                    0.0
                } else {
                    v
                };
                if (missing == node::MISSING_ZERO && v.abs() <= ZERO_THRESHOLD)
                    || (missing == node::MISSING_NAN && v.is_nan())
                {
                    default_left
                } else {
                    v <= n.threshold
                }
            }
            node::CAT_RIGHT => {
                if v.is_nan() {
                    return default_left;
                }
                let v = v as f32;
                // XGBoost: a negative or unrepresentable category goes left, like one
                // beyond the bitset; categories in the set go right.
                if !(0.0..16_777_216.0).contains(&v) {
                    return true;
                }
                !self.in_set(i, v as u32)
            }
            node::CAT_LEFT => {
                // LightGBM: NaN and negative categories go right; the set goes left.
                if v.is_nan() || v <= -1.0 {
                    return false;
                }
                let c = v as i64;
                (0..(1 << 32)).contains(&c) && self.in_set(i, c as u32)
            }
            _ => true,
        }
    }

    #[inline]
    fn in_set(&self, i: usize, code: u32) -> bool {
        let word = (code / 32) as usize;
        if word >= self.cat_len[i] as usize {
            return false;
        }
        let w = self.cat_words[self.cat_start[i] as usize + word];
        (w >> (code % 32)) & 1 == 1
    }

    /// The leaf that tree `t` sends `x` to.
    #[inline]
    pub fn leaf(&self, t: usize, x: &[f64]) -> usize {
        let nodes = &self.compiled;
        let mut i = self.roots[t] as usize;
        while let Some(n) = nodes.get(i) {
            if n.kind == node::LEAF {
                break;
            }
            i = if self.goes_left(i, n, x) {
                n.left
            } else {
                n.right
            } as usize;
        }
        i
    }

    /// Margins per output group into `out` (length `n_groups`).
    pub fn margins(&self, x: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.base_margin);
        for t in 0..self.roots.len() {
            out[self.tree_group[t] as usize] += self.value[self.leaf(t, x)];
        }
    }

    /// Path-based contributions of each feature to group 0's margin (Saabas): at every
    /// split on the path, the change in expected value is credited to the split feature.
    /// `contrib[f]` for each feature, plus the bias (base margin and root values) returned;
    /// bias + Σ contrib = margin exactly.
    pub fn contributions(&self, x: &[f64], contrib: &mut [f64]) -> f64 {
        contrib.iter_mut().for_each(|c| *c = 0.0);
        let mut bias = self.base_margin.first().copied().unwrap_or(0.0);
        let nodes = &self.compiled;
        for t in 0..self.roots.len() {
            if self.tree_group[t] != 0 {
                continue;
            }
            let mut i = self.roots[t] as usize;
            let mut here = self.value.get(i).copied().unwrap_or(0.0);
            bias += here;
            while let Some(n) = nodes.get(i) {
                if n.kind == node::LEAF {
                    break;
                }
                let next = if self.goes_left(i, n, x) {
                    n.left
                } else {
                    n.right
                } as usize;
                let there = self.value.get(next).copied().unwrap_or(0.0);
                if let Some(c) = contrib.get_mut(n.feature as usize) {
                    *c += there - here;
                }
                here = there;
                i = next;
            }
        }
        bias
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Link;

    /// One stump per split kind on feature 0: left leaf 1.0, right leaf 2.0.
    fn stump(kind: u8, threshold: f64, missing: u8, cats: &[u32]) -> Trees {
        Trees {
            n_features: 1,
            n_groups: 1,
            link: Link::Identity,
            base_margin: vec![0.0],
            roots: vec![0],
            tree_group: vec![0],
            kind: vec![kind, node::LEAF, node::LEAF],
            feature: vec![0; 3],
            threshold: vec![threshold, 0.0, 0.0],
            left: vec![1, 0, 0],
            right: vec![2, 0, 0],
            missing: vec![missing, 0, 0],
            value: vec![1.5, 1.0, 2.0],
            cat_start: vec![0; 3],
            cat_len: vec![cats.len() as u32, 0, 0],
            cat_words: cats.to_vec(),
            compiled: Vec::new(),
        }
    }

    fn side(t: &Trees, x: f64) -> &'static str {
        let mut t = t.clone();
        t.compile();
        let t = &t;
        let mut m = [0.0];
        t.margins(&[x], &mut m);
        if m[0] == 1.0 {
            "L"
        } else {
            "R"
        }
    }

    #[test]
    fn xgboost_numeric_is_strict_less_in_float32() {
        let t = stump(node::LESS, 0.5, 0, &[]);
        assert_eq!(
            [
                side(&t, 0.4),
                side(&t, 0.5),
                side(&t, 0.6),
                side(&t, f64::NAN)
            ],
            ["L", "R", "R", "R"]
        );
        let t = stump(node::LESS, 0.5, node::DEFAULT_LEFT, &[]);
        assert_eq!(side(&t, f64::NAN), "L");
        // 0.1 + 1e-9 rounds to the float32 threshold 0.1f: not less.
        let t = stump(node::LESS, f64::from(0.1f32), 0, &[]);
        assert_eq!(side(&t, 0.1 + 1e-9), "R");
    }

    #[test]
    fn lightgbm_numeric_missing_rules() {
        // None: NaN reads as 0 and is compared.
        let t = stump(
            node::LESS_EQ,
            -1.0,
            node::MISSING_NONE | node::DEFAULT_LEFT,
            &[],
        );
        assert_eq!(
            [side(&t, f64::NAN), side(&t, -1.0), side(&t, -0.5)],
            ["R", "L", "R"]
        );
        // Zero: 0 and NaN take the default side.
        let t = stump(node::LESS_EQ, 5.0, node::MISSING_ZERO, &[]);
        assert_eq!(
            [
                side(&t, 0.0),
                side(&t, f64::NAN),
                side(&t, 1.0),
                side(&t, 6.0)
            ],
            ["R", "R", "L", "R"]
        );
        // NaN: only NaN takes the default; 0 is compared.
        let t = stump(node::LESS_EQ, 5.0, node::MISSING_NAN, &[]);
        assert_eq!(
            [side(&t, f64::NAN), side(&t, 0.0), side(&t, 5.0)],
            ["R", "L", "L"]
        );
    }

    #[test]
    fn categorical_sets() {
        let set = [(1 << 1) | (1 << 3)];
        let xgb = stump(node::CAT_RIGHT, 0.0, node::DEFAULT_LEFT, &set);
        assert_eq!(
            [
                side(&xgb, 1.0),
                side(&xgb, 3.0),
                side(&xgb, 2.0),
                side(&xgb, 40.0),
                side(&xgb, -1.0),
                side(&xgb, f64::NAN)
            ],
            ["R", "R", "L", "L", "L", "L"]
        );
        let lgb = stump(node::CAT_LEFT, 0.0, 0, &set);
        assert_eq!(
            [
                side(&lgb, 1.0),
                side(&lgb, 3.0),
                side(&lgb, 2.0),
                side(&lgb, 40.0),
                side(&lgb, -1.0),
                side(&lgb, f64::NAN),
                side(&lgb, 3.7)
            ],
            ["L", "L", "R", "R", "R", "R", "L"]
        );
    }

    #[test]
    fn contributions_add_up_to_the_margin() {
        let mut t = stump(node::LESS, 0.5, 0, &[]);
        t.compile();
        let mut c = [0.0];
        let bias = t.contributions(&[0.9], &mut c);
        assert_eq!((bias, c[0]), (1.5, 0.5));
        let mut m = [0.0];
        t.margins(&[0.9], &mut m);
        assert_eq!(bias + c[0], m[0]);
    }
}
