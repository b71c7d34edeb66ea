//! Conditions, segments, a surface's rules and pins: what moves a candidate besides the
//! model.

use super::signals::{Candidate, Signals};
use super::Reason;
use crate::model::features::Inputs;
use crate::model::runtime::{CompiledRule, Cond};
use crate::model::{Action, CondValue, Model, Op, Rule};
use crate::sort;

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

pub(super) fn all_hold(cs: &[Cond], s: &Signals) -> bool {
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

/// What the rules of a surface did to one candidate.
pub(super) struct RuleOutcome {
    pub eligible: bool,
    pub boost: f64,
    /// `(position, priority)` of the strongest pin.
    pub pin: Option<(usize, i32)>,
    /// One reason per rule that acted, in rule order.
    pub reasons: Vec<Reason>,
}

/// Applies a surface's rules to the candidate in `s`. `explain_eligible`: a satisfied
/// eligibility rule is itself a reason (offers show it; lists would only be cluttered).
pub(super) fn apply_rules(
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

/// Places pinned entries (`(index into list, position, priority)`) at their positions,
/// higher priority first; the rest keep their relative order.
pub(super) fn apply_pins<T>(list: Vec<T>, mut pins: Vec<(usize, usize, i32)>) -> Vec<T> {
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
