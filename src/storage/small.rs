//! The small stored values: `ns:uid`, `ns:salt`, `ns:traits`, `ns:exported`.
//!
//! Each is stamped with the time it was written, `<ms>;<payload>`, so that it expires like
//! events do (`retentionDays` after it was written). Values written before stamps existed
//! (no `;`) read as written now. Decoding never trusts its input: `None` means "not ours,
//! discard it".

use crate::base64::{base64_decode, base64_encode};
use crate::msgpack::{Reader, Writer};
use crate::traits::Traits;

/// `<written ms>;<payload>`.
pub fn stamp(written: i64, payload: &str) -> String {
    format!("{written};{payload}")
}

/// The time a value was written (`None`: an unstamped value) and its payload.
pub fn unstamp(value: &str) -> (Option<i64>, &str) {
    match value.split_once(';') {
        Some((ms, rest)) => match ms.parse::<i64>() {
            Ok(t) if (0..=9_000_000_000_000_000).contains(&t) => (Some(t), rest),
            _ => (None, value),
        },
        None => (None, value),
    }
}

/// Whether a value written at `written` is past the retention period at `now`.
pub fn expired(written: Option<i64>, now: i64, retention_ms: i64) -> bool {
    written.is_some_and(|t| t < now.saturating_sub(retention_ms))
}

/// A pseudonymous id: letters, digits, `-` and `_`, up to 64 characters.
pub fn valid_uid(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 64
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn decode_uid(payload: &str) -> Option<String> {
    valid_uid(payload).then(|| payload.to_owned())
}

/// The per-browser salt: 32 lowercase hex digits.
pub fn decode_salt(payload: &str) -> Option<String> {
    (payload.len() == 32
        && payload
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then(|| payload.to_owned())
}

/// Traits: a MessagePack array of six (nil for absent), base64.
pub fn encode_traits(t: &Traits) -> String {
    let mut w = Writer::new();
    w.array(6);
    w.opt_str(t.customer.as_deref());
    w.opt_f64(t.logged_in.map(|b| f64::from(u8::from(b))));
    w.opt_str(t.loyalty_tier.as_deref());
    w.opt_f64(t.customer_since.map(|t| t as f64));
    w.opt_str(t.preferred_language.as_deref());
    w.opt_f64(t.b2b.map(|b| f64::from(u8::from(b))));
    base64_encode(&w.into_bytes())
}

pub fn decode_traits(payload: &str) -> Option<Traits> {
    let bytes = base64_decode(payload)?;
    let mut r = Reader::new(&bytes);
    (r.array().ok()? == 6).then_some(())?;
    let own = |x: Option<&str>| x.map(str::to_owned).filter(|s| s.len() <= 64);
    let t = Traits {
        customer: own(r.opt_str().ok()?),
        logged_in: r.opt_f64().ok()?.map(|f| f != 0.0),
        loyalty_tier: own(r.opt_str().ok()?),
        customer_since: r
            .opt_f64()
            .ok()?
            .filter(|f| f.is_finite() && *f >= 0.0 && *f <= 9e15)
            .map(|f| f as i64),
        preferred_language: own(r.opt_str().ok()?),
        b2b: r.opt_f64().ok()?.map(|f| f != 0.0),
    };
    r.is_at_end().then_some(t)
}

/// Exported record ids: little-endian `u64`s, base64.
pub fn encode_ids(ids: &[u64]) -> String {
    let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
    base64_encode(&bytes)
}

/// Sorted and deduplicated; `None` when the value is damaged.
pub fn decode_ids(payload: &str) -> Option<Vec<u64>> {
    let bytes = base64_decode(payload)?;
    if bytes.len() % 8 != 0 {
        return None;
    }
    let mut ids: Vec<u64> = bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect();
    crate::sort::sort_by(&mut ids, Ord::cmp);
    ids.dedup();
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_and_old_values_read_as_unstamped() {
        assert_eq!(unstamp(&stamp(5, "abc")), (Some(5), "abc"));
        assert_eq!(unstamp("abc"), (None, "abc"));
        assert_eq!(unstamp("x;abc"), (None, "x;abc"));
        assert_eq!(unstamp("-1;abc"), (None, "-1;abc"));
        assert!(expired(Some(0), 10, 5));
        assert!(!expired(Some(6), 10, 5));
        assert!(
            !expired(None, 10, 5),
            "an unstamped value is restamped, not dropped"
        );
    }

    #[test]
    fn values_round_trip_and_damage_is_refused() {
        let t = Traits {
            customer: Some("ab12".into()),
            logged_in: Some(true),
            loyalty_tier: Some("gold".into()),
            customer_since: Some(1_700_000_000_000),
            preferred_language: None,
            b2b: Some(false),
        };
        assert_eq!(decode_traits(&encode_traits(&t)), Some(t));
        assert_eq!(decode_traits("!!"), None);
        assert_eq!(decode_ids(&encode_ids(&[3, 1, 3])), Some(vec![1, 3]));
        assert_eq!(decode_ids("AAA"), None);
        assert_eq!(decode_uid("a-b_C9").as_deref(), Some("a-b_C9"));
        assert_eq!(decode_uid("a b"), None);
        assert!(decode_salt(&"0f".repeat(16)).is_some());
        assert!(decode_salt("0F0F").is_none());
    }
}
