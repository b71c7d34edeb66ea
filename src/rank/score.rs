//! Scoring candidates with a head, and the reasons shown for them.

use super::signals::Signals;
use super::TOP_REASONS;
use crate::model::features;
use crate::model::{Head, HeadKind, Model};
use serde::Serialize;

/// Why a candidate sits where it sits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Reason {
    /// A feature's contribution to the model's margin (exact for linear heads,
    /// path-based for trees).
    #[serde(rename_all = "camelCase")]
    Feature {
        feature: String,
        contribution: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A rule that moved, boosted, pinned or demoted it.
    #[serde(rename_all = "camelCase")]
    Rule {
        rule: String,
        action: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Bought together with these cart items.
    #[serde(rename_all = "camelCase")]
    BoughtWith { items: Vec<String> },
    /// Cold start: in a category the shopper showed interest in.
    #[serde(rename_all = "camelCase")]
    CategoryAffinity { category: String },
    /// Cold start: popular overall.
    Popular,
}

/// Scores one candidate with `head`, with its top contributions as reasons.
pub(super) struct Scorer<'m> {
    model: &'m Model,
    pub head: Option<&'m Head>,
    x: Vec<f64>,
    scratch: Vec<f64>,
    contrib: Vec<f64>,
}

impl<'m> Scorer<'m> {
    pub fn new(model: &'m Model, head: Option<&str>) -> Scorer<'m> {
        Scorer {
            model,
            head: head
                .and_then(|h| model.head(h))
                .filter(|h| !matches!(h.kind, HeadKind::Cooccur(_))),
            x: Vec::new(),
            scratch: Vec::new(),
            contrib: Vec::new(),
        }
    }

    pub fn score(&mut self, s: &Signals, explain: bool) -> (f64, Vec<Reason>) {
        self.score_all(std::slice::from_ref(s), explain)
            .pop()
            .unwrap_or((0.0, Vec::new()))
    }

    /// Scores every candidate of `signals`, in one pass over a tree head's trees.
    pub fn score_all(&mut self, signals: &[Signals], explain: bool) -> Vec<(f64, Vec<Reason>)> {
        let Some(head) = self.head else {
            return signals.iter().map(|_| (0.0, Vec::new())).collect();
        };
        if let HeadKind::Linear(l) = &head.kind {
            if l.n_outputs() == 1 {
                return self.linear_sparse(l, head.link(), signals, explain);
            }
        }
        self.score_dense(head, signals, explain)
    }

    /// Every head: whole feature vectors, contributions for every feature.
    fn score_dense(
        &mut self,
        head: &Head,
        signals: &[Signals],
        explain: bool,
    ) -> Vec<(f64, Vec<Reason>)> {
        let b = self.model.bundle();
        let mut xs = Vec::new();
        for s in signals {
            features::vector(
                &b.features,
                &self.model.sources,
                &self.model.one_hots,
                s,
                &mut self.x,
            );
            xs.extend_from_slice(&self.x);
        }
        let width = self.x.len();
        if !explain {
            return (0..signals.len())
                .map(|r| {
                    let x = xs.get(r * width..(r + 1) * width).unwrap_or(&[]);
                    (head.score(x, &mut self.scratch), Vec::new())
                })
                .collect();
        }
        let mut scores = Vec::new();
        head.score_explained_rows(
            &xs,
            width,
            &mut scores,
            &mut self.contrib,
            &mut self.scratch,
        );
        scores
            .iter()
            .enumerate()
            .map(|(r, &p)| {
                let contrib = self.contrib.get(r * width..(r + 1) * width).unwrap_or(&[]);
                (p, top_reasons(self.model, contrib))
            })
            .collect()
    }
}

impl Scorer<'_> {
    /// A one-output linear head from the set entries only: the same margins (summed in
    /// feature order; the zeros the dense path adds change nothing) and the same reasons
    /// as the dense path, in time proportional to what is set, not to the bundle.
    fn linear_sparse(
        &mut self,
        l: &crate::model::Linear,
        link: crate::model::Link,
        signals: &[Signals],
        explain: bool,
    ) -> Vec<(f64, Vec<Reason>)> {
        let b = self.model.bundle();
        let mut x = Vec::new();
        let mut contrib: Vec<(u32, f64)> = Vec::new();
        signals
            .iter()
            .map(|s| {
                features::sparse_vector(
                    &b.features,
                    &self.model.sources,
                    &self.model.one_hots,
                    s,
                    &mut x,
                );
                contrib.clear();
                contrib.extend(
                    x.iter()
                        .map(|&(j, v)| (j, l.weights.get(j as usize).copied().unwrap_or(0.0) * v)),
                );
                let mut m = [l.intercepts[0] + contrib.iter().map(|c| c.1).sum::<f64>()];
                crate::model::score::apply_link(link, &mut m);
                let reasons = if explain {
                    top_reasons_sparse(self.model, &contrib)
                } else {
                    Vec::new()
                };
                (m[0], reasons)
            })
            .collect()
    }
}

/// The `TOP_REASONS` largest contributions (`(feature, contribution)` in feature order, the
/// zeros left out), as reasons. Features that share a label are one reason (their
/// contributions summed, named after the member that contributed most, the earlier on a
/// tie), so a label is given once; ties between reasons: the earlier feature.
fn top_reasons_sparse(m: &Model, contrib: &[(u32, f64)]) -> Vec<Reason> {
    let features = &m.bundle().features;
    // Per label group (by its first feature, kept sorted): the summed contribution and its
    // lead. A group's first feature comes first in feature order, so it leads ties.
    let mut groups: Vec<(u32, f64, u32, f64)> = Vec::new();
    for &(j, c) in contrib {
        let g = m.label_group.get(j as usize).copied().unwrap_or(j);
        match groups.binary_search_by_key(&g, |e| e.0) {
            Ok(k) => {
                let e = &mut groups[k];
                e.1 += c;
                if c.abs() > e.3.abs() {
                    (e.2, e.3) = (j, c);
                }
            }
            Err(k) => groups.insert(k, (g, c, j, c)),
        }
    }
    let mut best: [Option<usize>; TOP_REASONS] = [None; TOP_REASONS];
    let ahead = |a: usize, b: usize| groups[a].1.abs().total_cmp(&groups[b].1.abs()).is_gt();
    for (i, g) in groups.iter().enumerate() {
        if g.1 == 0.0 {
            continue;
        }
        let at = best.iter().position(|b| b.is_none_or(|j| ahead(i, j)));
        if let Some(at) = at {
            best[at..].rotate_right(1);
            best[at] = Some(i);
        }
    }
    best.into_iter()
        .flatten()
        .filter_map(|i| {
            let f = features.get(groups[i].2 as usize)?;
            Some(Reason::Feature {
                feature: f.name.clone(),
                contribution: groups[i].1,
                label: f.label.clone(),
            })
        })
        .collect()
}

/// The `TOP_REASONS` largest contributions, as reasons (see `top_reasons_sparse`), from a
/// whole contribution vector.
fn top_reasons(m: &Model, contrib: &[f64]) -> Vec<Reason> {
    let set: Vec<(u32, f64)> = contrib
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != 0.0)
        .map(|(j, c)| (j as u32, *c))
        .collect();
    top_reasons_sparse(m, &set)
}

/// A short shopper-facing text for a ranked entry: its first reason that has one. `names`
/// turns an item id into its name.
pub fn reason_text(reasons: &[Reason], names: &dyn Fn(&str) -> String) -> String {
    for r in reasons {
        match r {
            Reason::Rule { label: Some(l), .. } => return l.clone(),
            // What lifts an option is a reason to show; what holds it back is not.
            Reason::Feature {
                label: Some(l),
                contribution,
                ..
            } if *contribution > 0.0 => return l.clone(),
            Reason::BoughtWith { items } if !items.is_empty() => {
                let n: Vec<String> = items.iter().take(2).map(|i| names(i)).collect();
                return format!("Often bought with {}", n.join(" and "));
            }
            Reason::CategoryAffinity { category } => return format!("More {category}"),
            Reason::Popular => return "Popular right now".into(),
            _ => {}
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass pick equals sorting every feature by |contribution| (ties: the earlier
    /// feature; zeros never; NaN, as `total_cmp` has it, first).
    #[test]
    fn top_reasons_pick_what_a_full_sort_picks() {
        let features: Vec<crate::model::Feature> = (0..9)
            .map(|i| crate::model::Feature {
                name: format!("f{i}"),
                source: "cart.value".into(),
                transform: crate::model::Transform::Raw,
                label: Some(format!("l{i}")),
            })
            .collect();
        let model = crate::model::decode::validate(crate::model::Bundle {
            features: features.clone(),
            ..Default::default()
        })
        .unwrap();
        let values = [0.0, 1.0, -1.0, 0.5, -2.0, 2.0, f64::NAN, 1e-9, -0.5];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..2000 {
            let n = round % 10;
            let contrib: Vec<f64> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    values[(seed % values.len() as u64) as usize]
                })
                .collect();
            let mut idx: Vec<usize> = (0..n).filter(|&i| contrib[i] != 0.0).collect();
            idx.sort_by(|&a, &b| {
                contrib[b]
                    .abs()
                    .total_cmp(&contrib[a].abs())
                    .then(a.cmp(&b))
            });
            let want: Vec<String> = idx
                .iter()
                .take(TOP_REASONS)
                .map(|i| format!("f{i}"))
                .collect();
            let got: Vec<String> = top_reasons(&model, &contrib)
                .into_iter()
                .map(|r| match r {
                    Reason::Feature { feature, .. } => feature,
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(got, want, "{contrib:?}");
        }
    }

    /// Features that share a label are one reason, given once, with their sum, named after
    /// the member that contributed most.
    #[test]
    fn a_label_is_given_once() {
        let f = |name: &str, label: Option<&str>| crate::model::Feature {
            name: name.into(),
            source: "cart.value".into(),
            transform: crate::model::Transform::Raw,
            label: label.map(Into::into),
        };
        let model = crate::model::decode::validate(crate::model::Bundle {
            features: vec![
                f("is_last", Some("Your usual")),
                f("share", Some("Your usual")),
                f("position", None),
                f("country", Some("Popular in your country")),
            ],
            ..Default::default()
        })
        .unwrap();
        let got = top_reasons(&model, &[1.0, 1.5, -0.5, -0.2]);
        let texts: Vec<(String, f64, Option<String>)> = got
            .into_iter()
            .map(|r| match r {
                Reason::Feature {
                    feature,
                    contribution,
                    label,
                } => (feature, contribution, label),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                ("share".into(), 2.5, Some("Your usual".into())),
                ("position".into(), -0.5, None),
                (
                    "country".into(),
                    -0.2,
                    Some("Popular in your country".into())
                ),
            ]
        );
        // The shopper is shown what lifts an option, never what holds it back.
        let held_back = [Reason::Feature {
            feature: "country".into(),
            contribution: -0.2,
            label: Some("Popular in your country".into()),
        }];
        assert_eq!(reason_text(&held_back, &|s| s.into()), "");
    }
}
