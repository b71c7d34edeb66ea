//! Offers: at most one incentive, within budget, frequency cap and predicted uplift.

use super::rules::apply_rules;
use super::score::{Reason, Scorer};
use super::signals::Candidate;
use super::{prepare, Assignment, Decision, Surface};
use serde::Serialize;

/// An incentive the page can offer (`chooseOffer`).
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub id: String,
    pub kind: Option<String>,
    /// What it costs the store, in the cart's currency.
    pub cost: Option<f64>,
    /// Or a percentage of the cart value.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Propensity {
    /// Purchase probability with the offer.
    pub with: f64,
    /// Without any offer.
    pub without: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferDecision {
    /// The chosen offer's id, or `None`.
    pub offer: Option<String>,
    /// `chosen`, `pinned`, `noModel`, `expired`, `noHead`, `holdout`, `frequencyCap`,
    /// `noneEligible`, `noUplift`.
    pub reason: &'static str,
    pub probability: Option<Propensity>,
    pub reasons: Vec<Reason>,
    pub experiment: Option<Assignment>,
    pub model: Option<String>,
}

/// Picks at most one offer: eligible (rules, segments), within the budget (never more than
/// `budgetPercent` of the cart value), under the frequency cap (`shown_recently` offers
/// shown in the window), and with a positive predicted uplift when a propensity head
/// exists (`P(buy | offer) > P(buy | none)`). A pin rule forces its offer.
pub fn choose_offer(d: &Decision, offers: &[Offer], shown_recently: u32) -> OfferDecision {
    let none = |reason: &'static str, experiment: Option<Assignment>, model: Option<String>| {
        OfferDecision {
            offer: None,
            reason,
            probability: None,
            reasons: Vec::new(),
            experiment,
            model,
        }
    };
    let p = match prepare(d, Surface::Offers) {
        Ok(p) => p,
        Err(f) => return none(f.why, f.experiment, f.tag),
    };
    let model = p.model;
    let Some(surface) = p.config else {
        return none("noHead", None, p.tag);
    };
    let (assigned, tag, head) = (p.assigned, p.tag, p.head);
    if surface
        .frequency_cap
        .is_some_and(|cap| shown_recently >= cap)
    {
        return none("frequencyCap", assigned, tag);
    }
    let cart_value = d.signals.view.cart.value;
    let mut scorer = Scorer::new(model, head.as_deref());
    let baseline = Candidate {
        id: "none",
        position: usize::MAX,
        price: Some(0.0),
        ..Candidate::default()
    };
    let without = scorer
        .head
        .map(|_| scorer.score(&d.signals.with_candidate(&baseline), false).0);
    let mut best: Option<(f64, &Offer, Vec<Reason>, bool, i32)> = None;
    for (i, o) in offers.iter().enumerate() {
        let cost = o
            .cost
            .or(o.percent.map(|p| p * cart_value / 100.0))
            .unwrap_or(0.0);
        if let Some(b) = surface.budget_percent {
            // Over budget, or not comparable (NaN): not offered.
            if cost.partial_cmp(&(b * cart_value / 100.0)) != Some(std::cmp::Ordering::Less)
                && cost != b * cart_value / 100.0
            {
                continue;
            }
        }
        let c = Candidate {
            id: &o.id,
            kind: o.kind.as_deref(),
            position: i,
            price: Some(cost),
            ..Candidate::default()
        };
        let s = d.signals.with_candidate(&c);
        let (mut score, mut reasons) = scorer.score(&s, true);
        let rules = apply_rules(model, &surface.rules, &model.offer_rules, &s, true);
        score += rules.boost;
        let eligible = rules.eligible;
        let pin = rules.pin.map(|(_, prio)| prio);
        let mut rule_reasons = rules.reasons;
        if !eligible {
            continue;
        }
        rule_reasons.append(&mut reasons);
        let better = match &best {
            None => true,
            Some((bs, _, _, bpinned, bprio)) => match (pin, *bpinned) {
                (Some(p), true) => p > *bprio,
                (Some(_), false) => true,
                (None, true) => false,
                (None, false) => score > *bs,
            },
        };
        if better {
            best = Some((score, o, rule_reasons, pin.is_some(), pin.unwrap_or(0)));
        }
    }
    let Some((score, offer, reasons, pinned, _)) = best else {
        return none("noneEligible", assigned, tag);
    };
    if !pinned {
        if let Some(w) = without {
            if score <= w {
                return OfferDecision {
                    probability: Some(Propensity {
                        with: score,
                        without: w,
                    }),
                    ..none("noUplift", assigned, tag)
                };
            }
        }
    }
    OfferDecision {
        offer: Some(offer.id.clone()),
        reason: if pinned { "pinned" } else { "chosen" },
        probability: without.map(|w| Propensity {
            with: score,
            without: w,
        }),
        reasons,
        experiment: assigned,
        model: tag,
    }
}
