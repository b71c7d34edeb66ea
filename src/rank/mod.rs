//! Decisions: what the checkout shows, decided by the model, rules, segments and experiments.
//!
//! One file per surface: `choice` (payment methods and shipping options: permutations of the
//! page's list), `cross_sell`, `offer`, `message`; shared parts: `prepare` (below: no model,
//! an expired one, the experiment arm, a holdout, the head), `signals` (what a decision
//! reads), `rules` (conditions, segments, rules, pins), `score` (a head's scores and the
//! reasons behind them), `input` (reading the page's arguments). All pure: every piece of
//! state (model, profile, time, user id, this page view's arms) comes in as arguments.

pub mod choice;
pub mod cross_sell;
pub mod input;
pub mod message;
pub mod offer;
pub mod rules;
pub mod score;
pub mod signals;

pub use choice::{
    rank_choices, rank_payment_methods, rank_shipping_options, Choice, PaymentMethod,
};
pub use cross_sell::{rank_cross_sells, CrossSellRequest};
pub use input::{RankError, MAX_INPUT};
pub use message::{choose_messages, ChosenMessage};
pub use offer::{choose_offer, Offer, OfferDecision, Propensity};
pub use rules::{holds, segments};
pub use score::Reason;
pub use signals::{Candidate, Signals, Usage};

use crate::experiment;
use crate::model::Model;
use serde::Serialize;

/// Most cross-sells returned in one call.
pub const MAX_CROSS_SELLS: usize = 50;
/// Cross-sell candidates reranked by a scoring head.
pub const RERANK_POOL: usize = 50;
/// Top feature contributions reported per candidate.
pub const TOP_REASONS: usize = 3;

/// The surfaces a bundle can personalise (and an experiment can run on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Payment,
    Shipping,
    CrossSell,
    Offers,
}

impl Surface {
    /// The name bundles use (`experiment.surface`).
    pub fn name(self) -> &'static str {
        match self {
            Surface::Payment => "payment",
            Surface::Shipping => "shipping",
            Surface::CrossSell => "crossSell",
            Surface::Offers => "offers",
        }
    }

    /// The bundle's configuration of this surface.
    pub fn of(self, m: &Model) -> Option<&crate::model::Surface> {
        let b = m.bundle();
        match self {
            Surface::Payment => b.payment.as_ref(),
            Surface::Shipping => b.shipping.as_ref(),
            Surface::CrossSell => b.cross_sell.as_ref(),
            Surface::Offers => b.offers.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub id: String,
    pub score: f64,
    pub eligible: bool,
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// The experiment arm a decision ran under.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub experiment: String,
    pub arm: String,
    pub variation: u32,
    pub holdout: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ranking {
    pub items: Vec<Ranked>,
    /// Why the page's default order was kept: `noModel`, `expired`, `holdout`, `noHead`.
    pub fallback: Option<&'static str>,
    pub experiment: Option<Assignment>,
    /// `id@version` of the model used.
    pub model: Option<String>,
}

/// What every decision reads.
pub struct Decision<'a> {
    pub model: Option<&'a Model>,
    pub signals: Signals<'a>,
    pub user_id: &'a str,
    /// Arms this page view already showed: a decision keeps them (one page view, one arm).
    pub pinned: &'a [Assignment],
}

/// What every surface decides first: the model in force, its `id@version`, the experiment
/// arm and the head to score with.
pub struct Prepared<'a> {
    pub model: &'a Model,
    pub config: Option<&'a crate::model::Surface>,
    pub tag: Option<String>,
    pub assigned: Option<Assignment>,
    /// The arm's head, else the surface's.
    pub head: Option<String>,
}

/// Why a surface keeps the page's default: `noModel`, `expired`, `noHead` (offers without
/// an offers section), `holdout`, with the arm and model tag to report.
pub struct Fallback {
    pub why: &'static str,
    pub experiment: Option<Assignment>,
    pub tag: Option<String>,
}

/// The opening steps every surface shares.
pub fn prepare<'a>(d: &Decision<'a>, surface: Surface) -> Result<Prepared<'a>, Fallback> {
    let fallback = |why, experiment, tag| Fallback {
        why,
        experiment,
        tag,
    };
    let Some(model) = d.model else {
        return Err(fallback("noModel", None, None));
    };
    let tag = Some(model_tag(model));
    if model.is_expired(d.signals.now) {
        return Err(fallback("expired", None, tag));
    }
    let config = surface.of(model);
    if surface == Surface::Offers && config.is_none() {
        return Err(fallback("noHead", None, tag));
    }
    let (assigned, arm_head) = match assignment(model, surface, d.user_id, d.pinned) {
        Some((a, h)) => (Some(a), h),
        None => (None, None),
    };
    if assigned.as_ref().is_some_and(|a| a.holdout) {
        return Err(fallback("holdout", assigned, tag));
    }
    Ok(Prepared {
        model,
        config,
        tag,
        head: arm_head.or_else(|| config.and_then(|c| c.head.clone())),
        assigned,
    })
}

fn model_tag(m: &Model) -> String {
    format!("{}@{}", m.bundle().id, m.bundle().version)
}

/// The arm of the first experiment on `surface` the user falls into (peek: nothing
/// logged); an arm this page view already showed wins.
fn assignment(
    model: &Model,
    surface: Surface,
    user_id: &str,
    pinned: &[Assignment],
) -> Option<(Assignment, Option<String>)> {
    model
        .bundle()
        .experiments
        .iter()
        .filter(|e| e.surface == surface.name())
        .find_map(|e| {
            let v = match pinned.iter().find(|a| a.experiment == e.key) {
                Some(a) => a.variation as usize,
                None => experiment::assign(e, user_id)?,
            };
            let arm = e.arms.get(v)?;
            Some((
                Assignment {
                    experiment: e.key.clone(),
                    arm: arm.name.clone(),
                    variation: v as u32,
                    holdout: arm.holdout,
                },
                arm.head.clone(),
            ))
        })
}

/// The arm of `surface`'s experiment for this user, if any (peek: nothing logged).
pub fn surface_assignment(
    model: &Model,
    surface: Surface,
    user_id: &str,
    pinned: &[Assignment],
) -> Option<Assignment> {
    assignment(model, surface, user_id, pinned).map(|(a, _)| a)
}

/// The assignment for one experiment key (peek).
pub fn assignment_for(model: &Model, key: &str, user_id: &str) -> Option<Assignment> {
    let e = model.bundle().experiments.iter().find(|e| e.key == key)?;
    let v = experiment::assign(e, user_id)?;
    Some(Assignment {
        experiment: e.key.clone(),
        arm: e.arms[v].name.clone(),
        variation: v as u32,
        holdout: e.arms[v].holdout,
    })
}
