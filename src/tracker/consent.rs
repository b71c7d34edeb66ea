//! Consent and erasure: the gate opens when personalisation consent is granted and every
//! stored key is erased when it is not (at start, later, in another tab), or on `forget()`.

use super::*;

impl<S: Store> Tracker<S> {
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

    pub(super) fn apply_consent_mode(&mut self, now: i64) -> bool {
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

    pub(super) fn rebuild_profile(&mut self) {
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
    pub(super) fn open_storage(&mut self, now: i64) {
        if self.storage.is_open() {
            return;
        }
        let opened = self.storage.open();
        self.journal.count_discarded(opened.discarded);
        let had = self.journal.len();
        let dropped = |s: &crate::journal::JournalStats| s.expired + s.evicted + s.discarded;
        let dropped_before = dropped(self.journal.stats());
        self.journal.restore(&self.storage, now);
        let retention = self.cfg.journal.retention_ms;
        self.identity.open(&self.storage, now, retention);
        if let Some(a) = self.storage.access() {
            self.exports.open(&a, now, retention);
            // Drops an expired or damaged cached bundle (reading its head only).
            let _ = ModelSlot::cache_head(&a, now, retention);
        }
        // Written now: events kept in memory before consent, and a restore that dropped
        // records (past the retention period, beyond the bounds, or damaged: they leave
        // storage at once).
        // Merely adopting other tabs' segments waits for the next batched flush (their
        // records stay stored where they are until ours is written), so opening the
        // journal on a page view writes nothing before the first decision.
        if had > 0 || dropped(self.journal.stats()) != dropped_before {
            self.flush(now);
        }
        if self.journal.len() != had || self.journal.stats().restored > 0 {
            self.rebuild_profile();
        }
    }

    /// Removes every stored key of the namespace and closes the gate; memory is kept.
    pub(super) fn erase_store(&mut self) -> usize {
        let n = self.storage.erase();
        self.journal.forget_store();
        self.identity.store_erased();
        self.models.cache_unknown();
        self.exports.clear();
        n
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

    pub(super) fn forget_memory(&mut self) {
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
}
