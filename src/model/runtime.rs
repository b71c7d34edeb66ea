//! The decoded model evaluation reads: the validated `Bundle` with what `decode` derived
//! from it (resolved sources, compiled rules and conditions, label groups). Only
//! `decode::validate` makes one; nothing here sees bytes.

use super::features::Source;
use super::*;
use std::fmt;

/// Why a bundle was refused. Messages are stable: `model: …`.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    TooLarge {
        bytes: usize,
        limit: usize,
    },
    NotABundle,
    UnsupportedVersion(u32),
    Malformed {
        field: String,
        what: &'static str,
        at: usize,
    },
    Invalid(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DecodeError::TooLarge { bytes, limit } => write!(
                f,
                "model: bundle of {bytes} bytes exceeds the limit of {limit}"
            ),
            DecodeError::NotABundle => write!(f, "model: not a checkout-personalizer bundle"),
            DecodeError::UnsupportedVersion(v) => {
                write!(f, "model: unsupported format version {v}")
            }
            DecodeError::Malformed { field, what, at } => {
                write!(f, "model: malformed \"{field}\": {what} at byte {at}")
            }
            DecodeError::Invalid(why) => write!(f, "model: {why}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A condition with its source resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub source: Source,
    pub op: Op,
    pub value: CondValue,
}

/// A validated bundle. Only `decode`/`validate` make one; evaluation takes `&Model`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub(super) bundle: Bundle,
    pub(crate) sources: Vec<Source>,
    /// The one-hot features by source and value (for `features::vector`).
    pub(crate) one_hots: super::features::OneHots,
    pub(crate) segments: Vec<Vec<Cond>>,
    pub(crate) payment_rules: Vec<CompiledRule>,
    pub(crate) cross_sell_rules: Vec<CompiledRule>,
    pub(crate) shipping_rules: Vec<CompiledRule>,
    pub(crate) offer_rules: Vec<CompiledRule>,
    /// Per message: its conditions and its segment (index).
    pub(crate) message_conds: Vec<(Vec<Cond>, Option<usize>)>,
    /// Per feature: the first feature with the same label (itself when it has none), so a
    /// label is given as one reason, however many features carry it.
    pub(crate) label_group: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRule {
    pub when: Vec<Cond>,
    /// Index into the bundle's segments.
    pub segment: Option<usize>,
    /// `EligibleIf` conditions.
    pub eligible: Vec<Cond>,
}

impl Model {
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    pub fn head(&self, name: &str) -> Option<&Head> {
        self.bundle.heads.iter().find(|h| h.name == name)
    }

    pub fn is_expired(&self, now: i64) -> bool {
        self.bundle.expires_ms.is_some_and(|e| now >= e)
    }
}
