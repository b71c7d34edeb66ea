//! Ranking: payment methods and cross-sells, scored by the model, moved by rules, explained.
//!
//! `rank_payment_methods` returns a permutation of the page's list, always: every method
//! exactly once, none invented; without a usable model it is the page's order, flagged as a
//! fallback. `rank_cross_sells` returns up to `limit` items from the catalogue (the model's
//! items, or the page's candidates), never one already in the cart. Both are pure: all
//! state (model, profile, time, user id) comes in as arguments.

use crate::experiment;
use crate::model::decode::{CompiledRule, Cond};
use crate::model::features::{self, Candidate, Signals};
use crate::model::{Action, CondValue, Head, HeadKind, Model, Op, Rule, Surface};
use crate::sort;
use serde::Serialize;

/// Most cross-sells returned in one call.
pub const MAX_CROSS_SELLS: usize = 50;
/// Cross-sell candidates reranked by a scoring head.
pub const RERANK_POOL: usize = 50;
/// Top feature contributions reported per candidate.
pub const TOP_REASONS: usize = 3;

/// A payment method as the page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentMethod {
    pub id: String,
    pub kind: Option<String>,
}

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
}

/// Whether `c` holds for these signals.
pub fn holds(c: &Cond, s: &Signals) -> bool {
    let num = || s.num(c.source);
    let text = || s.text(c.source);
    let present = || {
        if c.source.is_text() {
            text().is_some()
        } else {
            !num().is_nan()
        }
    };
    match (&c.op, &c.value) {
        (Op::Exists, _) => present(),
        (Op::Missing, _) => !present(),
        (Op::Eq, CondValue::Text(t)) => text().is_some_and(|x| *x == **t),
        (Op::Ne, CondValue::Text(t)) => text().is_none_or(|x| *x != **t),
        (Op::In, CondValue::List(l)) => text().is_some_and(|x| l.iter().any(|v| **v == *x)),
        (Op::NotIn, CondValue::List(l)) => !text().is_some_and(|x| l.iter().any(|v| **v == *x)),
        (op, CondValue::Num(v)) => {
            let x = num();
            match op {
                Op::Eq => x == *v,
                Op::Ne => x != *v,
                Op::Lt => x < *v,
                Op::Le => x <= *v,
                Op::Gt => x > *v,
                Op::Ge => x >= *v,
                _ => false,
            }
        }
        _ => false,
    }
}

fn all_hold(cs: &[Cond], s: &Signals) -> bool {
    cs.iter().all(|c| holds(c, s))
}

/// Names of the bundle's segments the shopper is in.
pub fn segments(model: &Model, s: &Signals) -> Vec<String> {
    model
        .bundle()
        .segments
        .iter()
        .zip(&model.segments)
        .filter(|(_, conds)| all_hold(conds, s))
        .map(|(seg, _)| seg.name.clone())
        .collect()
}

/// The arm of the first experiment on `surface` the user falls into (peek: nothing logged).
pub fn assignment(
    model: &Model,
    surface: &str,
    user_id: &str,
) -> Option<(Assignment, Option<String>)> {
    model
        .bundle()
        .experiments
        .iter()
        .filter(|e| e.surface == surface)
        .find_map(|e| {
            let v = experiment::assign(e, user_id)?;
            let arm = &e.arms[v];
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

fn targets(rule: &Rule, c: &Candidate) -> bool {
    rule.targets.iter().any(|t| {
        t == "*"
            || t == c.id
            || t.strip_prefix("type:").is_some_and(|k| c.kind == Some(k))
            || t.strip_prefix("category:")
                .is_some_and(|k| c.category == Some(k))
    })
}

fn rule_applies(model: &Model, rule: &Rule, compiled: &CompiledRule, s: &Signals) -> bool {
    let c = match s.candidate {
        Some(c) => c,
        None => return false,
    };
    targets(rule, c)
        && all_hold(&compiled.when, s)
        && compiled
            .segment
            .is_none_or(|i| all_hold(&model.segments[i], s))
}

/// Scores one candidate with `head`, with its top contributions as reasons.
struct Scorer<'m> {
    model: &'m Model,
    head: Option<&'m Head>,
    x: Vec<f64>,
    scratch: Vec<f64>,
    contrib: Vec<f64>,
}

impl<'m> Scorer<'m> {
    fn new(model: &'m Model, head: Option<&str>) -> Scorer<'m> {
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

    fn score(&mut self, s: &Signals, explain: bool) -> (f64, Vec<Reason>) {
        self.score_all(std::slice::from_ref(s), explain)
            .pop()
            .unwrap_or((0.0, Vec::new()))
    }

    /// Scores every candidate of `signals`, in one pass over a tree head's trees.
    fn score_all(&mut self, signals: &[Signals], explain: bool) -> Vec<(f64, Vec<Reason>)> {
        let Some(head) = self.head else {
            return signals.iter().map(|_| (0.0, Vec::new())).collect();
        };
        let b = self.model.bundle();
        let mut xs = Vec::new();
        for s in signals {
            features::vector(&b.features, &self.model.sources, s, &mut self.x);
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
                (p, top_reasons(&b.features, contrib))
            })
            .collect()
    }
}

/// The `TOP_REASONS` largest contributions, as reasons (labels only for positive ones).
fn top_reasons(features: &[crate::model::Feature], contrib: &[f64]) -> Vec<Reason> {
    // The TOP_REASONS largest |contribution| (ties: the earlier feature), picked in one
    // pass without sorting every feature.
    let mut best: [Option<usize>; TOP_REASONS] = [None; TOP_REASONS];
    let ahead = |a: usize, b: usize| contrib[a].abs().total_cmp(&contrib[b].abs()).is_gt();
    for (i, &c) in contrib.iter().enumerate() {
        if c == 0.0 {
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
            let f = features.get(i)?;
            Some(Reason::Feature {
                feature: f.name.clone(),
                contribution: contrib[i],
                label: f.label.clone().filter(|_| contrib[i] > 0.0),
            })
        })
        .collect()
}

/// What the rules of a surface did to one candidate.
struct RuleOutcome {
    eligible: bool,
    boost: f64,
    /// `(position, priority)` of the strongest pin.
    pin: Option<(usize, i32)>,
    /// One reason per rule that acted, in rule order.
    reasons: Vec<Reason>,
}

/// Applies a surface's rules to the candidate in `s`. `explain_eligible`: a satisfied
/// eligibility rule is itself a reason (offers show it; lists would only be cluttered).
fn apply_rules(
    model: &Model,
    rules: &[Rule],
    compiled: &[CompiledRule],
    s: &Signals,
    explain_eligible: bool,
) -> RuleOutcome {
    let mut out = RuleOutcome {
        eligible: true,
        boost: 0.0,
        pin: None,
        reasons: Vec::new(),
    };
    for (rule, c) in rules.iter().zip(compiled) {
        if !rule_applies(model, rule, c, s) {
            continue;
        }
        let action = match &rule.action {
            Action::EligibleIf(_) if all_hold(&c.eligible, s) => {
                if !explain_eligible {
                    continue;
                }
                "eligible"
            }
            Action::EligibleIf(_) => {
                out.eligible = false;
                "ineligible"
            }
            Action::Exclude => {
                out.eligible = false;
                "excluded"
            }
            Action::Boost(a) => {
                out.boost += a;
                "boosted"
            }
            Action::Pin(p) => {
                if out.pin.is_none_or(|(_, prio)| rule.priority > prio) {
                    out.pin = Some((*p as usize, rule.priority));
                }
                "pinned"
            }
        };
        out.reasons.push(Reason::Rule {
            rule: rule.id.clone(),
            action,
            label: rule.label.clone(),
        });
    }
    out
}

fn model_tag(m: &Model) -> String {
    format!("{}@{}", m.bundle().id, m.bundle().version)
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

/// Places pinned entries (`(index into list, position, priority)`) at their positions,
/// higher priority first; the rest keep their relative order.
fn apply_pins<T>(list: Vec<T>, mut pins: Vec<(usize, usize, i32)>) -> Vec<T> {
    if pins.is_empty() {
        return list;
    }
    let n = list.len();
    sort::sort_by(&mut pins, |a, b| {
        b.2.cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0))
    });
    let mut slot: Vec<Option<usize>> = vec![None; n];
    let mut placed = vec![false; n];
    for (i, pos, _) in pins {
        if placed[i] {
            continue;
        }
        // The nearest free position at or after the requested one (or before, at the end).
        let pos = pos.min(n - 1);
        let free = (pos..n).chain((0..pos).rev()).find(|&p| slot[p].is_none());
        if let Some(p) = free {
            slot[p] = Some(i);
            placed[i] = true;
        }
    }
    let mut rest = (0..n).filter(|i| !placed[*i]);
    let order: Vec<usize> = slot
        .into_iter()
        .map(|s| s.or_else(|| rest.next()).unwrap_or(0))
        .collect();
    let mut items: Vec<Option<T>> = list.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| items[i].take()).collect()
}

/// The page lists that are ranked as permutations: payment methods and shipping options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Payment,
    Shipping,
}

impl Choice {
    fn surface(
        self,
        m: &Model,
    ) -> (
        Option<&Surface>,
        &[CompiledRule],
        &'static str,
        features::History,
    ) {
        let b = m.bundle();
        match self {
            Choice::Payment => (
                b.payment.as_ref(),
                &m.payment_rules,
                "payment",
                features::History::Payment,
            ),
            Choice::Shipping => (
                b.shipping.as_ref(),
                &m.shipping_rules,
                "shipping",
                features::History::Shipping,
            ),
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
    let fallback =
        |why: &'static str, experiment: Option<Assignment>, model: Option<String>| Ranking {
            items: default_order(methods),
            fallback: Some(why),
            experiment,
            model,
        };
    let Some(model) = d.model else {
        return fallback("noModel", None, None);
    };
    let tag = Some(model_tag(model));
    if model.is_expired(d.signals.now) {
        return fallback("expired", None, tag);
    }
    let (surface, compiled_rules, surface_name, history) = choice.surface(model);
    let empty = Surface::default();
    let surface = surface.unwrap_or(&empty);
    let (assigned, arm_head) = match assignment(model, surface_name, d.user_id) {
        Some((a, h)) => (Some(a), h),
        None => (None, None),
    };
    if assigned.as_ref().is_some_and(|a| a.holdout) {
        return fallback("holdout", assigned, tag);
    }
    let head = arm_head.or(surface.head.clone());
    let mut scorer = Scorer::new(model, head.as_deref());
    let candidates: Vec<Candidate> = methods
        .iter()
        .enumerate()
        .map(|(i, m)| Candidate {
            id: &m.id,
            history,
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

/// What the page asks of `rank_cross_sells`.
#[derive(Debug, Clone, Default)]
pub struct CrossSellRequest {
    /// Cart item ids (defaults to the profile's cart).
    pub items: Option<Vec<String>>,
    pub limit: Option<usize>,
    /// The page's catalogue: only these may be proposed.
    pub candidates: Option<Vec<String>>,
}

struct Pool {
    idx: Option<usize>,
    id: String,
    cooccur: f64,
    affinity: f64,
    popularity: f64,
}

/// Items to offer with the cart. Never one in the cart, never one outside the catalogue.
pub fn rank_cross_sells<'a>(d: &Decision<'a>, req: &'a CrossSellRequest, explain: bool) -> Ranking {
    let limit = req.limit.unwrap_or(5).min(MAX_CROSS_SELLS);
    let cart: Vec<String> = req.items.clone().unwrap_or_else(|| {
        d.signals
            .view
            .cart
            .items
            .iter()
            .map(|l| l.id.clone())
            .collect()
    });
    let in_cart = |id: &str| cart.iter().any(|c| c == id);
    let page_order = |why: &'static str, tag: Option<String>, experiment: Option<Assignment>| {
        let items = req
            .candidates
            .iter()
            .flatten()
            .filter(|c| !in_cart(c))
            .take(limit)
            .map(|id| Ranked {
                id: id.clone(),
                score: 0.0,
                eligible: true,
                reasons: Vec::new(),
                name: None,
                category: None,
            })
            .collect();
        Ranking {
            items,
            fallback: Some(why),
            experiment,
            model: tag,
        }
    };
    let Some(model) = d.model else {
        return page_order("noModel", None, None);
    };
    let tag = Some(model_tag(model));
    if model.is_expired(d.signals.now) {
        return page_order("expired", tag, None);
    }
    let surface: Surface = model.bundle().cross_sell.clone().unwrap_or_default();
    let (assigned, arm_head) = match assignment(model, "crossSell", d.user_id) {
        Some((a, h)) => (Some(a), h),
        None => (None, None),
    };
    if assigned.as_ref().is_some_and(|a| a.holdout) {
        return page_order("holdout", tag, assigned);
    }
    let co = surface
        .cooccur
        .as_deref()
        .and_then(|n| model.head(n))
        .and_then(|h| match &h.kind {
            HeadKind::Cooccur(c) => Some(c),
            _ => None,
        });
    let Some(co) = co else {
        return page_order("noHead", tag, assigned);
    };

    // Candidate pool with co-occurrence, category affinity and popularity.
    let cart_idx: Vec<usize> = cart.iter().filter_map(|id| co.index(id)).collect();
    let scores = co.cart_scores(&cart_idx);
    let score_of = |i: usize| {
        scores
            .binary_search_by(|(p, _)| p.cmp(&i))
            .map_or(0.0, |at| scores[at].1)
    };
    let now = d.signals.now;
    // Affinity per category, once (not per item): in-session interest plus a tenth of
    // historic interest.
    let category_affinity: Vec<f64> = co
        .categories
        .iter()
        .map(|cat| {
            let (session, history) = d.signals.profile.category_interest(cat, now);
            session + history * 0.1
        })
        .collect();
    let affinity = |i: usize| {
        co.category
            .get(i)
            .and_then(|&k| category_affinity.get(k as usize))
            .copied()
            .unwrap_or(0.0)
    };
    // Tiers: bought together, then category affinity, then popularity.
    let key = |cooccur: f64, affinity: f64, popularity: f64| {
        if cooccur > 0.0 {
            (2u8, cooccur)
        } else if affinity > 0.0 {
            (1, affinity * (0.5 + popularity))
        } else {
            (0, popularity)
        }
    };
    // Keep only the best `keep` candidates, without sorting (or copying) the catalogue.
    let keep = RERANK_POOL.max(limit);
    let mut top: Vec<((u8, f64), Option<usize>, &str)> = Vec::with_capacity(keep + 1);
    let mut offer = |k: (u8, f64), idx: Option<usize>, id: &'a str| {
        let before = |t: &((u8, f64), Option<usize>, &str)| {
            t.0 .0 > k.0 || (t.0 .0 == k.0 && (t.0 .1 > k.1 || (t.0 .1 == k.1 && t.2 <= id)))
        };
        if top.len() == keep && top.last().is_some_and(&before) {
            return;
        }
        // Listed twice (by the page): an id's catalogue index says who it is, and the
        // catalogue's ids are unique, so only ids it lacks are compared as text.
        let same = |t: &((u8, f64), Option<usize>, &str)| match idx {
            Some(_) => t.1 == idx,
            None => t.1.is_none() && t.2 == id,
        };
        if top.iter().any(same) {
            return;
        }
        let at = top.iter().position(|t| !before(t)).unwrap_or(top.len());
        top.insert(at, (k, idx, id));
        top.truncate(keep);
    };
    match &req.candidates {
        Some(cands) => {
            for id in cands.iter().filter(|id| !in_cart(id)) {
                match co.index(id) {
                    Some(i) => offer(
                        key(score_of(i), affinity(i), co.popularity[i]),
                        Some(i),
                        id.as_str(),
                    ),
                    None => offer((0, 0.0), None, id.as_str()),
                }
            }
        }
        None => {
            // The best `keep` of the whole catalogue, without scanning it: every item the
            // cart's partners reach, then per category with affinity its most popular
            // items, then the most popular items overall (each list skips what an earlier
            // tier or the cart holds). Within a category the key only grows with
            // popularity, so its first `keep` items (and any tied with the last) are all
            // it can contribute; overall popularity is the tier-0 key itself.
            let mut cart_sorted = cart_idx.clone();
            crate::sort::sort_by(&mut cart_sorted, Ord::cmp);
            let in_cart = |i: usize| cart_sorted.binary_search(&i).is_ok();
            let item = |i: usize| co.items.get(i).map_or("", String::as_str);
            let pop = |i: usize| co.popularity.get(i).copied().unwrap_or(0.0);
            for &(i, s) in &scores {
                if s > 0.0 && !in_cart(i) {
                    offer(key(s, affinity(i), pop(i)), Some(i), item(i));
                }
            }
            for (k, &a) in category_affinity.iter().enumerate() {
                if a.is_nan() || a <= 0.0 {
                    continue;
                }
                let (mut taken, mut last) = (0, f64::NAN);
                for &i in co.category_items(k) {
                    let i = i as usize;
                    if in_cart(i) || score_of(i) > 0.0 {
                        continue;
                    }
                    let kk = key(0.0, a, pop(i));
                    if taken >= keep && kk.1 != last {
                        break;
                    }
                    offer(kk, Some(i), item(i));
                    (taken, last) = (taken + 1, kk.1);
                }
            }
            let mut taken = 0;
            for &i in &co.order.by_popularity {
                let i = i as usize;
                if taken == keep {
                    break;
                }
                if in_cart(i) || score_of(i) > 0.0 || affinity(i) > 0.0 {
                    continue;
                }
                offer(key(0.0, 0.0, pop(i)), Some(i), item(i));
                taken += 1;
            }
        }
    }
    let pool: Vec<Pool> = top
        .into_iter()
        .map(|(_, idx, id)| Pool {
            idx,
            id: id.to_owned(),
            cooccur: idx.map_or(0.0, score_of),
            affinity: idx.map_or(0.0, affinity),
            popularity: idx.map_or(0.0, |i| co.popularity[i]),
        })
        .collect();

    let head = arm_head.or(surface.head.clone());
    let mut scorer = Scorer::new(model, head.as_deref());
    let candidates: Vec<Candidate> = pool
        .iter()
        .enumerate()
        .map(|(order, p)| Candidate {
            id: &p.id,
            history: features::History::Payment,
            kind: None,
            position: order,
            price: None,
            category: p.idx.and_then(|i| co.category_of(i)),
            cooccur: Some(p.cooccur),
            popularity: Some(p.popularity),
        })
        .collect();
    let signals: Vec<Signals> = candidates
        .iter()
        .map(|c| d.signals.with_candidate(c))
        .collect();
    // Every candidate is scored; the model's reasons are worked out below, only for the
    // few that are returned.
    let scored: Vec<f64> = if scorer.head.is_some() {
        scorer
            .score_all(&signals, false)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    } else {
        Vec::new()
    };
    struct Kept {
        pool: usize,
        score: f64,
        rule_reasons: Vec<Reason>,
        pin: Option<(usize, i32)>,
    }
    let mut ranked: Vec<Kept> = Vec::new();
    for (n, (p, s)) in pool.iter().zip(&signals).enumerate() {
        let (tier, base) = key(p.cooccur, p.affinity, p.popularity);
        // Without a reranker the tiers order the pool: keep them apart in the score.
        let score = scored
            .get(n)
            .copied()
            .unwrap_or_else(|| f64::from(tier) + base.clamp(0.0, 0.999_999));
        let rules = apply_rules(model, &surface.rules, &model.cross_sell_rules, s, false);
        if rules.eligible {
            let reasons = if explain { rules.reasons } else { Vec::new() };
            ranked.push(Kept {
                pool: n,
                score: score + rules.boost,
                rule_reasons: reasons,
                pin: rules.pin,
            });
        }
    }
    sort::sort_by(&mut ranked, |a, b| b.score.total_cmp(&a.score));
    let pins = ranked
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.pin.map(|(pos, prio)| (i, pos, prio)))
        .collect();
    let mut chosen = apply_pins(ranked, pins);
    chosen.truncate(limit);
    let mut model_reasons = if explain && scorer.head.is_some() {
        let shown: Vec<Signals> = chosen
            .iter()
            .filter_map(|c| candidates.get(c.pool).map(|c| d.signals.with_candidate(c)))
            .collect();
        scorer.score_all(&shown, true)
    } else {
        Vec::new()
    }
    .into_iter();
    let items = chosen
        .into_iter()
        .map(|k| {
            let (n, score, mut reasons) = (k.pool, k.score, k.rule_reasons);
            let p = &pool[n];
            let category = candidates[n].category;
            if explain {
                // Rules first, then why it is in the pool, then the model's nudge.
                reasons.push(if p.cooccur > 0.0 {
                    let i = p.idx.unwrap_or(usize::MAX);
                    Reason::BoughtWith {
                        items: cart_idx
                            .iter()
                            .filter(|&&c| co.partners(c).any(|(q, _)| q == i))
                            .map(|&c| co.items[c].clone())
                            .collect(),
                    }
                } else if p.affinity > 0.0 {
                    Reason::CategoryAffinity {
                        category: category.unwrap_or_default().to_owned(),
                    }
                } else {
                    Reason::Popular
                });
                if let Some((_, mut m)) = model_reasons.next() {
                    reasons.append(&mut m);
                }
            }
            Ranked {
                id: p.id.clone(),
                score,
                eligible: true,
                reasons,
                name: p.idx.and_then(|i| co.name_of(i)).map(str::to_owned),
                category: category.map(str::to_owned),
            }
        })
        .collect();
    Ranking {
        items,
        fallback: None,
        experiment: assigned,
        model: tag,
    }
}

/// A bad argument to a ranking call. Messages are stable: `rank: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankError(pub String);

impl std::fmt::Display for RankError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "rank: {}", self.0)
    }
}

impl std::error::Error for RankError {}

/// Most payment methods or candidates accepted in one call.
pub const MAX_INPUT: usize = 500;

fn id_of(v: &crate::value::Value, at: &str) -> Result<String, RankError> {
    use crate::value::Value;
    match v {
        Value::Str(s) if !s.is_empty() && s.len() <= 200 => Ok(s.clone()),
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Ok((*n as i64).to_string()),
        _ => Err(RankError(format!("{at} must be a non-empty string"))),
    }
}

/// The optional `type` of a listed option: a short string.
fn kind_of(v: &crate::value::Value, at: &str) -> Result<Option<String>, RankError> {
    match v.field("type") {
        None => Ok(None),
        Some(crate::value::Value::Str(t)) if t.len() <= 100 => Ok(Some(t.clone())),
        Some(_) => Err(RankError(format!("{at} must be a string"))),
    }
}

impl PaymentMethod {
    /// Reads the page's list: `[{id, type?}, …]` (other fields ignored) or `["card", …]`.
    pub fn list_from_value(v: &crate::value::Value) -> Result<Vec<PaymentMethod>, RankError> {
        use crate::value::Value;
        let Value::List(items) = v else {
            return Err(RankError("methods must be an array".into()));
        };
        if items.len() > MAX_INPUT {
            return Err(RankError(format!("more than {MAX_INPUT} methods")));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, m)| match m {
                Value::Map(_) => Ok(PaymentMethod {
                    id: id_of(
                        m.field("id").unwrap_or(&Value::Null),
                        &format!("methods[{i}].id"),
                    )?,
                    kind: kind_of(m, &format!("methods[{i}].type"))?,
                }),
                other => Ok(PaymentMethod {
                    id: id_of(other, &format!("methods[{i}]"))?,
                    kind: None,
                }),
            })
            .collect()
    }
}

impl CrossSellRequest {
    /// Reads `{items?, limit?, candidates?}`; `items` and `candidates` are arrays of ids
    /// or of `{item_id}` / `{id}` objects.
    pub fn from_value(v: &crate::value::Value) -> Result<CrossSellRequest, RankError> {
        use crate::value::Value;
        let ids = |key: &str| -> Result<Option<Vec<String>>, RankError> {
            match v.field(key) {
                None => Ok(None),
                Some(Value::List(l)) if l.len() <= MAX_INPUT => l
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let at = format!("{key}[{i}]");
                        match x {
                            Value::Map(_) => id_of(
                                x.field("item_id").or(x.field("id")).unwrap_or(&Value::Null),
                                &format!("{at}.item_id"),
                            ),
                            other => id_of(other, &at),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(_) => Err(RankError(format!(
                    "{key} must be an array of at most {MAX_INPUT} ids"
                ))),
            }
        };
        match v {
            Value::Null => return Ok(CrossSellRequest::default()),
            Value::Map(_) => {}
            _ => return Err(RankError("the request must be an object".into())),
        }
        let limit = match v.field("limit") {
            None => None,
            Some(Value::Num(n))
                if n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_CROSS_SELLS as f64 =>
            {
                Some(*n as usize)
            }
            Some(_) => {
                return Err(RankError(format!(
                    "limit must be a whole number from 0 to {MAX_CROSS_SELLS}"
                )))
            }
        };
        Ok(CrossSellRequest {
            items: ids("items")?,
            limit,
            candidates: ids("candidates")?,
        })
    }
}

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
    let Some(model) = d.model else {
        return none("noModel", None, None);
    };
    let tag = Some(model_tag(model));
    if model.is_expired(d.signals.now) {
        return none("expired", None, tag);
    }
    let Some(surface) = model.bundle().offers.as_ref() else {
        return none("noHead", None, tag);
    };
    let (assigned, arm_head) = match assignment(model, "offers", d.user_id) {
        Some((a, h)) => (Some(a), h),
        None => (None, None),
    };
    if assigned.as_ref().is_some_and(|a| a.holdout) {
        return none("holdout", assigned, tag);
    }
    if surface
        .frequency_cap
        .is_some_and(|cap| shown_recently >= cap)
    {
        return none("frequencyCap", assigned, tag);
    }
    let cart_value = d.signals.view.cart.value;
    let head = arm_head.or(surface.head.clone());
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

impl Offer {
    /// Reads the page's list: `[{id, type?, cost?, percent?}, …]`.
    pub fn list_from_value(v: &crate::value::Value) -> Result<Vec<Offer>, RankError> {
        use crate::value::Value;
        let Value::List(items) = v else {
            return Err(RankError("offers must be an array".into()));
        };
        if items.len() > MAX_INPUT {
            return Err(RankError(format!("more than {MAX_INPUT} offers")));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let num = |k: &str| match o.field(k) {
                    None => Ok(None),
                    Some(Value::Num(n)) if n.is_finite() && *n >= 0.0 => Ok(Some(*n)),
                    Some(_) => Err(RankError(format!(
                        "offers[{i}].{k} must be a non-negative number"
                    ))),
                };
                Ok(Offer {
                    id: id_of(
                        o.field("id").unwrap_or(&Value::Null),
                        &format!("offers[{i}].id"),
                    )?,
                    kind: kind_of(o, &format!("offers[{i}].type"))?,
                    cost: num("cost")?,
                    percent: num("percent")?,
                })
            })
            .collect()
    }
}

/// One chosen message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChosenMessage {
    pub slot: String,
    pub id: Option<String>,
    pub text: Option<String>,
    /// The language of `text` (`None`: the bundle's default text).
    pub language: Option<String>,
}

/// For each slot, the highest-priority message whose conditions hold, in the shopper's
/// language when the bundle has a translation.
pub fn choose_messages(d: &Decision, slots: &[String]) -> Vec<ChosenMessage> {
    let lang = d
        .signals
        .view
        .context
        .as_ref()
        .and_then(|c| c.language.as_deref());
    slots
        .iter()
        .map(|slot| {
            let pick = d
                .model
                .filter(|m| !m.is_expired(d.signals.now))
                .and_then(|m| {
                    m.bundle()
                        .messages
                        .iter()
                        .zip(&m.message_conds)
                        .filter(|(msg, (conds, seg))| {
                            msg.slot == *slot
                                && all_hold(conds, &d.signals)
                                && seg.is_none_or(|i| all_hold(&m.segments[i], &d.signals))
                        })
                        .fold(
                            None,
                            |best: Option<&crate::model::Message>, (msg, _)| match best {
                                Some(b) if b.priority >= msg.priority => Some(b),
                                _ => Some(msg),
                            },
                        )
                });
            match pick {
                Some(msg) => {
                    let tr = lang.and_then(|l| msg.translations.iter().find(|(tl, _)| tl == l));
                    ChosenMessage {
                        slot: slot.clone(),
                        id: Some(msg.id.clone()),
                        text: Some(tr.map_or(&msg.text, |(_, t)| t).clone()),
                        language: tr.map(|(l, _)| l.clone()),
                    }
                }
                None => ChosenMessage {
                    slot: slot.clone(),
                    id: None,
                    text: None,
                    language: None,
                },
            }
        })
        .collect()
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
            let got: Vec<String> = top_reasons(&features, &contrib)
                .into_iter()
                .map(|r| match r {
                    Reason::Feature { feature, .. } => feature,
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(got, want, "{contrib:?}");
        }
    }
}
