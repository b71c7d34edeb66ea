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
use crate::event::{Event, EventError, EventType};
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

    /// One entry of the page's `dataLayer` (Consent Mode). Until `settle_consent` the
    /// commands are only recorded. Returns whether it withdrew consent.
    pub fn consent_command(&mut self, entry: &Value, now: i64) -> bool {
        let Some(m) = &mut self.consent_mode else {
            return false;
        };
        if !m.apply(entry) || !self.consent_settled {
            return false;
        }
        self.apply_consent_mode(now)
    }

    /// The page's commands so far are in: consent follows them (or the options' `consent`
    /// when they say nothing). Returns whether consent was withdrawn.
    pub fn settle_consent(&mut self, now: i64) -> bool {
        self.consent_settled = true;
        if self.consent_mode.is_none() {
            return false;
        }
        self.apply_consent_mode(now)
    }

    fn apply_consent_mode(&mut self, now: i64) -> bool {
        let want = self
            .consent_mode
            .as_ref()
            .and_then(ConsentMode::state)
            .unwrap_or(self.fallback_consent);
        let before = self.consent;
        if want == before && self.consent_settled && want != Consent::Denied {
            return false;
        }
        self.set_consent(want, now);
        before == Consent::Granted && want != Consent::Granted
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

    // ------------------------------------------------------------------ decisions

    /// The profile view at `now`, with traits; `interest`: with the top-interest lists
    /// (for `profile()`; decisions never read them).
    fn view(&self, now: i64, interest: bool) -> ProfileView {
        let context = self.context(now);
        let mut view = if interest {
            self.profile.view(now, context.as_ref())
        } else {
            self.profile.decision_view(now, context.as_ref())
        };
        if *self.identity.traits() != Traits::default() {
            view.traits = Some(self.identity.traits().clone());
        }
        view
    }

    fn with_decision<T>(&self, now: i64, f: impl FnOnce(&Decision) -> T) -> T {
        let view = self.view(now, false);
        let d = Decision {
            model: self.models.model(),
            signals: Signals {
                view: &view,
                profile: &self.profile,
                now,
                candidate: None,
            },
            user_id: self.identity.user_id(),
            pinned: self.exposures.pinned(),
        };
        f(&d)
    }

    /// Pins the arm a decision ran under and logs its exposure (once per page view).
    fn expose(&mut self, a: &Option<Assignment>, now: i64) {
        if let Some(e) = a
            .as_ref()
            .and_then(|a| self.exposures.expose(a, false, now))
        {
            self.journal.append(e);
        }
    }

    /// A surface's first decision missed the page's deadline: the shopper sees the page's
    /// own order for this page view. An experiment on it logs the exposure as late (the arm
    /// is pinned all the same: one page view, one arm).
    pub fn decision_late(&mut self, surface: rank::Surface, now: i64) {
        let arm = self.models.model().and_then(|m| {
            rank::surface_assignment(m, surface, self.identity.user_id(), self.exposures.pinned())
        });
        if let Some(e) = arm.and_then(|a| self.exposures.expose(&a, true, now)) {
            self.journal.append(e);
        }
    }

    /// The shopper's locale as `Intl` may read it (`de-DE`), else their language, if known.
    pub fn locale(&self, now: i64) -> Option<String> {
        let c = self.context(now)?;
        c.locale.or(c.language)
    }

    /// Orders the page's payment methods (a permutation of them, always).
    pub fn rank_payment_methods(&mut self, methods: &[PaymentMethod], now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_payment_methods(d, methods, true));
        self.expose(&r.experiment, now);
        r
    }

    /// Orders the page's shipping options (a permutation of them, always).
    pub fn rank_shipping_options(&mut self, options: &[PaymentMethod], now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_shipping_options(d, options, true));
        self.expose(&r.experiment, now);
        r
    }

    /// At most one offer (see `rank::choose_offer`); a chosen offer is recorded (once per
    /// page view) for the frequency cap.
    pub fn choose_offer(&mut self, offers: &[rank::Offer], now: i64) -> rank::OfferDecision {
        let window = self
            .models
            .model()
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
        self.expose(&d.experiment, now);
        if let Some(e) = d
            .offer
            .as_deref()
            .and_then(|id| self.exposures.offer_shown(id, now))
        {
            self.journal.append(e);
        }
        d
    }

    /// The message for each slot.
    pub fn choose_messages(&self, slots: &[String], now: i64) -> Vec<rank::ChosenMessage> {
        self.with_decision(now, |d| rank::choose_messages(d, slots))
    }

    /// Items to offer with the cart.
    pub fn rank_cross_sells(&mut self, req: &CrossSellRequest, now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_cross_sells(d, req, true));
        self.expose(&r.experiment, now);
        r
    }

    /// The bundle's segments the shopper is in now.
    pub fn segments(&self, now: i64) -> Vec<String> {
        match self.models.model() {
            Some(m) => self.with_decision(now, |d| rank::segments(m, &d.signals)),
            None => Vec::new(),
        }
    }

    /// The arm of experiment `key` for this shopper, without logging an exposure (the arm
    /// this page view already showed, if any).
    pub fn assignment(&self, key: &str) -> Option<Assignment> {
        if let Some(a) = self.exposures.arm(key) {
            return Some(a.clone());
        }
        self.models
            .model()
            .and_then(|m| rank::assignment_for(m, key, self.identity.user_id()))
    }

    // ------------------------------------------------------------------ exports

    /// The next batch of not-yet-exported events (consent required), up to `max`.
    pub fn export_batch(&self, max: usize) -> Option<crate::export::Batch<'_>> {
        self.storage.access()?;
        self.exports.next_batch(self.journal.records(), max)
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

    // ------------------------------------------------------------------ consent and events

    fn rebuild_profile(&mut self) {
        self.profile = SessionProfile::rebuild(*self.profile.config(), self.journal.events());
    }

    /// Grants, denies or leaves pending. Granting opens the gate and persists what was kept
    /// in memory; anything but granted erases every stored key (denied at start included:
    /// a withdrawal made on an earlier page view). Events stay in memory for this page view.
    /// Returns how many stored keys were erased.
    pub fn set_consent(&mut self, consent: Consent, now: i64) -> usize {
        let before = self.consent;
        self.consent = consent;
        match consent {
            Consent::Granted => {
                self.open_storage(now);
                0
            }
            Consent::Denied => self.erase_store(),
            Consent::Pending if before == Consent::Granted => self.erase_store(),
            Consent::Pending => 0,
        }
    }

    /// Opens the gate (consent granted): the journal, identity, export log and model cache
    /// read what is stored (dropping what expired), then what is in memory is written.
    fn open_storage(&mut self, now: i64) {
        if self.storage.is_open() {
            return;
        }
        let opened = self.storage.open();
        self.journal.count_discarded(opened.discarded);
        let had = self.journal.len();
        self.journal.restore(&self.storage, now);
        let retention = self.cfg.journal.retention_ms;
        self.identity.open(&self.storage, now, retention);
        if let Some(a) = self.storage.access() {
            self.exports.open(&a, now, retention);
            // Drops an expired or damaged cached bundle (reading its head only).
            let _ = ModelSlot::cache_head(&a, now, retention);
        }
        self.flush(now);
        if self.journal.len() != had || self.journal.stats().restored > 0 {
            self.rebuild_profile();
        }
    }

    /// Removes every stored key of the namespace and closes the gate; memory is kept.
    fn erase_store(&mut self) -> usize {
        let n = self.storage.erase();
        self.journal.forget_store();
        self.identity.store_erased();
        self.models.cache_unknown();
        self.exports.clear();
        n
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
        let event = Event::from_value(value, now)?;
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

    pub fn profile(&self, now: i64) -> ProfileView {
        self.view(now, true)
    }

    /// A `storage` event from another tab (`key: None` means storage was cleared).
    pub fn on_storage_event(&mut self, key: Option<&str>, new_value: Option<&str>, now: i64) {
        if !self.storage.is_open() {
            return;
        }
        let kind = match key {
            None => None,
            Some(k) => match self.storage.keys().kind(k) {
                Some(kind) => Some(kind),
                None => return,
            },
        };
        match (kind, new_value) {
            // Cleared, or the schema marker removed: erased in another tab (`forget()`,
            // a withdrawal, the browser's "clear site data").
            (None, _) | (Some(Kind::Meta), None) => self.erased_elsewhere(now),
            (Some(Kind::Model), _) => self.models.cache_unknown(),
            (Some(Kind::Segment(tab)), Some(v))
                if tab != self.journal.tab() && self.journal.merge_external(v, now) =>
            {
                self.rebuild_profile()
            }
            (Some(Kind::Segment(tab)), None) if tab == self.journal.tab() => {
                self.journal.adopted_elsewhere()
            }
            (Some(Kind::Traits), Some(v)) => self.identity.merge_stored_traits(v),
            _ => {}
        }
    }

    /// Another tab erased the namespace (`forget()` or a withdrawal there): this tab drops
    /// everything it holds too (events, profile, traits, id) and never writes any of it
    /// back. Consent here stays as it is; a withdrawal also arrives as `set_consent`.
    pub fn erased_elsewhere(&mut self, now: i64) {
        self.forget_memory();
        self.erase_store();
        if self.consent == Consent::Granted {
            self.open_storage(now);
        }
    }

    fn forget_memory(&mut self) {
        self.journal.clear_memory();
        self.profile = SessionProfile::new(*self.profile.config());
        self.exposures.forget_logged();
        self.identity.forget();
    }

    /// Erases everything: every stored key in our namespace and the in-memory journal,
    /// profile, traits and id. Consent stays as it is; later events are stored again if it
    /// is granted, under a new, unrelated id. Returns how many stored keys were removed.
    pub fn forget(&mut self, now: i64) -> usize {
        self.forget_memory();
        let removed = self.erase_store();
        if self.consent == Consent::Granted {
            self.open_storage(now);
        }
        removed
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
