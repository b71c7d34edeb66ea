//! The model slot: the one way a model comes into use, and the bundle cache behind it.
//!
//! Every model enters through `ModelSlot::offer`: bytes from the page (`loadModel`), a
//! decoded `Model` (`useModel`), or a `VerifiedBundle`, which only the signature verifier
//! makes (`web/delivery.rs`, with WebCrypto; a test checks nobody else calls
//! `VerifiedBundle::attest`). With a public key configured only verified bundles are
//! accepted; a signed bundle must carry an expiry and is refused when it is older than the
//! one in force (no replay of an old, validly signed bundle). A bad bundle never replaces
//! a good one.
//!
//! The cache (`ns:model`) holds the last good bundle as downloaded (a signed one stays
//! signed). Unsigned, it is checked against the page's `integrity` with SHA-256 here,
//! synchronously, before it is used; signed, the web layer verifies it like a download.

use crate::model::format::read_envelope;
use crate::model::{decode, DecodeError, Model};
use crate::storage::{model as layout, Access};
use crate::store::Store;
use std::rc::Rc;

/// A signed bundle whose signature the platform verified (the envelope as downloaded).
pub struct VerifiedBundle {
    raw: Vec<u8>,
}

impl VerifiedBundle {
    /// For the signature verifier only (`web/delivery.rs`), after it checked `raw`'s
    /// signature against the configured key.
    #[doc(hidden)]
    pub fn attest(raw: Vec<u8>) -> VerifiedBundle {
        VerifiedBundle { raw }
    }

    /// The bundle inside the envelope.
    fn bundle(&self) -> &[u8] {
        read_envelope(&self.raw).map_or(&[][..], |e| e.bundle)
    }
}

/// What a model may come from.
pub enum Offered<'a> {
    /// Bytes from the page (`loadModel`, a download without a key).
    Bytes(&'a [u8]),
    /// A model the page decoded itself (`useModel`): shared, never copied (a `Model` is
    /// immutable once decoded).
    Decoded(Rc<Model>),
    Verified(&'a VerifiedBundle),
}

/// What the page expects of a bundle it loads (`loadModelFromUrl(url, {integrity, id})`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// SRI hashes (`sha256-<base64>`), any of which the bytes must match (`None`: a token
    /// whose digest does not decode, which matches nothing).
    pub integrity: Vec<Option<[u8; 32]>>,
    /// The bundle id the page asked for.
    pub id: Option<String>,
}

impl Expect {
    /// Reads an SRI string: space-separated `sha256-<base64>` tokens (padding optional).
    /// A `sha256-` token whose digest is damaged matches nothing (it fails closed); a string
    /// without any `sha256-` token is an error.
    pub fn integrity(sri: &str) -> Result<Vec<Option<[u8; 32]>>, DecodeError> {
        let hashes: Vec<Option<[u8; 32]>> = sri
            .split_whitespace()
            .filter_map(|t| t.strip_prefix("sha256-"))
            .map(|b64| {
                crate::base64::base64_decode(b64.trim_end_matches('='))
                    .and_then(|d| d.try_into().ok())
            })
            .collect();
        if hashes.is_empty() {
            return Err(DecodeError::Invalid(
                "integrity must be \"sha256-<base64>\"".into(),
            ));
        }
        Ok(hashes)
    }

    fn check_bytes(&self, bytes: &[u8]) -> Result<(), DecodeError> {
        if self.integrity.is_empty() {
            return Ok(());
        }
        let digest = crate::sha256::sha256(bytes);
        if self.integrity.contains(&Some(digest)) {
            Ok(())
        } else {
            Err(DecodeError::Invalid(
                "integrity mismatch: the bundle was not the one expected".into(),
            ))
        }
    }

    fn check_model(&self, m: &Model) -> Result<(), DecodeError> {
        match &self.id {
            Some(id) if *id != m.bundle().id => Err(DecodeError::Invalid(format!(
                "the bundle is \"{}\", not the \"{}\" the page asked for",
                clip(&m.bundle().id),
                clip(id)
            ))),
            _ => Ok(()),
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

#[derive(Default)]
pub struct ModelSlot {
    model: Option<Rc<Model>>,
    /// The model in force came through a verified signature.
    verified: bool,
    require_signature: bool,
    /// What this tab knows the cache holds: url and bytes (kept, not hashed, so the start-up
    /// path does no work for it). A download equal to it is not written again.
    cached: Option<(String, Vec<u8>)>,
}

impl ModelSlot {
    pub fn require_signatures(&mut self) {
        self.require_signature = true;
    }

    pub fn requires_signatures(&self) -> bool {
        self.require_signature
    }

    pub fn model(&self) -> Option<&Model> {
        self.model.as_deref()
    }

    /// The one way in. On any error the model in force stays.
    pub fn offer(&mut self, offered: Offered, expect: &Expect) -> Result<&Model, DecodeError> {
        let verified = matches!(offered, Offered::Verified(_));
        if self.require_signature && !verified {
            return Err(DecodeError::Invalid(
                "a public key is configured: bundles must be signed and are verified asynchronously (use loadModelFromUrl or loadSignedModel)".into(),
            ));
        }
        let m = match offered {
            Offered::Bytes(b) => {
                expect.check_bytes(b)?;
                Rc::new(decode(b)?)
            }
            Offered::Decoded(m) => m,
            Offered::Verified(v) => {
                expect.check_bytes(&v.raw)?;
                let m = decode(v.bundle())?;
                let b = m.bundle();
                if b.expires_ms.is_none() {
                    return Err(DecodeError::Invalid(
                        "a signed bundle must carry an expiry (personalizer build sets it)".into(),
                    ));
                }
                if let Some(cur) = self.model.as_deref().filter(|_| self.verified) {
                    if b.created_ms < cur.bundle().created_ms {
                        return Err(DecodeError::Invalid(
                            "a signed bundle older than the one in force is refused".into(),
                        ));
                    }
                }
                Rc::new(m)
            }
        };
        expect.check_model(&m)?;
        self.verified = verified;
        Ok(self.model.insert(m))
    }

    /// The cache's head (with consent), without its bundle: an expired or damaged entry is
    /// removed.
    pub fn cache_head<S: Store>(
        a: &Access<'_, S>,
        now: i64,
        retention_ms: i64,
    ) -> Option<layout::Head> {
        let key = a.keys().model();
        let start = a.get_head(&key, layout::HEAD_CHARS).ok()??;
        match layout::head(&start) {
            Some(h) if h.fetched_ms >= now.saturating_sub(retention_ms) => Some(h),
            _ => {
                let _ = a.remove(&key);
                None
            }
        }
    }

    /// The cached bundle for `url` as stored (with consent).
    pub fn cached<S: Store>(
        &self,
        a: &Access<'_, S>,
        url: &str,
        now: i64,
        retention_ms: i64,
    ) -> Option<Vec<u8>> {
        let h = Self::cache_head(a, now, retention_ms).filter(|h| h.url == url)?;
        match a.get_base64(&a.keys().model(), h.bundle_at).ok()? {
            Some(Some(bytes)) => Some(bytes),
            Some(None) => {
                let _ = a.remove(&a.keys().model());
                None
            }
            None => None,
        }
    }

    /// Uses the cached bundle for `url` (unsigned mode), checked against `expect` first.
    /// Returns whether it is now in force.
    pub fn use_cached<S: Store>(
        &mut self,
        a: &Access<'_, S>,
        url: &str,
        expect: &Expect,
        now: i64,
        retention_ms: i64,
    ) -> bool {
        if self.require_signature {
            return false;
        }
        let Some(bytes) = self.cached(a, url, now, retention_ms) else {
            return false;
        };
        let ok = self.offer(Offered::Bytes(&bytes), expect).is_ok();
        if ok {
            self.cached = Some((url.to_owned(), bytes));
        }
        ok
    }

    /// A verified cached bundle (signed mode) is in force: the cache needs no rewrite.
    pub fn note_cached(&mut self, url: &str, raw: &[u8]) {
        self.cached = Some((url.to_owned(), raw.to_vec()));
    }

    /// A download: used when good (and `verified` when a key is configured), then cached
    /// (with consent) unless the cache holds it already.
    pub fn downloaded<S: Store>(
        &mut self,
        a: Option<&Access<'_, S>>,
        url: &str,
        raw: &[u8],
        verified: Option<&VerifiedBundle>,
        expect: &Expect,
        now: i64,
    ) -> Result<&Model, DecodeError> {
        match verified {
            Some(v) => self.offer(Offered::Verified(v), expect)?,
            None => self.offer(Offered::Bytes(raw), expect)?,
        };
        if let Some(a) = a {
            let known = self
                .cached
                .as_ref()
                .is_some_and(|(u, b)| u == url && b[..] == raw[..]);
            if !known {
                // A full store only costs the cache: the journal comes first.
                let saved = layout::encode(url, now, raw)
                    .is_some_and(|v| a.set(&a.keys().model(), &v).is_ok());
                self.cached = saved.then(|| (url.to_owned(), raw.to_vec()));
            }
        }
        self.model.as_deref().ok_or(DecodeError::NotABundle)
    }

    /// Another tab wrote or removed the cache, or it was erased: what it holds is unknown.
    pub fn cache_unknown(&mut self) {
        self.cached = None;
    }

    /// What `exportData` reports of the cache: url and download time.
    pub fn cached_info<S: Store>(a: &Access<'_, S>) -> Option<layout::Head> {
        layout::head(&a.get_head(&a.keys().model(), layout::HEAD_CHARS).ok()??)
    }
}
