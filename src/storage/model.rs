//! `ns:model`: the last good model bundle, so that the next page view decides
//! synchronously, before the network answers (stale-while-revalidate).
//!
//! The value is `<fetched ms>;<base64 of the URL>;<base64 of the bundle>` (the bundle as
//! downloaded: a signed envelope stays signed, and is verified again before use). The head
//! (time and URL) is read without the bundle, so checking its age costs nothing on the
//! start-up path; the bundle is decoded by the platform where it can.

use crate::base64::{base64_decode, base64_encode};

/// Largest bundle cached, in bytes (its base64 is 4/3 of that in characters).
pub const MAX_CACHED_BYTES: usize = 768 * 1024;
/// Longest URL cached with a bundle.
pub const MAX_URL: usize = 2048;
/// Characters that always hold the head (time, `;`, the URL's base64, `;`).
pub const HEAD_CHARS: usize = 20 + MAX_URL.div_ceil(3) * 4 + 2;

/// The head of a cached bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub fetched_ms: i64,
    pub url: String,
    /// Where the bundle's base64 starts in the value, in characters.
    pub bundle_at: usize,
}

/// The stored value, or `None` when the bundle or URL is too large to cache.
pub fn encode(url: &str, fetched_ms: i64, bytes: &[u8]) -> Option<String> {
    if bytes.len() > MAX_CACHED_BYTES || url.len() > MAX_URL {
        return None;
    }
    Some(format!(
        "{fetched_ms};{};{}",
        base64_encode(url.as_bytes()),
        base64_encode(bytes)
    ))
}

/// Reads the head from the value's first `HEAD_CHARS` characters (`None`: not a value of
/// this layout).
pub fn head(start: &str) -> Option<Head> {
    let (ms, rest) = start.split_once(';')?;
    let (url, _) = rest.split_once(';')?;
    let fetched_ms = ms.parse::<i64>().ok().filter(|t| *t >= 0)?;
    let url = String::from_utf8(base64_decode(url)?).ok()?;
    Some(Head {
        fetched_ms,
        bundle_at: ms.len() + 1 + base64_encode(url.as_bytes()).len() + 1,
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let v = encode("/m.cpm?v=1;2", 5, b"bundle").unwrap();
        let h = head(&v[..v.len().min(HEAD_CHARS)]).unwrap();
        assert_eq!((h.fetched_ms, h.url.as_str()), (5, "/m.cpm?v=1;2"));
        assert_eq!(base64_decode(&v[h.bundle_at..]).unwrap(), b"bundle");
        // The longest URL's head fits in HEAD_CHARS.
        let long = "u".repeat(MAX_URL);
        let v = encode(&long, 1_795_000_000_000, b"b").unwrap();
        assert_eq!(head(&v[..v.len().min(HEAD_CHARS)]).unwrap().url, long);
        assert_eq!(head("!!"), None);
        assert_eq!(head("5;not base64!;x"), None);
        assert_eq!(encode("/m.cpm", 5, &vec![0; MAX_CACHED_BYTES + 1]), None);
    }
}
