//! Conditional logit over choice sets: each choice is the alternatives a shopper was offered
//! (sparse feature rows) and the one taken; the model is a weight per feature and an
//! alternative's score is the dot product, so a bundle's linear head ranks with it as is.
//!
//! Rows are stored flat (offsets into one column and one value array), which keeps a
//! full-batch pass over 100,000 choices cache-friendly. Deterministic: same rows, same
//! weights. `lambdarank` hands the same choices to LightGBM's ranking objective instead.

use crate::{err, Result};
use checkout_personalizer::model::Trees;

/// The choices, flat: choice `c` holds alternatives `alts[c]..alts[c + 1]`, alternative
/// `a` holds entries `nz[a]..nz[a + 1]` of `col`/`val`.
#[derive(Default)]
pub struct Choices {
    alts: Vec<usize>,
    chosen: Vec<usize>,
    group: Vec<u32>,
    nz: Vec<usize>,
    col: Vec<u32>,
    val: Vec<f64>,
}

impl Choices {
    pub fn len(&self) -> usize {
        self.chosen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chosen.is_empty()
    }

    /// Adds one choice: its alternatives' rows, which was taken, and the group it belongs
    /// to (choices of one shopper share a group, so a held-out group is held-out shoppers).
    pub fn push(&mut self, alts: &[Vec<(u32, f64)>], chosen: usize, group: u32) {
        if self.alts.is_empty() {
            self.alts.push(0);
            self.nz.push(0);
        }
        for row in alts {
            for &(j, v) in row {
                self.col.push(j);
                self.val.push(v);
            }
            self.nz.push(self.col.len());
        }
        self.alts.push(self.nz.len() - 1);
        self.chosen.push(chosen);
        self.group.push(group);
    }

    fn score(&self, w: &[f64], a: usize) -> f64 {
        let (s, e) = (self.nz[a], self.nz[a + 1]);
        self.col[s..e]
            .iter()
            .zip(&self.val[s..e])
            .map(|(&j, v)| w[j as usize] * v)
            .sum()
    }

    /// Drops the columns mapped to `u32::MAX` and renumbers the rest (`column[old] = new`).
    pub fn remap(&mut self, column: &[u32]) {
        let (mut col, mut val, mut nz) = (Vec::new(), Vec::new(), vec![0]);
        for a in 0..self.nz.len().saturating_sub(1) {
            for k in self.nz[a]..self.nz[a + 1] {
                let j = column[self.col[k] as usize];
                if j != u32::MAX {
                    col.push(j);
                    val.push(self.val[k]);
                }
            }
            nz.push(col.len());
        }
        (self.col, self.val, self.nz) = (col, val, nz);
    }

    /// The choices as LightGBM's ranking input: libsvm rows (one per alternative, label 1
    /// for the taken one), each choice's size, and whether its group is held out.
    pub fn to_svm(&self, held: &dyn Fn(u32) -> bool) -> (String, String, String) {
        use std::fmt::Write;
        let (mut rows, mut sizes, mut flags) = (String::new(), String::new(), String::new());
        for c in 0..self.len() {
            let (s, e) = (self.alts[c], self.alts[c + 1]);
            for a in s..e {
                rows.push(if a - s == self.chosen[c] { '1' } else { '0' });
                let mut entries: Vec<(u32, f64)> = (self.nz[a]..self.nz[a + 1])
                    .map(|k| (self.col[k], self.val[k]))
                    .collect();
                entries.sort_by_key(|e| e.0);
                for (j, v) in entries {
                    let _ = write!(rows, " {j}:{v}");
                }
                rows.push('\n');
            }
            let _ = writeln!(sizes, "{}", e - s);
            flags.push_str(if held(self.group[c]) { "1\n" } else { "0\n" });
        }
        (rows, sizes, flags)
    }

    /// LightGBM's lambdarank on the choice sets (the features the logit kept), through the
    /// Python library: early stopping on the held-out shoppers, then a refit on everyone with
    /// that many rounds. Its `dump_model()` is imported as `import --lightgbm` does; with
    /// `predictions`, also LightGBM's own raw score of every alternative, in row order.
    pub fn lambdarank(
        &self,
        n_features: usize,
        held_out: u32,
        predictions: bool,
    ) -> Result<(Trees, Option<Vec<f64>>)> {
        let dir = std::env::temp_dir().join(format!("personalizer-lgb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| err(format!("train: {e}")))?;
        let (rows, sizes, held) = self.to_svm(&|g| g == held_out);
        let path = |n: &str| dir.join(n);
        let write = |n: &str, s: &str| {
            std::fs::write(path(n), s).map_err(|e| err(format!("train: {}: {e}", n)))
        };
        write("rows.svm", &rows)?;
        write("groups.txt", &sizes)?;
        write("held.txt", &held)?;
        let run = std::process::Command::new("python3")
            .arg("-c")
            .arg(include_str!("../py/lgb_rank.py"))
            .args([path("rows.svm"), path("groups.txt"), path("held.txt")])
            .arg(n_features.to_string())
            .arg(path("model.json"))
            .args(predictions.then(|| path("pred.txt")))
            .output()
            .map_err(|e| err(format!("train: python3: {e}")))?;
        if !run.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(err(format!(
                "train: LightGBM failed (is the Python package lightgbm installed?): {}",
                String::from_utf8_lossy(&run.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            )));
        }
        let json = crate::read_json(&path("model.json"));
        let pred = predictions.then(|| {
            std::fs::read_to_string(path("pred.txt"))
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.trim().parse::<f64>().ok())
                .collect()
        });
        let _ = std::fs::remove_dir_all(&dir);
        let mut t = crate::lightgbm::import(&json?)?.trees;
        if t.n_features as usize > n_features {
            return Err(err("train: LightGBM saw more features than it was given"));
        }
        t.n_features = n_features as u32;
        Ok((t, pred))
    }

    /// L2-regularised conditional logit fitted by full-batch Adam on the choices whose
    /// group `use_group` accepts. No intercept: it cancels within a choice.
    pub fn fit(&self, n_features: usize, l2: f64, use_group: &dyn Fn(u32) -> bool) -> Vec<f64> {
        const STEPS: usize = 300;
        const RATE: f64 = 0.05;
        let used: Vec<usize> = (0..self.len())
            .filter(|&c| use_group(self.group[c]))
            .collect();
        let n = used.len().max(1) as f64;
        let mut w = vec![0.0; n_features];
        let (mut m, mut v, mut g) = (w.clone(), w.clone(), w.clone());
        let mut z = Vec::new();
        for step in 1..=STEPS {
            g.iter_mut().for_each(|x| *x = 0.0);
            for &c in &used {
                let (s, e) = (self.alts[c], self.alts[c + 1]);
                z.clear();
                z.extend((s..e).map(|a| self.score(&w, a)));
                let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = z.iter().map(|x| (x - top).exp()).sum();
                for (k, a) in (s..e).enumerate() {
                    let err = (z[k] - top).exp() / total - f64::from(u8::from(k == self.chosen[c]));
                    for i in self.nz[a]..self.nz[a + 1] {
                        g[self.col[i] as usize] += err * self.val[i];
                    }
                }
            }
            let (b1, b2) = (0.9f64, 0.999f64);
            for j in 0..n_features {
                let gj = g[j] / n + l2 * w[j];
                m[j] = b1 * m[j] + (1.0 - b1) * gj;
                v[j] = b2 * v[j] + (1.0 - b2) * gj * gj;
                let mh = m[j] / (1.0 - b1.powi(step as i32));
                let vh = v[j] / (1.0 - b2.powi(step as i32));
                w[j] -= RATE * mh / (vh.sqrt() + 1e-8);
            }
        }
        w
    }

    /// The share of the accepted groups' choices whose taken alternative scores highest
    /// (ties count against: the module keeps the page's order among equals, which nothing
    /// here knows).
    pub fn top1(&self, w: &[f64], use_group: &dyn Fn(u32) -> bool) -> f64 {
        let (mut hits, mut n) = (0usize, 0usize);
        for c in (0..self.len()).filter(|&c| use_group(self.group[c])) {
            n += 1;
            let (s, e) = (self.alts[c], self.alts[c + 1]);
            let taken = self.score(w, s + self.chosen[c]);
            if (s..e).all(|a| a == s + self.chosen[c] || self.score(w, a) < taken) {
                hits += 1;
            }
        }
        hits as f64 / n.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkout_personalizer::model::{decode, format, Bundle, Head, HeadKind};

    /// `--payment-learner lightgbm`: the imported trees score every alternative as
    /// LightGBM itself does (needs the Python package, which `./build.sh setup` installs).
    #[test]
    fn lambdarank_trees_score_as_lightgbm_does() {
        let has = std::process::Command::new("python3")
            .args(["-c", "import lightgbm, sklearn"])
            .status()
            .is_ok_and(|s| s.success());
        if !has {
            eprintln!("skipped: the Python package lightgbm is not installed");
            return;
        }
        // 600 choices among 3 alternatives over 4 features; the taken one leans on feature 0
        // and, for half the shoppers, on feature 2.
        let mut c = Choices::default();
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut state = 7u64;
        let mut rand = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / f64::from(1u32 << 31)
        };
        for k in 0..600u32 {
            let alts: Vec<Vec<(u32, f64)>> = (0..3)
                .map(|_| {
                    (0..4u32)
                        .filter_map(|j| {
                            let v = (rand() * 4.0).floor();
                            (v != 0.0).then_some((j, v))
                        })
                        .collect()
                })
                .collect();
            let score = |x: &Vec<(u32, f64)>| {
                x.iter()
                    .map(|&(j, v)| match j {
                        0 => v,
                        2 if k % 2 == 0 => 2.0 * v,
                        _ => 0.0,
                    })
                    .sum::<f64>()
            };
            let taken = (0..3)
                .max_by(|&a, &b| score(&alts[a]).total_cmp(&score(&alts[b])))
                .unwrap_or(0);
            for x in &alts {
                let mut dense = vec![0.0; 4];
                for &(j, v) in x {
                    dense[j as usize] = v;
                }
                rows.push(dense);
            }
            c.push(&alts, taken, k % 10);
        }
        let (trees, pred) = c.lambdarank(4, 0, true).unwrap();
        let pred = pred.unwrap();
        assert_eq!(pred.len(), rows.len());
        let bundle = Bundle {
            id: "lgb".into(),
            version: "1".into(),
            heads: vec![Head {
                name: "payment".into(),
                kind: HeadKind::Trees(trees),
            }],
            ..Bundle::default()
        };
        let m = decode(&format::encode(&bundle)).unwrap();
        for (x, p) in rows.iter().zip(&pred) {
            let ours = m.predict_raw("payment", x).unwrap()[0];
            assert!((ours - p).abs() < 1e-9, "{ours} vs LightGBM's {p}");
        }
        // And it learned something: the taken alternative scores highest in most choices.
        let mut hits = 0;
        for k in 0..600 {
            let s = &pred[3 * k..3 * k + 3];
            let top = (0..3).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap_or(0);
            let x = &rows[3 * k..3 * k + 3];
            let score = |x: &Vec<f64>| x[0] + if k % 2 == 0 { 2.0 * x[2] } else { 0.0 };
            let best = (0..3)
                .max_by(|&a, &b| score(&x[a]).total_cmp(&score(&x[b])))
                .unwrap_or(0);
            hits += usize::from(top == best);
        }
        assert!(hits > 450, "{hits} of 600");
    }

    /// Two alternatives, feature 0 marks the one a shopper takes 3 times in 4: the fitted
    /// weight is the log-odds, ln 3.
    #[test]
    fn the_fit_recovers_the_log_odds() {
        let mut c = Choices::default();
        for k in 0..400 {
            let rows = vec![vec![(0, 1.0)], vec![(1, 1.0)]];
            c.push(&rows, usize::from(k % 4 == 3), k);
        }
        let w = c.fit(2, 0.0, &|_| true);
        assert!(((w[0] - w[1]) - 3f64.ln()).abs() < 0.05, "{w:?}");
        assert!((c.top1(&w, &|_| true) - 0.75).abs() < 1e-9);
        // Remapping away feature 1 leaves feature 0 as the only column.
        c.remap(&[0, u32::MAX]);
        let w = c.fit(1, 0.0, &|g| g < 200);
        assert!((w[0] - 3f64.ln()).abs() < 0.05, "{w:?}");
    }
}
