//! Payment methods and shipping options: permutations of the page's list, always.

use super::rules::{apply_pins, apply_rules};
use super::score::Scorer;
use super::signals::{Candidate, Signals, Usage};
use super::{prepare, Decision, Ranked, Ranking, Surface};
use crate::model::runtime::CompiledRule;
use crate::model::Model;
use crate::sort;

/// A payment method as the page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentMethod {
    pub id: String,
    pub kind: Option<String>,
}

fn default_order(methods: &[PaymentMethod]) -> Vec<Ranked> {
    methods
        .iter()
        .map(|m| Ranked {
            id: m.id.clone(),
            score: 0.0,
            eligible: true,
            reasons: Vec::new(),
            name: None,
            category: None,
        })
        .collect()
}

/// The page lists that are ranked as permutations: payment methods and shipping options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Payment,
    Shipping,
}

impl Choice {
    pub fn surface(self) -> Surface {
        match self {
            Choice::Payment => Surface::Payment,
            Choice::Shipping => Surface::Shipping,
        }
    }

    /// The rules compiled for this list, and whose use its candidates read.
    fn rules_and_usage(self, m: &Model) -> (&[CompiledRule], Usage) {
        match self {
            Choice::Payment => (&m.payment_rules, Usage::Payment),
            Choice::Shipping => (&m.shipping_rules, Usage::Shipping),
        }
    }
}

/// Orders the page's payment methods. Always a permutation of `methods`.
pub fn rank_payment_methods(d: &Decision, methods: &[PaymentMethod], explain: bool) -> Ranking {
    rank_choices(d, Choice::Payment, methods, explain)
}

/// Orders the page's shipping options (same guarantees as payment methods).
pub fn rank_shipping_options(d: &Decision, options: &[PaymentMethod], explain: bool) -> Ranking {
    rank_choices(d, Choice::Shipping, options, explain)
}

/// Orders a page list. Always a permutation of `methods`.
pub fn rank_choices(
    d: &Decision,
    choice: Choice,
    methods: &[PaymentMethod],
    explain: bool,
) -> Ranking {
    let p = match prepare(d, choice.surface()) {
        Ok(p) => p,
        Err(f) => {
            return Ranking {
                items: default_order(methods),
                fallback: Some(f.why),
                experiment: f.experiment,
                model: f.tag,
            }
        }
    };
    let model = p.model;
    let (compiled_rules, usage) = choice.rules_and_usage(model);
    let empty = crate::model::Surface::default();
    let surface = p.config.unwrap_or(&empty);
    let (assigned, tag, head) = (p.assigned, p.tag, p.head);
    let mut scorer = Scorer::new(model, head.as_deref());
    let candidates: Vec<Candidate> = methods
        .iter()
        .enumerate()
        .map(|(i, m)| Candidate {
            id: &m.id,
            usage,
            kind: m.kind.as_deref(),
            position: i,
            ..Candidate::default()
        })
        .collect();
    let mut ranked = Vec::with_capacity(methods.len());
    let mut pins = Vec::new();
    let signals: Vec<Signals> = candidates
        .iter()
        .map(|c| d.signals.with_candidate(c))
        .collect();
    let scored = scorer.score_all(&signals, explain);
    for ((i, c), (s, (mut score, mut reasons))) in candidates
        .iter()
        .enumerate()
        .zip(signals.iter().zip(scored))
    {
        let rules = apply_rules(model, &surface.rules, compiled_rules, s, false);
        score += rules.boost;
        let eligible = rules.eligible;
        if let Some((pos, prio)) = rules.pin {
            pins.push((i, pos, prio));
        }
        let mut rule_reasons = rules.reasons;
        // What a rule did explains more than a model's nudge: rules first.
        rule_reasons.append(&mut reasons);
        let reasons = rule_reasons;
        ranked.push((
            i,
            Ranked {
                id: c.id.to_owned(),
                score,
                eligible,
                reasons,
                name: None,
                category: None,
            },
        ));
    }
    // Eligible first by score (ties keep the page's order), then the ineligible in the
    // page's order. Pins never lift an ineligible method.
    sort::sort_by(&mut ranked, |(ia, a), (ib, b)| {
        b.eligible
            .cmp(&a.eligible)
            .then_with(|| {
                if a.eligible {
                    b.score.total_cmp(&a.score)
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then(ia.cmp(ib))
    });
    let position_of: Vec<usize> = {
        let mut p = vec![0; ranked.len()];
        for (pos, (i, _)) in ranked.iter().enumerate() {
            p[*i] = pos;
        }
        p
    };
    let eligible_count = ranked.iter().filter(|(_, r)| r.eligible).count();
    let pins = pins
        .into_iter()
        .filter(|&(i, _, _)| ranked[position_of[i]].1.eligible)
        .map(|(i, pos, prio)| {
            (
                position_of[i],
                pos.min(eligible_count.saturating_sub(1)),
                prio,
            )
        })
        .collect();
    let items = apply_pins(ranked.into_iter().map(|(_, r)| r).collect(), pins);
    Ranking {
        items,
        fallback: if scorer.head.is_none() && surface.rules.is_empty() {
            Some("noHead")
        } else {
            None
        },
        experiment: assigned,
        model: tag,
    }
}
