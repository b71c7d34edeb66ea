//! The MessagePack layout of a `.cpm` bundle: the only code that knows it.
//!
//! A bundle is a map with string keys (`keys.rs` spells every one, for both directions;
//! unknown keys are skipped, so later versions can add fields); large numeric arrays are
//! `bin` blobs of little-endian `u32`/`f64`, so that a 100-tree model decodes with a few
//! copies instead of per-element parsing (a co-occurrence head's partner lists have a compact
//! layout of their own, `partners.rs`). `read` checks only the shape (`decode::validate`
//! checks the meaning); `encode` is the CLI's side. A signed bundle is an envelope around
//! the bundle's bytes. In the feature list, a run of one-hot features that share a source
//! and a label and carry their default names ([`one_hot_name`]) is one array
//! `[source, label | nil, value…]` (format 3).

mod keys;
mod partners;
mod read;
mod write;

pub use partners::snap;

/// The name of a one-hot feature that a one-hot run does not spell out (format 3):
/// `candidate.idCountry=paypal|DE`. Features named so are the ones the writer runs.
pub fn one_hot_name(source: &str, value: &str) -> String {
    format!("{source}={value}")
}
pub use read::read;
pub use write::{encode, encode_envelope};

use super::*;
use crate::model::runtime::DecodeError;
use crate::msgpack::Reader;

type R<T> = Result<T, DecodeError>;

pub(crate) fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "eq",
        Op::Ne => "ne",
        Op::Lt => "lt",
        Op::Le => "le",
        Op::Gt => "gt",
        Op::Ge => "ge",
        Op::In => "in",
        Op::NotIn => "notIn",
        Op::Exists => "exists",
        Op::Missing => "missing",
    }
}

pub(crate) fn op_from_name(s: &str) -> Option<Op> {
    [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::NotIn,
        Op::Exists,
        Op::Missing,
    ]
    .into_iter()
    .find(|&op| op_name(op) == s)
}

/// Magic of a signed bundle: `{magic, alg: "ES256", bundle: bin, signature: bin}`, the
/// signature (ECDSA P-256 with SHA-256, 64 bytes r‖s, as WebCrypto verifies it) over the
/// bundle bytes exactly.
pub const SIGNED_MAGIC: &str = "CPM-SIGNED";
pub const SIGNATURE_ALG: &str = "ES256";

pub struct Envelope<'a> {
    pub alg: &'a str,
    pub bundle: &'a [u8],
    pub signature: &'a [u8],
}

/// The envelope, if `bytes` is a signed bundle (`None` for a plain bundle or anything else).
pub fn read_envelope(bytes: &[u8]) -> Option<Envelope<'_>> {
    let mut r = Reader::new(bytes);
    let n = r.map().ok()?;
    let (mut magic, mut alg, mut bundle, mut signature) = (None, None, None, None);
    for _ in 0..n {
        match r.str().ok()? {
            keys::MAGIC => magic = Some(r.str().ok()?),
            keys::ALG => alg = Some(r.str().ok()?),
            keys::BUNDLE => bundle = Some(r.bin().ok()?),
            keys::SIGNATURE => signature = Some(r.bin().ok()?),
            _ => r.skip().ok()?,
        }
    }
    (magic? == SIGNED_MAGIC && r.is_at_end()).then_some(Envelope {
        alg: alg?,
        bundle: bundle?,
        signature: signature?,
    })
}
