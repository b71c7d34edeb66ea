//! Who the shopper is, as far as this browser may know: the id experiments hash, the
//! `identify()` traits and the salt of the customer pseudonym.
//!
//! - The user id is the page's (`userId`) or a random pseudonymous one, stored as `ns:uid`
//!   once something else is stored (an empty journal leaves no key), refreshed daily while
//!   in use, expired `retentionDays` after its last use.
//! - A customer id is kept only as `sha256(salt ":" id)`. The salt is the shop's (`idSalt`)
//!   or a random per-browser secret (`ns:salt`, stored with the traits), so a guessed e-mail
//!   address or a sequential id cannot be hashed back to a shopper. The raw id stays in
//!   memory for this page view only, so that the pseudonym follows the salt consent reveals.
//! - Traits (`ns:traits`) expire `retentionDays` after the last `identify()`.

use crate::storage::{small, Access, Storage};
use crate::store::Store;
use crate::traits::{pseudonym, Traits, TraitsError};
use crate::value::Value;

const DAY_MS: i64 = 86_400_000;

pub struct Identity {
    user_id: String,
    from_page: bool,
    /// When `ns:uid` was last written by us or read (`None`: not stored).
    uid_written: Option<i64>,
    traits: Traits,
    /// The raw customer id of this page view (never stored, never returned).
    customer_raw: Option<String>,
    /// The page's salt (`idSalt`): nothing about it is stored.
    page_salt: Option<String>,
    /// The per-browser salt, and whether `ns:salt` holds it.
    salt: String,
    salt_stored: bool,
    /// When `ns:traits` was last written (`None`: not stored).
    traits_written: Option<i64>,
    /// Random bits for ids and salts (from the platform's CSPRNG in the browser).
    secret: [u8; 16],
}

/// 16 hex digits (64 bits) of `sha256(label ":" secret)`: the id and the salt come from
/// the same random bits without revealing each other.
fn derive(label: &str, secret: &[u8]) -> String {
    let mut input = label.as_bytes().to_vec();
    input.push(b':');
    input.extend_from_slice(secret);
    crate::sha256::hex(&crate::sha256::sha256(&input)[..8])
}

impl Identity {
    /// `secret`: 128 random bits (the browser's CSPRNG; tests pass fixed bits).
    pub fn new(secret: [u8; 16], page_salt: Option<String>) -> Identity {
        Identity {
            user_id: derive("uid", &secret),
            from_page: false,
            uid_written: None,
            traits: Traits::default(),
            customer_raw: None,
            page_salt,
            salt: derive("salt", &secret) + &derive("salt2", &secret),
            salt_stored: false,
            traits_written: None,
            secret,
        }
    }

    /// Uses the page's own id for experiments (e.g. the id its GrowthBook SDK uses).
    pub fn set_user_id(&mut self, id: String) {
        self.user_id = id;
        self.from_page = true;
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn traits(&self) -> &Traits {
        &self.traits
    }

    fn salt(&self) -> &str {
        self.page_salt.as_deref().unwrap_or(&self.salt)
    }

    /// `{customer_id?, traits?}` over what is known (whitelisted; the id only as a salted
    /// pseudonym).
    pub fn identify(&mut self, v: &Value) -> Result<(), TraitsError> {
        let (traits, raw) = self.traits.merged_from(v, self.salt())?;
        self.traits = traits;
        if raw.is_some() {
            self.customer_raw = raw;
        }
        self.traits_written = None;
        Ok(())
    }

    /// With the gate open: adopts the stored id, salt and traits (those set on this page
    /// win), drops what expired, and stores what is new.
    pub fn open<S: Store>(&mut self, storage: &Storage<S>, now: i64, retention_ms: i64) {
        let Some(a) = storage.access() else { return };
        let keys = a.keys().clone();
        let read = |key: &str| a.get(key).ok().flatten();
        // The id.
        if let Some(v) = read(&keys.uid()) {
            let (written, payload) = small::unstamp(&v);
            match small::decode_uid(payload) {
                Some(id) if !small::expired(written, now, retention_ms) => {
                    if !self.from_page {
                        self.user_id = id;
                    }
                    self.uid_written = Some(written.unwrap_or(0));
                }
                _ => {
                    let _ = a.remove(&keys.uid());
                }
            }
        }
        // The salt, before the traits: the pseudonym follows it.
        if let Some(v) = read(&keys.salt()) {
            let (written, payload) = small::unstamp(&v);
            match small::decode_salt(payload) {
                Some(s) if !small::expired(written, now, retention_ms) => {
                    self.salt = s;
                    self.salt_stored = true;
                }
                _ => {
                    let _ = a.remove(&keys.salt());
                }
            }
        }
        if let Some(raw) = &self.customer_raw {
            self.traits.customer = Some(pseudonym(self.salt(), raw));
        }
        if let Some(v) = read(&keys.traits()) {
            let (written, payload) = small::unstamp(&v);
            match small::decode_traits(payload) {
                Some(t) if !small::expired(written, now, retention_ms) => {
                    let fresh = self.traits == Traits::default();
                    self.traits = std::mem::take(&mut self.traits).or(t);
                    if fresh {
                        self.traits_written = Some(written.unwrap_or(0));
                    }
                }
                _ => {
                    let _ = a.remove(&keys.traits());
                }
            }
        }
        self.persist(&a, now, false);
    }

    /// Stores what is not stored yet: traits (with the salt they need), and the id once
    /// anything else of ours is stored (`has_events`: the journal holds records).
    pub fn persist<S: Store>(&mut self, a: &Access<'_, S>, now: i64, has_events: bool) {
        let keys = a.keys().clone();
        let has_traits = self.traits != Traits::default();
        if has_traits && self.traits_written.is_none() {
            if self.traits.customer.is_some() && self.page_salt.is_none() && !self.salt_stored {
                self.salt_stored = a.set(&keys.salt(), &small::stamp(now, &self.salt)).is_ok();
            }
            let value = small::stamp(now, &small::encode_traits(&self.traits));
            if a.set(&keys.traits(), &value).is_ok() {
                self.traits_written = Some(now);
            }
        }
        let stale = self.uid_written.is_some_and(|t| now - t >= DAY_MS);
        if (has_events || has_traits) && !self.from_page && (self.uid_written.is_none() || stale) {
            // Another tab may have stored one since: adopt it rather than overwrite it.
            if self.uid_written.is_none() {
                if let Some(id) = a
                    .get(&keys.uid())
                    .ok()
                    .flatten()
                    .and_then(|v| small::decode_uid(small::unstamp(&v).1))
                {
                    self.user_id = id;
                }
            }
            if a.set(&keys.uid(), &small::stamp(now, &self.user_id))
                .is_ok()
            {
                self.uid_written = Some(now);
            }
        }
    }

    /// Another tab stored traits: adopt them under ours.
    pub fn merge_stored_traits(&mut self, value: &str) {
        if let Some(t) = small::decode_traits(small::unstamp(value).1) {
            self.traits = std::mem::take(&mut self.traits).or(t);
        }
    }

    /// Whether the id was stored (what `exportData` reports).
    pub fn stored_user_id(&self) -> Option<&str> {
        self.uid_written.map(|_| self.user_id.as_str())
    }

    /// The store was erased: everything must be stored again if the gate opens again.
    pub fn store_erased(&mut self) {
        self.uid_written = None;
        self.traits_written = None;
        self.salt_stored = false;
    }

    /// Forgets the shopper: traits, the customer id, and (unless it is the page's) the id;
    /// a new id and a new salt follow, unrelated to the forgotten ones.
    pub fn forget(&mut self) {
        self.store_erased();
        self.traits = Traits::default();
        self.customer_raw = None;
        // New bits: the next secret is a one-way step from this one.
        let next = crate::sha256::sha256(&self.secret);
        self.secret.copy_from_slice(&next[..16]);
        self.salt = derive("salt", &self.secret) + &derive("salt2", &self.secret);
        if !self.from_page {
            self.user_id = derive("uid", &self.secret);
        }
    }
}
