//! `ns:model`: the last good model bundle, so that the next page view decides
//! synchronously, before the network answers (stale-while-revalidate).
//!
//! The value is base64 of the MessagePack array `[url, fetched ms, bundle bytes]` (the
//! bundle as downloaded: a signed envelope stays signed, and is verified again before use).

use crate::base64::base64_encode;
use crate::msgpack::{Reader, Writer};

/// Largest bundle cached, in bytes (its base64 is 4/3 of that in characters).
pub const MAX_CACHED_BYTES: usize = 768 * 1024;
/// Longest URL cached with a bundle.
pub const MAX_URL: usize = 2048;

/// A cached bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    pub url: String,
    pub fetched_ms: i64,
    pub bytes: Vec<u8>,
}

/// The stored value, or `None` when the bundle or URL is too large to cache.
pub fn encode(url: &str, fetched_ms: i64, bytes: &[u8]) -> Option<String> {
    if bytes.len() > MAX_CACHED_BYTES || url.len() > MAX_URL {
        return None;
    }
    let mut w = Writer::new();
    w.array(3);
    w.str(url);
    w.i64(fetched_ms);
    w.bin(bytes);
    Some(base64_encode(&w.into_bytes()))
}

/// The value's bytes (already base64-decoded by the store) as a cached bundle.
pub fn decode(value: &[u8]) -> Option<Cached> {
    let mut r = Reader::new(value);
    (r.array().ok()? == 3).then_some(())?;
    let url = r.str().ok()?.to_owned();
    let fetched_ms = r.i64().ok()?;
    let bytes = r.bin().ok()?.to_vec();
    r.is_at_end().then_some(Cached {
        url,
        fetched_ms,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let v = encode("/m.cpm", 5, b"bundle").unwrap();
        let bytes = crate::base64::base64_decode(&v).unwrap();
        assert_eq!(
            decode(&bytes),
            Some(Cached {
                url: "/m.cpm".into(),
                fetched_ms: 5,
                bytes: b"bundle".to_vec()
            })
        );
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode(b"\x93"), None);
        assert_eq!(encode("/m.cpm", 5, &vec![0; MAX_CACHED_BYTES + 1]), None);
    }
}
