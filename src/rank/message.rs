//! Messages: the text for each page slot.

use super::rules::{all_hold, apply_rules};
use super::signals::{Candidate, Signals, Usage};
use super::Decision;
use crate::model::Model;
use serde::Serialize;

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
/// Whether the option a message speaks of (`shipping:express`) is eligible now under its
/// surface's rules (a message never promises what the rules took away).
fn eligible(m: &Model, option: &str, s: &Signals) -> bool {
    let Some((surface, id)) = option.split_once(':') else {
        return false;
    };
    let (config, compiled, usage) = match surface {
        "payment" => (
            m.bundle().payment.as_ref(),
            &m.payment_rules,
            Usage::Payment,
        ),
        "shipping" => (
            m.bundle().shipping.as_ref(),
            &m.shipping_rules,
            Usage::Shipping,
        ),
        _ => return false,
    };
    let Some(config) = config else { return true };
    let c = Candidate {
        id,
        usage,
        ..Candidate::default()
    };
    apply_rules(m, &config.rules, compiled, &s.with_candidate(&c), false).eligible
}

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
                                && msg.requires.iter().all(|r| eligible(m, r, &d.signals))
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
