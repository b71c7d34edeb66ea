//! The last good model bundle, kept in the store so that the next page view decides
//! synchronously, before the network answers (stale-while-revalidate).
//!
//! One key, `ns:model`: base64 of the MessagePack array `[url, fetched_ms, bundle bytes]`.
//! A value that does not decode, or is for another URL, is not used (and a damaged one is
//! removed). Only written with consent (the tracker checks); `forget()` removes it with the
//! rest of the namespace. Expiry is the bundle's own (`Model::is_expired`).

use crate::base64::base64_encode;
use crate::msgpack::{Reader, Writer};
use crate::store::{Store, StoreError};

/// Largest bundle cached, in bytes (its base64 is 4/3 of that in characters).
pub const MAX_CACHED_BYTES: usize = 768 * 1024;

pub fn key(namespace: &str) -> String {
    format!("{namespace}:model")
}

/// The cached bundle for `url`, if one is stored and intact.
pub fn load<S: Store + ?Sized>(store: &S, namespace: &str, url: &str) -> Option<Vec<u8>> {
    let k = key(namespace);
    let value = store.get_base64(&k).ok()??;
    let parsed = value.and_then(|b| {
        let mut r = Reader::new(&b);
        (r.array().ok()? == 3).then_some(())?;
        let u = r.str().ok()?.to_owned();
        let _fetched = r.i64().ok()?;
        let bytes = r.bin().ok()?.to_vec();
        r.is_at_end().then_some((u, bytes))
    });
    match parsed {
        Some((u, bytes)) if u == url => Some(bytes),
        Some(_) => None,
        None => {
            let _ = store.remove(&k);
            None
        }
    }
}

/// Stores `bytes` as the last good bundle for `url`. Too large a bundle is not cached.
pub fn save<S: Store + ?Sized>(
    store: &S,
    namespace: &str,
    url: &str,
    bytes: &[u8],
    now: i64,
) -> Result<bool, StoreError> {
    if bytes.len() > MAX_CACHED_BYTES || url.len() > 2048 {
        return Ok(false);
    }
    let mut w = Writer::new();
    w.array(3);
    w.str(url);
    w.i64(now);
    w.bin(bytes);
    store.set(&key(namespace), &base64_encode(&w.into_bytes()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn round_trip_url_match_and_damage() {
        let s = MemoryStore::new();
        assert_eq!(load(&s, "cp", "/m.cpm"), None);
        assert_eq!(save(&s, "cp", "/m.cpm", b"bundle", 5), Ok(true));
        assert_eq!(load(&s, "cp", "/m.cpm").as_deref(), Some(&b"bundle"[..]));
        assert_eq!(
            load(&s, "cp", "/other.cpm"),
            None,
            "another URL's bundle is not used"
        );
        assert!(s.get("cp:model").unwrap().is_some(), "but it is kept");
        s.set("cp:model", "!!garbage").unwrap();
        assert_eq!(load(&s, "cp", "/m.cpm"), None);
        assert_eq!(
            s.get("cp:model").unwrap(),
            None,
            "damaged values are removed"
        );
        assert_eq!(
            save(&s, "cp", "/m.cpm", &vec![0; MAX_CACHED_BYTES + 1], 5),
            Ok(false)
        );
    }
}
