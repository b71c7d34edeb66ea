//! The event journal: a bounded, durable, multi-tab log of events over any `Store`.
//!
//! Layout in the store, for namespace `ns` (default `cp`):
//! - `ns:meta` holds the schema version (`1`). A newer version is left untouched and the
//!   journal runs in memory; a value that is not a version is foreign and discarded.
//! - `ns:1:j:<tab>` is one segment per tab (see `codec` for its format). A tab only ever
//!   writes its own segment, so two tabs never overwrite each other. On open, a tab adopts
//!   every other segment: it merges them, writes its own segment, and only then removes
//!   theirs. A tab that is still alive rewrites what it still owns; duplicates are dropped
//!   by record id (`tab << 32 | seq`) on every read.
//!
//! Bounds: at most `max_events` records and `max_chars` encoded characters; the oldest go
//! first and are counted as evicted. Records older than `retention_ms` are dropped on load
//! and never used. A quota error evicts the oldest quarter and retries; if even an empty
//! segment cannot be written, the journal keeps working in memory and says why.
//! Nothing here touches the store until `open` is called (the tracker calls it only after
//! consent), except `erase`, which only removes.

pub mod codec;

use crate::event::Event;
use crate::sorted_map::SortedMap;
use crate::store::{Store, StoreError, StoreErrorKind};
use serde::Serialize;
use std::collections::VecDeque;

pub const SCHEMA_VERSION: u32 = 1;
/// A write that hits the quota is retried without the oldest 1/4, 2/4, 3/4 of our records,
/// then with the newest alone.
const QUOTA_STEPS: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct JournalConfig {
    /// Prefix of every key we write (`ns:…`). Letters, digits, `_` and `-`, 1–32 chars.
    pub namespace: String,
    pub max_events: usize,
    /// Bound on the encoded size of the journal, in characters.
    pub max_chars: usize,
    /// Events older than this are dropped (default 30 days).
    pub retention_ms: i64,
}

impl Default for JournalConfig {
    fn default() -> Self {
        JournalConfig {
            namespace: "cp".into(),
            max_events: 1000,
            max_chars: 256 * 1024,
            retention_ms: 30 * 86_400_000,
        }
    }
}

/// Why the journal is not writing to durable storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", content = "detail", rename_all = "camelCase")]
pub enum MemoryReason {
    /// Consent is not granted: nothing is read or written.
    NoConsent,
    /// The store itself is not durable (`storage: 'memory'`, or no localStorage at all).
    NotDurable,
    /// A newer version of this module owns the stored data; it is left as it is.
    NewerSchema(u32),
    /// The store refused access (the DOM exception name).
    Unavailable(String),
    /// The store is full even without our data.
    QuotaExhausted,
}

/// Counters a developer or privacy officer can read from `status()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalStats {
    /// Records read back from storage when the journal opened.
    pub restored: u64,
    /// Records dropped to stay within the bounds (count, size, quota).
    pub evicted: u64,
    /// Records dropped because they were older than the retention period.
    pub expired: u64,
    /// Stored values or records that were damaged or foreign and were thrown away.
    pub discarded: u64,
    /// Records merged in from other tabs.
    pub merged: u64,
    pub quota_errors: u64,
    pub write_errors: u64,
    pub flushes: u64,
}

#[derive(Debug, Clone)]
struct Record {
    id: u64,
    event: Event,
    enc: String,
    /// Whether this tab's segment holds it (created here, or adopted on open).
    mine: bool,
    /// Whether the last successful flush wrote it.
    flushed: bool,
}

pub struct Journal<S: Store> {
    store: S,
    cfg: JournalConfig,
    tab: u32,
    seq: u32,
    /// In (ts, id) order; a deque, because the oldest leave first (bounds, retention).
    records: VecDeque<Record>,
    ids: SortedMap<u64, ()>,
    chars: usize,
    dirty: bool,
    open: bool,
    fault: Option<MemoryReason>,
    /// Other tabs' segments read on open, removed once our segment holds their records.
    adopted: Vec<String>,
    /// The pseudonymous browser id: read from `ns:uid` on open, written with the first
    /// non-empty segment (so an empty journal leaves no key).
    uid: Option<String>,
    uid_stored: bool,
    stats: JournalStats,
}

impl<S: Store> Journal<S> {
    /// A journal for this tab (`tab` should be random per page view). Touches no storage.
    pub fn new(store: S, cfg: JournalConfig, tab: u32) -> Journal<S> {
        Journal {
            store,
            cfg,
            tab,
            seq: 0,
            records: VecDeque::new(),
            ids: SortedMap::new(),
            chars: 0,
            dirty: false,
            open: false,
            fault: None,
            adopted: Vec::new(),
            uid: None,
            uid_stored: false,
            stats: JournalStats::default(),
        }
    }

    pub fn tab(&self) -> u32 {
        self.tab
    }

    pub fn config(&self) -> &JournalConfig {
        &self.cfg
    }

    pub fn stats(&self) -> &JournalStats {
        &self.stats
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Encoded size of the journal, in characters.
    pub fn chars(&self) -> usize {
        self.chars
    }

    /// The events, oldest first.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.records.iter().map(|r| &r.event)
    }

    /// The events with their record ids (unique across tabs), oldest first.
    pub fn records(&self) -> impl Iterator<Item = (u64, &Event)> {
        self.records.iter().map(|r| (r.id, &r.event))
    }

    /// Whether unflushed changes are waiting.
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// `None` when writing to durable storage, else why not.
    pub fn memory_reason(&self) -> Option<MemoryReason> {
        if !self.open {
            Some(MemoryReason::NoConsent)
        } else if let Some(f) = &self.fault {
            Some(f.clone())
        } else if !self.store.durable() {
            Some(MemoryReason::NotDurable)
        } else {
            None
        }
    }

    /// A fault that stopped writes (newer schema, storage refused, quota exhausted).
    pub fn fault(&self) -> Option<&MemoryReason> {
        self.fault.as_ref()
    }

    fn meta_key(&self) -> String {
        format!("{}:meta", self.cfg.namespace)
    }

    fn segment_prefix(&self) -> String {
        format!("{}:{}:j:", self.cfg.namespace, SCHEMA_VERSION)
    }

    fn uid_key(&self) -> String {
        format!("{}:uid", self.cfg.namespace)
    }

    /// The stored pseudonymous id, if one was read on open or set since.
    pub fn uid(&self) -> Option<&str> {
        self.uid.as_deref()
    }

    /// Sets the pseudonymous id to persist (with the next non-empty write) unless one was
    /// already stored. Only letters, digits, `-` and `_`, up to 64 characters.
    pub fn set_uid(&mut self, uid: &str) {
        if self.uid_stored || !valid_uid(uid) {
            return;
        }
        self.uid = Some(uid.to_owned());
        self.dirty = true;
    }

    fn own_key(&self) -> String {
        format!("{}{:08x}", self.segment_prefix(), self.tab)
    }

    /// Starts using the store: reads what is there, adopts other segments, writes ours.
    /// Idempotent. Storage faults are absorbed (the journal then runs in memory).
    pub fn open(&mut self, now: i64) {
        if self.open {
            return;
        }
        self.open = true;
        self.fault = None;
        if let Err(reason) = self.restore(now) {
            self.fault = Some(reason);
            return;
        }
        self.dirty = true;
        self.flush(now);
    }

    fn restore(&mut self, now: i64) -> Result<(), MemoryReason> {
        let unavailable = |e: StoreError| MemoryReason::Unavailable(e.name);
        let meta_key = self.meta_key();
        match self.store.get(&meta_key).map_err(unavailable)? {
            None => {}
            Some(v) => match v.trim().parse::<u32>() {
                Ok(SCHEMA_VERSION) => {}
                Ok(newer) if newer > SCHEMA_VERSION => {
                    return Err(MemoryReason::NewerSchema(newer))
                }
                _ => {
                    self.stats.discarded += 1;
                    let _ = self.store.remove(&meta_key);
                }
            },
        }
        let uid_key = self.uid_key();
        match self.store.get(&uid_key).map_err(unavailable)? {
            Some(u) if valid_uid(&u) => {
                self.uid = Some(u);
                self.uid_stored = true;
            }
            Some(_) => {
                self.stats.discarded += 1;
                let _ = self.store.remove(&uid_key);
            }
            None => {}
        }
        let ns_prefix = format!("{}:{}:", self.cfg.namespace, SCHEMA_VERSION);
        let seg_prefix = self.segment_prefix();
        let own = self.own_key();
        let keys = self.store.keys().map_err(unavailable)?;
        for key in keys.iter().filter(|k| k.starts_with(&ns_prefix)) {
            let value = match self.store.get(key) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(e) => return Err(unavailable(e)),
            };
            let decoded = key
                .strip_prefix(&seg_prefix)
                .filter(|tab| tab.len() == 8 && u32::from_str_radix(tab, 16).is_ok())
                .and_then(|_| codec::decode_segment(&value));
            match decoded {
                Some((records, bad)) => {
                    self.stats.discarded += bad as u64;
                    for (id, event, enc) in records {
                        if self.insert(id, event, enc, true, false) {
                            self.stats.restored += 1;
                        }
                    }
                }
                None => {
                    // Not something this version writes: discard it.
                    self.stats.discarded += 1;
                    let _ = self.store.remove(key);
                }
            }
        }
        self.expire(now);
        self.enforce_bounds();
        // Segments to remove once ours is written.
        self.adopted = keys
            .into_iter()
            .filter(|k| k.starts_with(&seg_prefix) && *k != own)
            .collect();
        Ok(())
    }

    /// Inserts a record in (ts, id) order unless its id is known. Returns whether inserted.
    fn insert(&mut self, id: u64, event: Event, enc: String, mine: bool, flushed: bool) -> bool {
        if self.ids.insert(id, ()).is_some() {
            return false;
        }
        let key = (event.ts, id);
        let at = self
            .records
            .iter()
            .rposition(|r| (r.event.ts, r.id) <= key)
            .map_or(0, |i| i + 1);
        self.chars += enc.len() + 1;
        self.records.insert(
            at,
            Record {
                id,
                event,
                enc,
                mine,
                flushed,
            },
        );
        true
    }

    fn remove_at(&mut self, i: usize) -> Option<Record> {
        let r = self.records.remove(i)?;
        self.ids.remove(&r.id);
        self.chars -= r.enc.len() + 1;
        if r.mine {
            self.dirty = true;
        }
        Some(r)
    }

    fn expire(&mut self, now: i64) {
        let cutoff = now.saturating_sub(self.cfg.retention_ms);
        while self.records.front().is_some_and(|r| r.event.ts < cutoff) {
            self.remove_at(0);
            self.stats.expired += 1;
        }
    }

    fn enforce_bounds(&mut self) {
        while !self.records.is_empty()
            && (self.records.len() > self.cfg.max_events || self.chars > self.cfg.max_chars)
        {
            self.remove_at(0);
            self.stats.evicted += 1;
        }
    }

    /// Whether an event at `ts` is within the retention period at `now`.
    pub fn retains(&self, ts: i64, now: i64) -> bool {
        ts >= now.saturating_sub(self.cfg.retention_ms)
    }

    /// Adds an event; it is written at the next `flush`. Returns its id.
    pub fn append(&mut self, event: Event) -> u64 {
        self.seq = self.seq.wrapping_add(1);
        let id = (u64::from(self.tab) << 32) | u64::from(self.seq);
        let enc = codec::encode_record(id, &event);
        self.insert(id, event, enc, true, false);
        self.dirty = true;
        self.enforce_bounds();
        id
    }

    /// Writes this tab's segment if anything changed and storage is in use. Never fails:
    /// faults are counted and, when they persist, the journal falls back to memory.
    pub fn flush(&mut self, now: i64) {
        if !self.dirty || !self.open || self.fault.is_some() {
            return;
        }
        self.expire(now);
        let key = self.own_key();
        let own = self.records.iter().filter(|r| r.mine).count();
        // On a quota error, free the adopted segments first (their records are in memory),
        // then try again without the oldest quarter, half, … of our records, down to the
        // newest one alone. Only what is finally written without is evicted.
        let mut skips = (0..QUOTA_STEPS)
            .map(|step| own * step / QUOTA_STEPS)
            .peekable();
        let mut skip = 0;
        let wrote_records = loop {
            let value = self.segment_value(skip);
            let has_records = value.len() > codec::SEGMENT_TAG.len();
            // An empty journal leaves no key behind (not even the version marker).
            let result = if !has_records {
                self.store.remove(&key)
            } else {
                self.store
                    .set(&key, &value)
                    .and_then(|()| {
                        self.store
                            .set(&self.meta_key(), &SCHEMA_VERSION.to_string())
                    })
                    .and_then(|()| match &self.uid {
                        Some(u) if !self.uid_stored => self.store.set(&self.uid_key(), u),
                        _ => Ok(()),
                    })
            };
            match result {
                Ok(()) => break has_records,
                Err(e) if e.kind == StoreErrorKind::Quota => {
                    self.stats.quota_errors += 1;
                    if !self.adopted.is_empty() {
                        for other in std::mem::take(&mut self.adopted) {
                            let _ = self.store.remove(&other);
                        }
                        continue;
                    }
                    match skips
                        .find(|&s| s > skip)
                        .or((skip + 1 < own).then_some(own - 1))
                    {
                        Some(next) if next > skip => skip = next,
                        _ => {
                            self.fault = Some(MemoryReason::QuotaExhausted);
                            return;
                        }
                    }
                }
                Err(e) => {
                    self.stats.write_errors += 1;
                    self.fault = Some(MemoryReason::Unavailable(e.name));
                    return;
                }
            }
        };
        self.evict_oldest_own(skip);
        if wrote_records && self.uid.is_some() {
            self.uid_stored = true;
        }
        self.dirty = false;
        self.stats.flushes += 1;
        for r in self.records.iter_mut().filter(|r| r.mine) {
            r.flushed = true;
        }
        for other in std::mem::take(&mut self.adopted) {
            let _ = self.store.remove(&other);
        }
    }

    /// The value of our segment without our `skip` oldest records.
    fn segment_value(&self, skip: usize) -> String {
        let mut v = String::with_capacity(self.chars + codec::SEGMENT_TAG.len());
        v.push_str(codec::SEGMENT_TAG);
        for (i, r) in self
            .records
            .iter()
            .filter(|r| r.mine)
            .skip(skip)
            .enumerate()
        {
            if i > 0 {
                v.push(',');
            }
            v.push_str(&r.enc);
        }
        v
    }

    fn evict_oldest_own(&mut self, mut n: usize) {
        let mut i = 0;
        while n > 0 && i < self.records.len() {
            if self.records[i].mine {
                self.remove_at(i);
                self.stats.evicted += 1;
                n -= 1;
            } else {
                i += 1;
            }
        }
    }

    /// Another tab wrote `key` (a `storage` event). Merges its new records; returns whether
    /// anything changed.
    pub fn merge_external(&mut self, key: &str, value: &str, now: i64) -> bool {
        if !self.open || !key.starts_with(&self.segment_prefix()) || key == self.own_key() {
            return false;
        }
        let Some((records, _)) = codec::decode_segment(value) else {
            return false;
        };
        let mut changed = false;
        for (id, event, enc) in records {
            if self.retains(event.ts, now) && self.insert(id, event, enc, false, false) {
                self.stats.merged += 1;
                changed = true;
            }
        }
        if changed {
            self.enforce_bounds();
        }
        changed
    }

    /// Another tab removed `key` (`None`: it cleared the whole storage). Returns true when
    /// that means our data was erased elsewhere (`forget()` or a cleared site), in which case
    /// the caller must drop everything it derived from the journal.
    pub fn removed_external(&mut self, key: Option<&str>) -> bool {
        if !self.open {
            return false;
        }
        match key {
            None => {}
            Some(k) if k == self.meta_key() => {}
            Some(k) if k == self.own_key() => {
                // Another tab adopted our segment: what we flushed is in its segment now.
                for r in self.records.iter_mut().filter(|r| r.mine && r.flushed) {
                    r.mine = false;
                }
                return false;
            }
            Some(_) => return false,
        }
        self.clear_memory();
        true
    }

    /// Empties the in-memory journal (not the store).
    pub fn clear_memory(&mut self) {
        self.uid = None;
        self.uid_stored = false;
        self.records.clear();
        self.ids.clear();
        self.chars = 0;
        self.dirty = false;
        self.adopted.clear();
    }

    /// Removes every key in our namespace (any schema version) and stops using the store
    /// until `open` is called again. Returns how many keys were removed.
    pub fn erase_store(&mut self) -> Result<usize, StoreError> {
        self.open = false;
        self.adopted.clear();
        self.uid_stored = false;
        let prefix = format!("{}:", self.cfg.namespace);
        let mut removed = 0;
        for key in self.store.keys()? {
            if key.starts_with(&prefix) {
                self.store.remove(&key)?;
                removed += 1;
            }
        }
        // Everything in memory must be written again if storage is used again.
        for r in &mut self.records {
            r.mine = true;
            r.flushed = false;
        }
        self.dirty = !self.records.is_empty();
        Ok(removed)
    }
}

fn valid_uid(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 64
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests;
