//! Scoring a head of a validated `Model` on a raw feature vector: `predict_raw` (margins)
//! and `predict` (after the link). The only errors are about the call itself (unknown head,
//! wrong vector length), never about the model.

use super::{Head, HeadKind, Link, Model};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PredictError {
    NoHead(String),
    NotScoring(String),
    Length {
        head: String,
        want: usize,
        got: usize,
    },
}

impl fmt::Display for PredictError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            PredictError::NoHead(h) => write!(f, "model: no head named \"{h}\""),
            PredictError::NotScoring(h) => {
                write!(
                    f,
                    "model: head \"{h}\" is a co-occurrence head and takes no features"
                )
            }
            PredictError::Length { head, want, got } => {
                write!(f, "model: head \"{head}\" takes {want} features, got {got}")
            }
        }
    }
}

impl std::error::Error for PredictError {}

/// Applies a link to margins in place.
pub fn apply_link(link: Link, m: &mut [f64]) {
    match link {
        Link::Identity => {}
        Link::Logistic => m.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
        Link::Softmax => {
            let max = m.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for v in m.iter_mut() {
                *v = (*v - max).exp();
                sum += *v;
            }
            m.iter_mut().for_each(|v| *v /= sum);
        }
    }
}

impl Head {
    /// Number of outputs (1 for binary and regression heads); 0 for co-occurrence heads.
    pub fn n_outputs(&self) -> usize {
        match &self.kind {
            HeadKind::Linear(l) => l.intercepts.len(),
            HeadKind::Trees(t) => t.n_groups as usize,
            HeadKind::Cooccur(_) => 0,
        }
    }

    pub fn n_features(&self) -> usize {
        match &self.kind {
            HeadKind::Linear(l) => l.n_features as usize,
            HeadKind::Trees(t) => t.n_features as usize,
            HeadKind::Cooccur(_) => 0,
        }
    }

    pub fn link(&self) -> Link {
        match &self.kind {
            HeadKind::Linear(l) => l.link,
            HeadKind::Trees(t) => t.link,
            HeadKind::Cooccur(_) => Link::Identity,
        }
    }

    /// Margins into `out` (resized to `n_outputs`). `x` must have `n_features` entries.
    pub fn margins_into(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.resize(self.n_outputs(), 0.0);
        self.margins_to(x, out);
    }

    /// Margins into `out`, which must have `n_outputs` entries.
    fn margins_to(&self, x: &[f64], out: &mut [f64]) {
        match &self.kind {
            HeadKind::Linear(l) => l.margins(x, out),
            HeadKind::Trees(t) => t.margins(x, out),
            HeadKind::Cooccur(_) => {}
        }
    }

    /// Output 0 after the link without allocating, for one feature vector of this head's
    /// length (`None` when the head has several outputs, takes no features, or `x` has the
    /// wrong length).
    pub fn predict_single(&self, x: &[f64]) -> Option<f64> {
        if self.n_outputs() != 1
            || x.len() != self.n_features()
            || matches!(self.kind, HeadKind::Cooccur(_))
        {
            return None;
        }
        let mut m = [0.0];
        self.margins_to(x, &mut m);
        apply_link(self.link(), &mut m);
        Some(m[0])
    }

    /// Output 0 after the link, and the per-feature contributions to its margin, in one
    /// walk: the margin is the bias plus the contributions (single-output heads).
    pub fn score_explained(
        &self,
        x: &[f64],
        contrib: &mut Vec<f64>,
        scratch: &mut Vec<f64>,
    ) -> f64 {
        if self.n_outputs() != 1 {
            self.contributions(x, contrib);
            return self.score(x, scratch);
        }
        let margin = self.contributions(x, contrib) + contrib.iter().sum::<f64>();
        scratch.clear();
        scratch.push(margin);
        apply_link(self.link(), scratch);
        scratch[0]
    }

    /// `score_explained` for `rows` feature vectors laid end to end in `xs`, each `width`
    /// long: scores into `scores`, contributions into `contrib` (same layout as `xs`).
    /// Tree heads walk tree by tree over all rows (see `Trees::contributions_rows`).
    pub fn score_explained_rows(
        &self,
        xs: &[f64],
        width: usize,
        scores: &mut Vec<f64>,
        contrib: &mut Vec<f64>,
        scratch: &mut Vec<f64>,
    ) {
        let rows = xs.len().checked_div(width).unwrap_or(0);
        scores.clear();
        contrib.clear();
        contrib.resize(rows * width, 0.0);
        match &self.kind {
            HeadKind::Trees(t) if self.n_outputs() == 1 && width > 0 => {
                scores.resize(rows, 0.0);
                t.contributions_rows(xs, width, contrib, scores);
                for (s, c) in scores.iter_mut().zip(contrib.chunks_exact(width)) {
                    *s += c.iter().sum::<f64>();
                    apply_link(self.link(), std::slice::from_mut(s));
                }
            }
            _ => {
                let mut one = Vec::new();
                for r in 0..rows {
                    let x = xs.get(r * width..(r + 1) * width).unwrap_or(&[]);
                    scores.push(self.score_explained(x, &mut one, scratch));
                    if let Some(c) = contrib.get_mut(r * width..(r + 1) * width) {
                        for (c, o) in c.iter_mut().zip(&one) {
                            *c = *o;
                        }
                    }
                }
            }
        }
    }

    /// Output 0 after the link (the probability for a binary classifier).
    pub fn score(&self, x: &[f64], scratch: &mut Vec<f64>) -> f64 {
        self.margins_into(x, scratch);
        apply_link(self.link(), scratch);
        scratch.first().copied().unwrap_or(f64::NAN)
    }

    /// Per-feature contributions to output 0's margin (exact for linear heads, path-based
    /// for trees) into `contrib`; returns the bias.
    pub fn contributions(&self, x: &[f64], contrib: &mut Vec<f64>) -> f64 {
        contrib.clear();
        contrib.resize(self.n_features(), 0.0);
        match &self.kind {
            HeadKind::Linear(l) => l.contributions(x, contrib),
            HeadKind::Trees(t) => t.contributions(x, contrib),
            HeadKind::Cooccur(_) => 0.0,
        }
    }
}

impl Model {
    fn scoring_head(&self, head: &str, x: &[f64]) -> Result<&Head, PredictError> {
        let h = self.scoring(head)?;
        if x.len() != h.n_features() {
            return Err(PredictError::Length {
                head: head.to_owned(),
                want: h.n_features(),
                got: x.len(),
            });
        }
        Ok(h)
    }

    /// Margins of `head` for one feature vector (NaN = missing).
    pub fn predict_raw(&self, head: &str, x: &[f64]) -> Result<Vec<f64>, PredictError> {
        let h = self.scoring_head(head, x)?;
        let mut out = Vec::new();
        h.margins_into(x, &mut out);
        Ok(out)
    }

    /// Output 0 of `head` after its link, without allocating, when `head` has one output
    /// (`None` when it has several: see `predict`).
    pub fn predict_single(&self, head: &str, x: &[f64]) -> Result<Option<f64>, PredictError> {
        Ok(self.scoring_head(head, x)?.predict_single(x))
    }

    /// A scoring head (trees or linear) by name, resolved once for repeated
    /// `Head::predict_single` calls.
    pub fn scoring(&self, head: &str) -> Result<&Head, PredictError> {
        let h = self
            .head(head)
            .ok_or_else(|| PredictError::NoHead(head.to_owned()))?;
        if matches!(h.kind, HeadKind::Cooccur(_)) {
            return Err(PredictError::NotScoring(head.to_owned()));
        }
        Ok(h)
    }

    /// Predictions of `head` after its link: probabilities for classifiers.
    pub fn predict(&self, head: &str, x: &[f64]) -> Result<Vec<f64>, PredictError> {
        let h = self.scoring_head(head, x)?;
        let mut out = Vec::new();
        h.margins_into(x, &mut out);
        apply_link(h.link(), &mut out);
        Ok(out)
    }
}
