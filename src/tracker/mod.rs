//! The tracker: `Personalizer`'s whole behaviour without the browser.
//!
//! `Tracker<S>` composes named parts that each own their state: the storage gate
//! (`storage::Storage`, the only holder of the store), the journal and the live profile,
//! the identity (user id, traits, pseudonym salt), the model slot, this page view's
//! experiment exposures and the export log. The web layer only supplies a `Store`, the
//! clock, random bits and the page signals, and forwards events.
//!
//! Consent is enforced by the gate: until it is granted nothing is read or written; events
//! are kept in memory and persisted once consent arrives. Denying consent (at start, later,
//! or in another tab) erases every stored key; `forget()` erases them too and starts a new,
//! unrelated identity. Pure apart from the `Store` it is given.

mod consent;
mod decide;
mod export_log;
mod exposure;
mod identity;
mod model_slot;
#[cfg(test)]
mod tests;

pub use exposure::OFFER_EXPOSURE;
pub use model_slot::{Expect, Offered, VerifiedBundle};

use crate::consent::{Consent, ConsentMode};
use crate::context::{Context, ContextOverride, PageSignals};
use crate::event::{Event, EventError, EventType, PAYMENT_LIST, SHIPPING_LIST};
use crate::journal::{Journal, JournalStats};
use crate::model::{DecodeError, Model};
use crate::options::{Options, TrackerConfig};
use crate::profile::{ProfileView, SessionProfile};
use crate::rank::{self, Assignment, CrossSellRequest, Decision, PaymentMethod, Ranking, Signals};
use crate::sorted_map::SortedMap;
use crate::storage::{Kind, MemoryReason, Storage};
use crate::store::Store;
use crate::traits::Traits;
use crate::value::Value;
use export_log::ExportLog;
use exposure::Exposures;
use identity::Identity;
use model_slot::ModelSlot;
use serde::Serialize;

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
    /// Picked-up events (the dataLayer, auto-tracking): fields and items dropped because
    /// they were bad, by field name (`items[].price`), and events refused outright (no
    /// type, no items where they are needed).
    pub dropped: SortedMap<&'static str, u32>,
    pub refused: u32,
}

/// Everything kept about this browser (`exportData`, the right of access).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptData<'a> {
    pub namespace: &'a str,
    pub exported_at: i64,
    pub consent: Consent,
    /// The pseudonymous id, when it is stored (`ns:uid`).
    pub user_id: Option<&'a str>,
    /// `identify()` traits (the customer only as its pseudonym).
    pub traits: Option<&'a Traits>,
    pub events: Vec<crate::event::Ga4Event<'a>>,
    /// Record ids already exported (`ns:exported`), as text (they are 64-bit).
    pub exported_ids: Vec<String>,
    /// The cached model bundle's URL and download time (`ns:model`).
    pub model_cache: Option<CachedModelInfo>,
    /// Every key of the namespace now in storage.
    pub stored_keys: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedModelInfo {
    pub url: String,
    pub fetched_at: i64,
}

pub struct Tracker<S: Store> {
    storage: Storage<S>,
    consent: Consent,
    cfg: TrackerConfig,
    journal: Journal,
    profile: SessionProfile,
    signals: Option<PageSignals>,
    context_override: ContextOverride,
    identity: Identity,
    models: ModelSlot,
    exposures: Exposures,
    exports: ExportLog,
    /// Google Consent Mode, when the page follows it (`consentMode`), and the consent the
    /// options give when its commands say nothing.
    consent_mode: Option<ConsentMode>,
    fallback_consent: Consent,
    /// The page's commands so far were replayed (`settle_consent`): later ones apply at once.
    consent_settled: bool,
    /// What lenient reads dropped (see `Status`).
    dropped: SortedMap<&'static str, u32>,
    refused: u32,
}

impl<S: Store> Tracker<S> {
    /// A tracker for one page view. With consent granted it restores the stored journal now;
    /// with consent denied it erases what the namespace holds. `tab` names this page view's
    /// journal segment; `secret` is 128 random bits (the pseudonymous id and the salt).
    pub fn new(
        store: S,
        cfg: TrackerConfig,
        tab: u32,
        secret: [u8; 16],
        consent: Consent,
        now: i64,
    ) -> Self {
        let mut t = Tracker::unopened(store, cfg, tab, secret, None);
        t.set_consent(consent, now);
        t
    }

    fn unopened(
        store: S,
        cfg: TrackerConfig,
        tab: u32,
        secret: [u8; 16],
        page_salt: Option<String>,
    ) -> Self {
        Tracker {
            storage: Storage::new(store, &cfg.journal.namespace),
            consent: Consent::Pending,
            journal: Journal::new(cfg.journal.clone(), tab),
            profile: SessionProfile::new(cfg.profile),
            cfg,
            signals: None,
            context_override: ContextOverride::default(),
            identity: Identity::new(secret, page_salt),
            models: ModelSlot::default(),
            exposures: Exposures::default(),
            exports: ExportLog::default(),
            consent_mode: None,
            fallback_consent: Consent::Pending,
            consent_settled: false,
            dropped: SortedMap::new(),
            refused: 0,
        }
    }

    /// A tracker configured by the constructor options (user id, context and key policy are
    /// in place before consent is applied).
    pub fn from_options(store: S, o: &Options, tab: u32, secret: [u8; 16], now: i64) -> Self {
        let mut t = Tracker::unopened(store, o.tracker.clone(), tab, secret, o.id_salt.clone());
        if let Some(id) = &o.user_id {
            t.identity.set_user_id(id.clone());
        }
        t.set_context_override(o.context.clone());
        if o.public_key.is_some() {
            t.models.require_signatures();
        }
        t.fallback_consent = o.consent;
        match &o.consent_mode {
            // Consent waits for the page's Consent Mode commands (`consent_command`, then
            // `settle_consent`): nothing is opened before it is known.
            Some(region) => t.consent_mode = Some(ConsentMode::new(region.as_deref())),
            None => {
                t.set_consent(o.consent, now);
            }
        }
        t
    }

    /// A tracker for tools and tests: fixed random bits derived from `tab`.
    pub fn for_replay(store: S, o: &Options, tab: u32, now: i64) -> Self {
        let mut secret = [0u8; 16];
        secret[..4].copy_from_slice(&tab.to_le_bytes());
        Tracker::from_options(store, o, tab, secret, now)
    }

    pub fn consent(&self) -> Consent {
        self.consent
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn namespace(&self) -> &str {
        self.storage.keys().namespace()
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
        self.identity.set_user_id(id);
    }

    pub fn user_id(&self) -> &str {
        self.identity.user_id()
    }

    /// What the storefront knows: `{customer_id?, traits?}` (whitelisted; the id is only
    /// kept as a salted pseudonym). Stored with consent; cleared by `forget()`.
    pub fn identify(&mut self, v: &Value, now: i64) -> Result<(), crate::traits::TraitsError> {
        self.identity.identify(v)?;
        if let Some(a) = self.storage.access() {
            self.identity.persist(&a, now, !self.journal.is_empty());
        }
        Ok(())
    }

    pub fn traits(&self) -> &Traits {
        self.identity.traits()
    }

    // ------------------------------------------------------------------ models

    pub fn requires_signatures(&self) -> bool {
        self.models.requires_signatures()
    }

    /// The one way a model comes into use (see `model_slot`). On any error the model in
    /// force stays.
    pub fn offer_model(
        &mut self,
        offered: Offered,
        expect: &Expect,
    ) -> Result<&Model, DecodeError> {
        self.models.offer(offered, expect)
    }

    /// `loadModel(bytes)`.
    pub fn load_model(&mut self, bytes: &[u8]) -> Result<&Model, DecodeError> {
        self.models.offer(Offered::Bytes(bytes), &Expect::default())
    }

    /// With consent: uses the cached bundle for `url` if it decodes and meets `expect`
    /// (synchronously, before any download; unsigned mode). Returns whether it is in force.
    pub fn load_cached_model(&mut self, url: &str, expect: &Expect, now: i64) -> bool {
        let retention = self.cfg.journal.retention_ms;
        match self.storage.access() {
            Some(a) => self.models.use_cached(&a, url, expect, now, retention),
            None => false,
        }
    }

    /// The cached bundle for `url` as stored (with consent), for callers that verify it
    /// first (signed mode).
    pub fn cached_model_bytes(&self, url: &str, now: i64) -> Option<Vec<u8>> {
        let a = self.storage.access()?;
        self.models
            .cached(&a, url, now, self.cfg.journal.retention_ms)
    }

    /// A verified cached bundle: used without rewriting the cache.
    pub fn load_verified_cached_model(
        &mut self,
        url: &str,
        v: &VerifiedBundle,
        raw: &[u8],
        expect: &Expect,
    ) -> Result<&Model, DecodeError> {
        self.models.offer(Offered::Verified(v), expect)?;
        self.models.note_cached(url, raw);
        self.models.model().ok_or(DecodeError::NotABundle)
    }

    /// A downloaded bundle: used when good and (with consent) cached. `verified`: the
    /// platform checked its signature (required when a key is configured).
    pub fn load_downloaded_model(
        &mut self,
        url: &str,
        raw: &[u8],
        verified: Option<&VerifiedBundle>,
        expect: &Expect,
        now: i64,
    ) -> Result<&Model, DecodeError> {
        let a = self.storage.access();
        self.models
            .downloaded(a.as_ref(), url, raw, verified, expect, now)
    }

    pub fn model(&self) -> Option<&Model> {
        self.models.model()
    }

    // ------------------------------------------------------------------ exports

    /// The next batch of not-yet-exported events (consent required), up to `max`.
    pub fn export_batch(&self, max: usize) -> Option<crate::export::Batch<'_>> {
        self.storage.access()?;
        self.exports
            .next_batch(self.identity.user_id(), self.journal.records(), max)
    }

    /// Records that these events were delivered (they are never exported again).
    pub fn mark_exported(&mut self, ids: &[u64], now: i64) {
        let Some(a) = self.storage.access() else {
            return;
        };
        let mut held: Vec<u64> = self.journal.records().map(|(id, _)| id).collect();
        crate::sort::sort_by(&mut held, Ord::cmp);
        self.exports.mark(&a, ids, &held, now);
    }

    /// Everything kept about this browser (right of access).
    pub fn kept_data(&self, now: i64) -> KeptData<'_> {
        let a = self.storage.access();
        let traits = Some(self.identity.traits()).filter(|t| **t != Traits::default());
        KeptData {
            namespace: self.namespace(),
            exported_at: now,
            consent: self.consent,
            user_id: self.identity.stored_user_id(),
            traits,
            events: self.journal.events().map(|e| e.to_ga4()).collect(),
            exported_ids: self.exports.ids().iter().map(u64::to_string).collect(),
            model_cache: a.as_ref().and_then(|a| ModelSlot::cached_info(a)).map(|c| {
                CachedModelInfo {
                    url: c.url,
                    fetched_at: c.fetched_ms,
                }
            }),
            stored_keys: a
                .as_ref()
                .and_then(|a| a.our_keys().ok())
                .unwrap_or_default(),
        }
    }

    /// Validates and records an event from the page. Returns its record id and type.
    pub fn track(&mut self, value: &Value, now: i64) -> Result<(u64, EventType), EventError> {
        let event = Event::from_value(value, now)?;
        let kind = event.kind;
        Ok((self.track_event(event, now)?, kind))
    }

    /// Records an event the module picked up itself (the dataLayer, a `[data-track]`
    /// click): bad optional fields and items are dropped and counted, never the event
    /// unless it lacks what it cannot be without. Returns the record id, the type and what
    /// was dropped.
    pub fn track_lenient(
        &mut self,
        value: &Value,
        now: i64,
    ) -> Result<(u64, EventType, crate::event::Dropped), EventError> {
        let (event, dropped) = match Event::from_value_lenient(value, now) {
            Ok(x) => x,
            Err(e) => {
                self.refused += 1;
                return Err(e);
            }
        };
        for f in &dropped {
            *self.dropped.entry_or_default(f) += 1;
        }
        let kind = event.kind;
        let id = self
            .track_event(event, now)
            .inspect_err(|_| self.refused += 1)?;
        Ok((id, kind, dropped))
    }

    /// Tracks an event again unless the journal already holds an equal one (same type, time
    /// and content): what the page kept of a trapped instance's events, replayed into a
    /// fresh one restored from storage. Returns whether it was tracked.
    pub fn replay(&mut self, value: &Value, now: i64) -> Result<bool, EventError> {
        // A `dataLayer` entry comes back as the page pushed it (a gtag command included).
        let value =
            crate::event::data_layer_event(value).unwrap_or(std::borrow::Cow::Borrowed(value));
        let event = Event::from_value(&value, now)?;
        if self.journal.events().any(|e| *e == event) {
            return Ok(false);
        }
        self.track_event(event, now).map(|_| true)
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

    /// Writes pending events (and, once events are stored, the identity) through the gate.
    pub fn flush(&mut self, now: i64) {
        let has_events = self.journal.flush(&self.storage, now);
        if let Some(a) = self.storage.access() {
            self.identity.persist(&a, now, has_events);
        }
    }

    /// Whether storage is open and the journal holds what it does not (yet).
    pub fn pending_write(&self) -> bool {
        self.storage.is_open() && self.journal.dirty()
    }

    pub fn profile(&self, now: i64) -> ProfileView {
        self.view(now, true)
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.journal.events()
    }

    pub fn status(&self) -> Status {
        let reason = self.storage.memory_reason();
        Status {
            consent: self.consent,
            storage: if reason.is_none() { "local" } else { "memory" },
            memory_reason: reason,
            events: self.journal.len(),
            bytes: self.journal.chars(),
            pending_write: self.journal.dirty(),
            stats: self.journal.stats().clone(),
            dropped: self.dropped.clone(),
            refused: self.refused,
        }
    }
}
