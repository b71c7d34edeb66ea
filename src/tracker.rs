//! The tracker: consent, the journal and the live profile, kept consistent.
//!
//! `Tracker<S>` is the whole of `Personalizer`'s behaviour without the browser: the web layer
//! only supplies a `Store`, the clock and the page signals, and forwards events. Consent is
//! enforced here: until it is granted the journal does not touch the store at all (no read,
//! no write); events are kept in memory and persisted once consent arrives; withdrawing
//! consent erases what was stored. Pure apart from the `Store` it is given.

use crate::context::{Context, ContextOverride, PageSignals};
use crate::event::{Event, EventError};
use crate::event::{EventType, Exposure};
use crate::journal::{Journal, JournalConfig, JournalStats, MemoryReason};
use crate::model::features::Signals;
use crate::model::{DecodeError, Model};
use crate::profile::{ProfileConfig, ProfileView, SessionProfile};
use crate::rank::{self, Assignment, CrossSellRequest, Decision, PaymentMethod, Ranking};
use crate::store::Store;
use crate::value::Value;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    Granted,
    Denied,
    Pending,
}

impl Consent {
    pub fn parse(s: &str) -> Result<Consent, ConfigError> {
        match s {
            "granted" => Ok(Consent::Granted),
            "denied" => Ok(Consent::Denied),
            "pending" => Ok(Consent::Pending),
            _ => Err(ConfigError(format!(
                "consent must be 'granted', 'denied' or 'pending', got \"{}\"",
                s.chars().take(40).collect::<String>()
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackerConfig {
    pub journal: JournalConfig,
    pub profile: ProfileConfig,
}

impl TrackerConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let ns = &self.journal.namespace;
        if ns.is_empty()
            || ns.len() > 32
            || !ns
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ConfigError(
                "namespace must be 1 to 32 letters, digits, '_' or '-'".into(),
            ));
        }
        if self.journal.max_events == 0 || self.journal.max_chars < 1024 {
            return Err(ConfigError(
                "maxEvents must be at least 1 and maxBytes at least 1024".into(),
            ));
        }
        if self.journal.retention_ms <= 0 {
            return Err(ConfigError("retentionDays must be positive".into()));
        }
        let p = &self.profile;
        if p.session_timeout_ms <= 0
            || !(p.short_half_life_ms > 0.0 && p.short_half_life_ms.is_finite())
            || !(p.long_half_life_ms > 0.0 && p.long_half_life_ms.is_finite())
        {
            return Err(ConfigError(
                "session timeout and half-lives must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// A bad option passed to the constructor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "config: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// What `status()` returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub consent: Consent,
    /// `"local"` when events are written to durable storage, else `"memory"`.
    pub storage: &'static str,
    /// Why events are only in memory.
    pub memory_reason: Option<MemoryReason>,
    pub events: usize,
    /// Encoded size of the journal, in characters.
    pub bytes: usize,
    /// Events not yet written.
    pub pending_write: bool,
    pub stats: JournalStats,
}

pub struct Tracker<S: Store> {
    journal: Journal<S>,
    profile: SessionProfile,
    consent: Consent,
    signals: Option<PageSignals>,
    context_override: ContextOverride,
    model: Option<Model>,
    /// The id experiments hash: the page's (`userId`), else a pseudonymous one.
    user_id: String,
    user_id_from_page: bool,
    /// Experiments whose exposure this page view has logged.
    exposed: Vec<String>,
    /// A public key is configured: unsigned or unverified bundles are refused.
    require_signature: bool,
    traits: crate::traits::Traits,
    /// Salt of the customer-id pseudonym.
    id_salt: String,
    /// What this tab knows the model cache holds: url and bundle (kept, not hashed: the
    /// start-up path does no work for it). A download equal to it is not written again
    /// (hundreds of KB on every page view).
    cached_model: Option<(String, Vec<u8>)>,
}

impl<S: Store> Tracker<S> {
    /// A tracker for one page view. With consent granted it restores the stored journal now.
    pub fn new(store: S, cfg: TrackerConfig, tab: u32, consent: Consent, now: i64) -> Self {
        let mut t = Tracker {
            journal: Journal::new(store, cfg.journal, tab),
            profile: SessionProfile::new(cfg.profile),
            consent: Consent::Pending,
            signals: None,
            context_override: ContextOverride::default(),
            model: None,
            user_id: anonymous_id(tab, 0),
            user_id_from_page: false,
            exposed: Vec::new(),
            require_signature: false,
            traits: crate::traits::Traits::default(),
            id_salt: String::new(),
            cached_model: None,
        };
        t.id_salt = format!("checkout-personalizer:{}", t.journal.config().namespace);
        t.set_consent(consent, now);
        t
    }

    /// A tracker configured by the constructor options (user id and context are in place
    /// before consent is applied).
    pub fn from_options(store: S, o: &crate::options::Options, tab: u32, now: i64) -> Self {
        let mut t = Tracker::new(store, o.tracker.clone(), tab, Consent::Pending, now);
        if let Some(id) = &o.user_id {
            t.set_user_id(id.clone());
        }
        t.set_context_override(o.context.clone());
        if o.public_key.is_some() {
            t.require_signatures();
        }
        if let Some(salt) = &o.id_salt {
            t.id_salt = salt.clone();
        }
        t.set_consent(o.consent, now);
        t
    }

    pub fn consent(&self) -> Consent {
        self.consent
    }

    pub fn journal(&self) -> &Journal<S> {
        &self.journal
    }

    /// The raw page signals the context is derived from (at each decision's `now`).
    pub fn set_signals(&mut self, signals: PageSignals) {
        self.signals = Some(signals);
    }

    /// Fields set explicitly over the derived context (replacing earlier ones; a field not
    /// given is derived again).
    pub fn set_context_override(&mut self, o: ContextOverride) {
        self.context_override = o;
    }

    /// Runs `f` with `o` over the context, for one decision only.
    pub fn with_context<T>(
        &mut self,
        o: Option<&ContextOverride>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let Some(o) = o else { return f(self) };
        let saved = self.context_override.clone();
        self.context_override = saved.merged(o);
        let out = f(self);
        self.context_override = saved;
        out
    }

    fn context(&self, now: i64) -> Option<Context> {
        let overridden = self.context_override != ContextOverride::default();
        let base = match &self.signals {
            Some(s) => Some(Context::derive(s, now)),
            None if overridden => Some(Context::derive(&PageSignals::default(), now)),
            None => None,
        };
        base.map(|mut c| {
            self.context_override.apply(&mut c);
            c
        })
    }

    /// Uses the page's own id for experiments (e.g. the id its GrowthBook SDK uses).
    pub fn set_user_id(&mut self, id: String) {
        self.user_id = id;
        self.user_id_from_page = true;
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Adopts the stored pseudonymous id, or offers ours for storing.
    fn sync_user_id(&mut self) {
        if self.user_id_from_page {
            return;
        }
        match self.journal.uid() {
            Some(stored) => self.user_id = stored.to_owned(),
            None => self.journal.set_uid(&self.user_id.clone()),
        }
    }

    fn traits_key(&self) -> String {
        format!("{}:traits", self.journal.config().namespace)
    }

    /// With consent: adopts stored traits (those set on this page win) and stores the result.
    fn sync_traits(&mut self) {
        if self.consent != Consent::Granted || self.journal.fault().is_some() {
            return;
        }
        let key = self.traits_key();
        let stored = self.journal.store().get(&key).ok().flatten();
        if let Some(t) = stored.as_deref().and_then(crate::traits::Traits::decode) {
            let mine = std::mem::take(&mut self.traits);
            self.traits = crate::traits::Traits {
                customer: mine.customer.or(t.customer),
                logged_in: mine.logged_in.or(t.logged_in),
                loyalty_tier: mine.loyalty_tier.or(t.loyalty_tier),
                customer_since: mine.customer_since.or(t.customer_since),
                preferred_language: mine.preferred_language.or(t.preferred_language),
                b2b: mine.b2b.or(t.b2b),
            };
        } else if stored.is_some() {
            let _ = self.journal.store().remove(&key);
        }
        self.store_traits();
    }

    fn store_traits(&self) {
        if self.consent != Consent::Granted
            || self.journal.fault().is_some()
            || self.traits == crate::traits::Traits::default()
        {
            return;
        }
        let _ = self
            .journal
            .store()
            .set(&self.traits_key(), &self.traits.encode());
    }

    /// What the storefront knows: `{customer_id?, traits?}` (whitelisted; the id is only
    /// kept as a salted pseudonym). Stored with consent; cleared by `forget()`.
    pub fn identify(&mut self, v: &Value) -> Result<(), crate::traits::TraitsError> {
        self.traits = self.traits.merged_from(v, &self.id_salt)?;
        self.store_traits();
        Ok(())
    }

    pub fn traits(&self) -> &crate::traits::Traits {
        &self.traits
    }

    /// Requires every bundle to be signed and its signature checked by the caller
    /// (`load_verified_model`): the page configured a public key.
    pub fn require_signatures(&mut self) {
        self.require_signature = true;
    }

    pub fn requires_signatures(&self) -> bool {
        self.require_signature
    }

    fn refuse_unverified(&self) -> Result<(), DecodeError> {
        if self.require_signature {
            return Err(DecodeError::Invalid(
                "a public key is configured: bundles must be signed and are verified asynchronously (use loadModelFromUrl or loadSignedModel)".into(),
            ));
        }
        Ok(())
    }

    /// Decodes and uses a model bundle; on any error the previous model stays in force.
    pub fn load_model(&mut self, bytes: &[u8]) -> Result<&Model, DecodeError> {
        self.refuse_unverified()?;
        let m = crate::model::decode(bytes)?;
        Ok(self.model.insert(m))
    }

    /// Uses a bundle whose signature the caller has verified.
    pub fn load_verified_model(&mut self, bundle: &[u8]) -> Result<&Model, DecodeError> {
        let m = crate::model::decode(bundle)?;
        Ok(self.model.insert(m))
    }

    /// With consent: uses the cached bundle for `url` if it decodes (synchronously, before
    /// any download). Returns whether a cached model is now in force.
    pub fn load_cached_model(&mut self, url: &str) -> bool {
        if self.consent != Consent::Granted
            || self.journal.fault().is_some()
            || self.require_signature
        {
            return false;
        }
        let ns = &self.journal.config().namespace;
        let Some(bytes) = crate::model_cache::load(self.journal.store(), ns, url) else {
            return false;
        };
        let ok = self.load_model(&bytes).is_ok();
        if ok {
            self.cached_model = Some((url.to_owned(), bytes));
        }
        ok
    }

    /// The cached bundle for `url` (with consent), for callers that verify it first.
    pub fn cached_model_bytes(&self, url: &str) -> Option<Vec<u8>> {
        if self.consent != Consent::Granted || self.journal.fault().is_some() {
            return None;
        }
        crate::model_cache::load(self.journal.store(), &self.journal.config().namespace, url)
    }

    /// Decodes a downloaded bundle; if it is good, uses it and (with consent) caches it.
    /// `verified`: the caller checked its signature (required when a key is configured).
    pub fn load_downloaded_model(
        &mut self,
        url: &str,
        bytes: &[u8],
        now: i64,
        verified: bool,
    ) -> Result<&Model, DecodeError> {
        if !verified {
            self.refuse_unverified()?;
        }
        let m = crate::model::decode(bytes)?;
        if self.consent == Consent::Granted && self.journal.fault().is_none() {
            let known = self
                .cached_model
                .as_ref()
                .is_some_and(|(u, b)| u == url && b[..] == bytes[..]);
            if !known {
                let ns = self.journal.config().namespace.clone();
                // A full store only costs the cache: the journal comes first.
                let saved = crate::model_cache::save(self.journal.store(), &ns, url, bytes, now);
                self.cached_model = (saved == Ok(true)).then(|| (url.to_owned(), bytes.to_vec()));
            }
        }
        Ok(self.model.insert(m))
    }

    pub fn set_model(&mut self, m: Model) {
        self.model = Some(m);
    }

    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    /// The profile view at `now`, with traits; `interest`: with the top-interest lists
    /// (for `profile()`; decisions never read them).
    fn view(&self, now: i64, interest: bool) -> ProfileView {
        let context = self.context(now);
        let mut view = if interest {
            self.profile.view(now, context.as_ref())
        } else {
            self.profile.decision_view(now, context.as_ref())
        };
        if self.traits != crate::traits::Traits::default() {
            view.traits = Some(self.traits.clone());
        }
        view
    }

    fn with_decision<T>(&self, now: i64, f: impl FnOnce(&Decision) -> T) -> T {
        let view = self.view(now, false);
        let d = Decision {
            model: self.model.as_ref(),
            signals: Signals {
                view: &view,
                profile: &self.profile,
                now,
                candidate: None,
            },
            user_id: &self.user_id,
        };
        f(&d)
    }

    /// Records the exposure of an experiment arm once per page view.
    fn log_exposure(&mut self, a: &Option<Assignment>, now: i64) {
        let Some(a) = a else { return };
        if self.exposed.contains(&a.experiment) {
            return;
        }
        self.exposed.push(a.experiment.clone());
        let mut e = Event::new(EventType::Exposure, now);
        e.exposure = Some(Exposure {
            experiment: a.experiment.clone(),
            arm: a.arm.clone(),
            variation: a.variation,
        });
        if e.is_valid() {
            self.journal.append(e);
        }
    }

    /// Orders the page's payment methods (a permutation of them, always).
    pub fn rank_payment_methods(&mut self, methods: &[PaymentMethod], now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_payment_methods(d, methods, true));
        self.log_exposure(&r.experiment, now);
        r
    }

    /// Orders the page's shipping options (a permutation of them, always).
    pub fn rank_shipping_options(&mut self, options: &[PaymentMethod], now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_shipping_options(d, options, true));
        self.log_exposure(&r.experiment, now);
        r
    }

    /// At most one offer (see `rank::choose_offer`); a chosen offer is recorded (once per
    /// page view) for the frequency cap.
    pub fn choose_offer(&mut self, offers: &[rank::Offer], now: i64) -> rank::OfferDecision {
        let window = self
            .model
            .as_ref()
            .and_then(|m| m.bundle().offers.as_ref())
            .and_then(|o| o.frequency_days)
            .unwrap_or(30.0);
        let since = now - (window * 86_400_000.0) as i64;
        let shown = self
            .journal
            .events()
            .filter(|e| {
                e.ts >= since
                    && e.exposure
                        .as_ref()
                        .is_some_and(|x| x.experiment == OFFER_EXPOSURE)
            })
            .count() as u32;
        let d = self.with_decision(now, |d| rank::choose_offer(d, offers, shown));
        self.log_exposure(&d.experiment, now);
        if let Some(id) = &d.offer {
            let key = format!("{OFFER_EXPOSURE}:{id}");
            if !self.exposed.contains(&key) {
                self.exposed.push(key);
                let mut e = Event::new(EventType::Exposure, now);
                e.exposure = Some(Exposure {
                    experiment: OFFER_EXPOSURE.into(),
                    arm: id.chars().take(100).collect(),
                    variation: 0,
                });
                if e.is_valid() {
                    self.journal.append(e);
                }
            }
        }
        d
    }

    fn exported_key(&self) -> String {
        format!("{}:exported", self.journal.config().namespace)
    }

    /// Record ids already exported (stored with consent).
    fn exported_ids(&self) -> Vec<u64> {
        self.journal
            .store()
            .get(&self.exported_key())
            .ok()
            .flatten()
            .map(|s| crate::export::decode_ids(&s))
            .unwrap_or_default()
    }

    /// The next batch of not-yet-exported events (consent required), up to `max`.
    pub fn export_batch(&self, max: usize) -> Option<crate::export::Batch<'_>> {
        if self.consent != Consent::Granted {
            return None;
        }
        let exported = self.exported_ids();
        crate::export::next_batch(self.journal.records(), &exported, max.max(1))
    }

    /// Records that these events were delivered (they are never exported again).
    pub fn mark_exported(&mut self, ids: &[u64]) {
        if self.consent != Consent::Granted {
            return;
        }
        let key = self.exported_key();
        let mut exported = self.exported_ids();
        let mut held: Vec<u64> = self.journal.records().map(|(id, _)| id).collect();
        crate::sort::sort_by(&mut held, Ord::cmp);
        crate::export::mark(&mut exported, ids, &|id| held.binary_search(&id).is_ok());
        let _ = self
            .journal
            .store()
            .set(&key, &crate::export::encode_ids(&exported));
    }

    /// The message for each slot.
    pub fn choose_messages(&self, slots: &[String], now: i64) -> Vec<rank::ChosenMessage> {
        self.with_decision(now, |d| rank::choose_messages(d, slots))
    }

    /// Items to offer with the cart.
    pub fn rank_cross_sells(&mut self, req: &CrossSellRequest, now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_cross_sells(d, req, true));
        self.log_exposure(&r.experiment, now);
        r
    }

    /// The bundle's segments the shopper is in now.
    pub fn segments(&self, now: i64) -> Vec<String> {
        match &self.model {
            Some(m) => self.with_decision(now, |d| rank::segments(m, &d.signals)),
            None => Vec::new(),
        }
    }

    /// The arm of experiment `key` for this shopper, without logging an exposure.
    pub fn assignment(&self, key: &str) -> Option<Assignment> {
        self.model
            .as_ref()
            .and_then(|m| rank::assignment_for(m, key, &self.user_id))
    }

    fn rebuild_profile(&mut self) {
        self.profile = SessionProfile::rebuild(*self.profile.config(), self.journal.events());
    }

    /// Grants, denies or leaves pending. Granting opens the store and persists what was kept
    /// in memory; leaving `granted` erases every stored key (events stay in memory for this
    /// page view only). Returns how many stored keys were erased.
    pub fn set_consent(&mut self, consent: Consent, now: i64) -> usize {
        let before = self.consent;
        self.consent = consent;
        match (before, consent) {
            (_, Consent::Granted) => {
                let had = self.journal.len();
                self.journal.open(now);
                self.sync_user_id();
                self.sync_traits();
                self.journal.flush(now);
                if self.journal.len() != had || self.journal.stats().restored > 0 {
                    self.rebuild_profile();
                }
                0
            }
            (Consent::Granted, _) => {
                self.cached_model = None;
                self.journal.erase_store().unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// Validates and records an event from the page.
    pub fn track(&mut self, value: &Value, now: i64) -> Result<u64, EventError> {
        let event = Event::from_value(value, now)?;
        self.track_event(event, now)
    }

    /// Records an already-built event (retention is still checked).
    pub fn track_event(&mut self, event: Event, now: i64) -> Result<u64, EventError> {
        if !event.is_valid() {
            return Err(EventError::Invalid {
                field: "event".into(),
                why: "is not a valid event".into(),
            });
        }
        if !self.journal.retains(event.ts, now) {
            return Err(EventError::Invalid {
                field: "ts".into(),
                why: "is older than the retention period".into(),
            });
        }
        self.profile.apply(&event);
        Ok(self.journal.append(event))
    }

    pub fn flush(&mut self, now: i64) {
        self.journal.flush(now);
    }

    pub fn profile(&self, now: i64) -> ProfileView {
        self.view(now, true)
    }

    /// A `storage` event from another tab (`key: None` means storage was cleared).
    pub fn on_storage_event(&mut self, key: Option<&str>, new_value: Option<&str>, now: i64) {
        let model_key = crate::model_cache::key(&self.journal.config().namespace);
        if key.is_none_or(|k| k == model_key) {
            // Another tab wrote or removed the cache: what it holds is no longer known.
            self.cached_model = None;
        }
        let changed = match (key, new_value) {
            (Some(k), Some(v)) => self.journal.merge_external(k, v, now),
            (k, None) => self.journal.removed_external(k),
            (None, Some(_)) => false,
        };
        if changed {
            self.rebuild_profile();
        }
    }

    /// Erases everything: every stored key in our namespace and the in-memory journal and
    /// profile. Consent stays as it is; later events are stored again if it is granted.
    /// Returns how many stored keys were removed.
    pub fn forget(&mut self, now: i64) -> usize {
        self.journal.clear_memory();
        self.cached_model = None;
        let removed = self.journal.erase_store().unwrap_or(0);
        self.profile = SessionProfile::new(*self.profile.config());
        self.exposed.clear();
        self.traits = crate::traits::Traits::default();
        if !self.user_id_from_page {
            // A new pseudonymous identity: nothing links it to the forgotten one.
            self.user_id = anonymous_id(self.journal.tab(), now as u64);
        }
        if self.consent == Consent::Granted {
            self.journal.open(now);
            self.sync_user_id();
        }
        removed
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.journal.events()
    }

    pub fn status(&self) -> Status {
        let reason = self.journal.memory_reason();
        Status {
            consent: self.consent,
            storage: if reason.is_none() { "local" } else { "memory" },
            memory_reason: reason,
            events: self.journal.len(),
            bytes: self.journal.chars(),
            pending_write: self.journal.dirty(),
            stats: self.journal.stats().clone(),
        }
    }
}

/// The exposure name under which shown offers are recorded (for the frequency cap).
pub const OFFER_EXPOSURE: &str = "offer";

/// A pseudonymous id from the tab's random number (and a salt): 16 hex digits.
fn anonymous_id(tab: u32, salt: u64) -> String {
    let x = (u64::from(tab) << 32 | u64::from(tab.rotate_left(13) ^ 0x9e37_79b9))
        ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // SplitMix64 finaliser: spreads the bits.
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("{z:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use std::rc::Rc;

    const T0: i64 = 1_700_000_000_000;

    fn value(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    fn tracker(store: &Rc<MemoryStore>, tab: u32, consent: Consent) -> Tracker<Rc<MemoryStore>> {
        Tracker::new(store.clone(), TrackerConfig::default(), tab, consent, T0)
    }

    fn add(t: &mut Tracker<Rc<MemoryStore>>, id: &str, now: i64) {
        let json = format!(r#"{{"type":"add_to_cart","items":[{{"item_id":"{id}","price":2}}]}}"#);
        t.track(&value(&json), now).unwrap();
    }

    #[test]
    fn no_storage_access_before_consent_then_buffer_is_persisted() {
        let store = Rc::new(MemoryStore::new());
        store.fail_with(Some("SecurityError")); // any read or write would be counted
        let mut t = tracker(&store, 1, Consent::Pending);
        for i in 0..50 {
            add(&mut t, &format!("i{i}"), T0 + i);
        }
        t.flush(T0 + 100);
        t.set_consent(Consent::Denied, T0 + 100);
        t.flush(T0 + 100);
        assert_eq!(t.status().stats.write_errors, 0);
        assert_eq!(t.status().memory_reason, Some(MemoryReason::NoConsent));
        store.fail_with(None);
        assert!(store.keys().unwrap().is_empty());
        assert_eq!(t.profile(T0 + 100).cart.quantity, 50);

        t.set_consent(Consent::Granted, T0 + 200);
        assert!(!store.keys().unwrap().is_empty());
        let again = tracker(&store, 2, Consent::Granted);
        assert_eq!(again.journal().len(), 50);
        assert_eq!(again.profile(T0 + 300).cart.quantity, 50);
    }

    #[test]
    fn withdrawing_consent_erases_storage_but_not_this_page() {
        let store = Rc::new(MemoryStore::new());
        let mut t = tracker(&store, 1, Consent::Granted);
        add(&mut t, "a", T0);
        t.flush(T0);
        assert!(!store.keys().unwrap().is_empty());
        assert_eq!(t.set_consent(Consent::Denied, T0 + 1), 3);
        assert!(store.keys().unwrap().is_empty());
        add(&mut t, "b", T0 + 2);
        t.flush(T0 + 2);
        assert!(store.keys().unwrap().is_empty());
        assert_eq!(t.profile(T0 + 3).cart.quantity, 2);
    }

    #[test]
    fn forget_leaves_zero_keys_and_an_empty_profile() {
        let store = Rc::new(MemoryStore::new());
        store.set("page:own", "x").unwrap();
        let mut t = tracker(&store, 1, Consent::Granted);
        add(&mut t, "a", T0);
        t.flush(T0);
        assert_eq!(t.forget(T0 + 1), 3);
        assert_eq!(store.keys().unwrap(), ["page:own"]);
        assert_eq!(t.profile(T0 + 1).events, 0);
        assert_eq!(t.events().count(), 0);
        // Consent is still granted: what comes next is stored again (segment, version, id).
        add(&mut t, "b", T0 + 2);
        t.flush(T0 + 2);
        assert_eq!(store.keys().unwrap().len(), 4);
    }

    #[test]
    fn the_pseudonymous_id_is_stored_with_the_first_events_and_forgotten() {
        let store = Rc::new(MemoryStore::new());
        let mut t = tracker(&store, 1, Consent::Granted);
        let id = t.user_id().to_owned();
        t.flush(T0);
        assert!(store.keys().unwrap().is_empty(), "no events, no key");
        add(&mut t, "a", T0);
        t.flush(T0);
        assert_eq!(store.get("cp:uid").unwrap().as_deref(), Some(id.as_str()));
        // The next page view (another tab id) keeps the same identity.
        let next = tracker(&store, 2, Consent::Granted);
        assert_eq!(next.user_id(), id);
        // forget(): gone, and a new, unrelated id from now on.
        t.forget(T0 + 1);
        assert_ne!(t.user_id(), id);
        assert!(store.keys().unwrap().is_empty());
    }

    #[test]
    fn traits_are_stored_with_consent_pseudonymised_and_forgotten() {
        let store = Rc::new(MemoryStore::new());
        let mut t = tracker(&store, 1, Consent::Pending);
        t.identify(&value(
            r#"{"customer_id":"C-9","traits":{"loyaltyTier":"gold","email":"x@y.de"}}"#,
        ))
        .unwrap();
        assert!(store.keys().unwrap().is_empty(), "nothing before consent");
        t.set_consent(Consent::Granted, T0);
        let stored = store.get("cp:traits").unwrap().unwrap();
        assert!(!stored.contains("C-9"));
        let next = tracker(&store, 2, Consent::Granted);
        assert_eq!(next.traits().loyalty_tier.as_deref(), Some("gold"));
        assert_eq!(
            next.profile(T0).traits.unwrap().customer,
            t.traits().customer
        );
        t.forget(T0);
        assert_eq!(t.traits(), &crate::traits::Traits::default());
        assert!(store.keys().unwrap().is_empty());
    }

    #[test]
    fn offers_respect_the_frequency_cap_across_page_views() {
        use crate::rank::Offer;
        let store = Rc::new(MemoryStore::new());
        let bytes = include_bytes!("../tests/fixtures/extras.cpm");
        let offers = [Offer {
            id: "ten_percent".into(),
            kind: None,
            cost: None,
            percent: Some(10.0),
        }];
        let mut shown = 0;
        for tab in 0..4 {
            let mut t = tracker(&store, tab, Consent::Granted);
            t.load_model(bytes).unwrap();
            if tab == 0 {
                add(&mut t, "coat", T0); // a 2.00 cart: 10% fits the 15% budget
            }
            let d = t.choose_offer(&offers, T0 + i64::from(tab));
            // The same page view asking again records nothing more.
            t.choose_offer(&offers, T0 + i64::from(tab));
            t.flush(T0 + i64::from(tab));
            if d.offer.is_some() {
                shown += 1;
            } else {
                assert_eq!(d.reason, "frequencyCap");
            }
        }
        assert_eq!(shown, 2, "frequency_cap = 2 per 7 days");
    }

    #[test]
    fn an_offer_holdout_arm_gets_no_offer() {
        use crate::model::{format, Arm, Experiment};
        use crate::rank::Offer;
        let mut b = format::read(include_bytes!("../tests/fixtures/extras.cpm")).unwrap();
        b.experiments.push(Experiment {
            key: "offers-holdout".into(),
            seed: "offers-holdout".into(),
            hash_version: 2,
            surface: "offers".into(),
            coverage: 1.0,
            arms: vec![Arm {
                name: "holdout".into(),
                weight: 1.0,
                holdout: true,
                head: None,
            }],
        });
        let store = Rc::new(MemoryStore::new());
        let mut t = tracker(&store, 1, Consent::Granted);
        t.load_model(&format::encode(&b)).unwrap();
        add(&mut t, "coat", T0);
        let offers = [Offer {
            id: "ten_percent".into(),
            kind: None,
            cost: None,
            percent: Some(10.0),
        }];
        let d = t.choose_offer(&offers, T0);
        assert_eq!((d.offer, d.reason), (None, "holdout"));
        assert_eq!(d.experiment.map(|a| a.arm), Some("holdout".to_owned()));
        // The exposure of the holdout arm is recorded, so its uplift can be measured.
        assert!(t.events().any(|e| e
            .exposure
            .as_ref()
            .is_some_and(|x| x.experiment == "offers-holdout")));
    }

    #[test]
    fn rejected_events_store_nothing() {
        let store = Rc::new(MemoryStore::new());
        let mut t = tracker(&store, 1, Consent::Granted);
        let writes = store.writes();
        let err = t
            .track(&value(r#"{"type":"add_to_cart"}"#), T0)
            .unwrap_err();
        assert_eq!(err.to_string(), "event: missing field \"items\"");
        let old = format!(r#"{{"type":"page_view","ts":{}}}"#, T0 - 31 * 86_400_000);
        let err = t.track(&value(&old), T0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "event: \"ts\" is older than the retention period"
        );
        t.flush(T0);
        assert_eq!(store.writes(), writes);
        assert_eq!(t.status().events, 0);
    }

    #[test]
    fn expired_or_bad_models_fall_back_and_a_bad_one_keeps_the_good() {
        use crate::rank::PaymentMethod;
        let store = Rc::new(MemoryStore::new());
        let mut t = tracker(&store, 1, Consent::Granted);
        let mut b = crate::model::Bundle {
            id: "m".into(),
            version: "1".into(),
            expires_ms: Some(T0 + 1000),
            ..Default::default()
        };
        b.payment = Some(crate::model::Surface::default());
        let bytes = crate::model::format::encode(&b);
        t.load_model(&bytes).unwrap();
        let methods = [
            PaymentMethod {
                id: "b".into(),
                kind: None,
            },
            PaymentMethod {
                id: "a".into(),
                kind: None,
            },
        ];
        assert_eq!(
            t.rank_payment_methods(&methods, T0).fallback,
            Some("noHead")
        );
        let r = t.rank_payment_methods(&methods, T0 + 1000);
        assert_eq!(r.fallback, Some("expired"));
        assert_eq!(
            r.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        // A broken download does not replace the model in force.
        assert!(t.load_model(&bytes[..bytes.len() - 3]).is_err());
        assert_eq!(t.model().map(|m| m.bundle().id.as_str()), Some("m"));
        assert!(t
            .load_downloaded_model("/m.cpm", b"junk", T0, false)
            .is_err());
        assert_eq!(t.model().map(|m| m.bundle().id.as_str()), Some("m"));
        // A good download is cached (consent granted) and used by the next page view.
        t.load_downloaded_model("/m.cpm", &bytes, T0, false)
            .unwrap();
        let mut next = tracker(&store, 2, Consent::Granted);
        assert!(next.load_cached_model("/m.cpm"));
        assert!(!next.load_cached_model("/other.cpm"));
        let mut denied = tracker(&Rc::new(MemoryStore::new()), 3, Consent::Denied);
        denied
            .load_downloaded_model("/m.cpm", &bytes, T0, false)
            .unwrap();
        // With a public key configured, nothing unverified is used, cached or not.
        next.require_signatures();
        assert!(!next.load_cached_model("/m.cpm"));
        assert!(next
            .load_model(&bytes)
            .unwrap_err()
            .to_string()
            .starts_with("model: a public key is configured"));
        assert!(next
            .load_downloaded_model("/m.cpm", &bytes, T0, false)
            .is_err());
        assert!(next
            .load_downloaded_model("/m.cpm", &bytes, T0, true)
            .is_ok());
        assert!(!denied.load_cached_model("/m.cpm"));
    }

    /// The revalidating download of the bundle the cache already holds is not written
    /// again; a changed bundle, or a cache another tab or `forget()` touched, is.
    #[test]
    fn an_unchanged_download_is_not_cached_twice() {
        let store = Rc::new(MemoryStore::new());
        let bundle = |version: &str| {
            crate::model::format::encode(&crate::model::Bundle {
                id: "m".into(),
                version: version.into(),
                ..Default::default()
            })
        };
        let (v1, v2) = (bundle("1"), bundle("2"));
        let mut first = tracker(&store, 1, Consent::Granted);
        first
            .load_downloaded_model("/m.cpm", &v1, T0, false)
            .unwrap();
        assert!(store.get("cp:model").unwrap().is_some());
        // The next page view: cache first, then the same bytes come back from the network.
        let mut t = tracker(&store, 2, Consent::Granted);
        assert!(t.load_cached_model("/m.cpm"));
        let writes = store.writes();
        t.load_downloaded_model("/m.cpm", &v1, T0 + 1, false)
            .unwrap();
        assert_eq!(store.writes(), writes, "same bundle: no write");
        t.load_downloaded_model("/m.cpm", &v2, T0 + 2, false)
            .unwrap();
        assert_eq!(store.writes(), writes + 1, "new bundle: written");
        assert_eq!(
            tracker(&store, 3, Consent::Granted)
                .cached_model_bytes("/m.cpm")
                .as_deref(),
            Some(&v2[..])
        );
        t.load_downloaded_model("/m.cpm", &v2, T0 + 3, false)
            .unwrap();
        assert_eq!(store.writes(), writes + 1);
        // Another tab replaced the cache: the next download is written again.
        t.on_storage_event(Some("cp:model"), Some("x"), T0 + 4);
        t.load_downloaded_model("/m.cpm", &v2, T0 + 5, false)
            .unwrap();
        assert_eq!(store.writes(), writes + 2);
        // forget() empties the cache; the next download fills it again.
        t.forget(T0 + 6);
        assert_eq!(store.get("cp:model").unwrap(), None);
        t.load_downloaded_model("/m.cpm", &v2, T0 + 7, false)
            .unwrap();
        assert!(store.get("cp:model").unwrap().is_some());
        // Another URL is another cache entry.
        let writes = store.writes();
        t.load_downloaded_model("/n.cpm", &v2, T0 + 8, false)
            .unwrap();
        assert_eq!(store.writes(), writes + 1);
    }

    #[test]
    fn storage_events_from_another_tab_update_the_profile() {
        let store = Rc::new(MemoryStore::new());
        let mut a = tracker(&store, 0xa, Consent::Granted);
        let mut b = tracker(&store, 0xb, Consent::Granted);
        add(&mut b, "from-b", T0 + 1);
        b.flush(T0 + 1);
        let key = "cp:1:j:0000000b";
        let v = store.get(key).unwrap();
        a.on_storage_event(Some(key), v.as_deref(), T0 + 2);
        assert_eq!(a.profile(T0 + 2).cart.items[0].id, "from-b");
        b.forget(T0 + 3);
        a.on_storage_event(Some("cp:meta"), None, T0 + 3);
        assert_eq!(a.profile(T0 + 3).events, 0);
        a.flush(T0 + 4);
        assert!(
            store.keys().unwrap().is_empty(),
            "a does not resurrect erased data"
        );
    }
}
