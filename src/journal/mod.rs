//! The event journal: a bounded, durable, multi-tab log of events over any `Store`.
//!
//! `ns:1:j:<tab>` is one segment per tab (`storage::record` has its layout). A tab only ever
//! writes its own segment, so two tabs never overwrite each other. On restore, a tab adopts
//! every other segment: it merges them, and its next flush writes its own segment and only
//! then removes theirs (the tracker defers that flush to the batched write unless the
//! restore dropped something). A tab that is still alive rewrites what it still owns; duplicates are dropped by
//! record id (`tab << 32 | seq`) on every read.
//!
//! Bounds: at most `max_events` records and `max_chars` encoded characters; the oldest go
//! first and are counted as evicted. Records older than `retention_ms` are dropped on load
//! and never used. A quota error evicts the oldest quarter and retries; if even the newest
//! record cannot be written, the journal keeps working in memory and says why.
//! The journal holds no store: it reads and writes only through the gate it is handed
//! (`storage::Storage::access`), so without consent it cannot touch storage at all.

use crate::event::Event;
use crate::sorted_map::SortedMap;
use crate::storage::{record, Access, Kind, MemoryReason, Storage};
use crate::store::{Store, StoreErrorKind};
use serde::Serialize;
use std::collections::VecDeque;
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

pub struct Journal {
    cfg: JournalConfig,
    tab: u32,
    seq: u32,
    /// In (ts, id) order; a deque, because the oldest leave first (bounds, retention).
    records: VecDeque<Record>,
    ids: SortedMap<u64, ()>,
    chars: usize,
    dirty: bool,
    /// Stored segments were read (once per opening of the gate).
    restored: bool,
    /// Other tabs' segments read on restore, removed once our segment holds their records.
    adopted: Vec<String>,
    stats: JournalStats,
}

impl Journal {
    /// A journal for this tab (`tab` should be random per page view).
    pub fn new(cfg: JournalConfig, tab: u32) -> Journal {
        Journal {
            cfg,
            tab,
            seq: 0,
            records: VecDeque::new(),
            ids: SortedMap::new(),
            chars: 0,
            dirty: false,
            restored: false,
            adopted: Vec::new(),
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

    /// Counts values the storage gate threw away (a bad schema marker).
    pub fn count_discarded(&mut self, n: u64) {
        self.stats.discarded += n;
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

    /// The newest event's time, if any.
    pub fn newest_ts(&self) -> Option<i64> {
        self.records.back().map(|r| r.event.ts)
    }

    /// Whether unflushed changes are waiting.
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// Reads what the store holds and adopts other tabs' segments (once per opening of the
    /// gate); the next `flush` writes ours and removes theirs. Faults close the gate; the
    /// journal then keeps working in memory.
    pub fn restore<S: Store>(&mut self, storage: &Storage<S>, now: i64) {
        if self.restored {
            return;
        }
        let Some(access) = storage.access() else {
            return;
        };
        self.restored = true;
        let Ok(keys) = access.our_keys() else { return };
        let own = access.keys().segment(self.tab);
        for key in &keys {
            let kind = access.keys().kind(key);
            if !matches!(kind, Some(Kind::Segment(_) | Kind::Other)) {
                continue;
            }
            let value = match access.get(key) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(_) => return,
            };
            let decoded = match kind {
                Some(Kind::Segment(_)) => record::decode_segment(&value),
                _ => None,
            };
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
                    let _ = access.remove(key);
                }
            }
        }
        self.expire(now);
        self.enforce_bounds();
        // Segments to remove once ours is written.
        self.adopted = keys
            .into_iter()
            .filter(|k| matches!(access.keys().kind(k), Some(Kind::Segment(_))) && *k != own)
            .collect();
        self.dirty = true;
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
        let enc = record::encode_record(id, &event);
        self.insert(id, event, enc, true, false);
        self.dirty = true;
        self.enforce_bounds();
        id
    }

    /// Writes this tab's segment if anything changed and the gate is open. Never fails:
    /// faults are counted and, when they persist, close the gate (memory mode). Returns
    /// whether our segment now holds records.
    pub fn flush<S: Store>(&mut self, storage: &Storage<S>, now: i64) -> bool {
        let Some(access) = storage.access() else {
            return false;
        };
        if !self.restored {
            self.restore(storage, now);
        }
        if !self.dirty {
            return self.records.iter().any(|r| r.mine);
        }
        self.expire(now);
        let key = access.keys().segment(self.tab);
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
            let has_records = value.len() > record::SEGMENT_TAG.len();
            // An empty journal leaves no segment behind.
            let result = if has_records {
                access.set(&key, &value)
            } else {
                access.remove(&key)
            };
            match result {
                Ok(()) => break has_records,
                Err(e) if e.kind == StoreErrorKind::Quota => {
                    self.stats.quota_errors += 1;
                    if !self.adopted.is_empty() {
                        self.remove_adopted(&access);
                        continue;
                    }
                    match skips
                        .find(|&s| s > skip)
                        .or((skip + 1 < own).then_some(own - 1))
                    {
                        Some(next) if next > skip => skip = next,
                        _ => {
                            storage.fail(MemoryReason::QuotaExhausted);
                            return false;
                        }
                    }
                }
                Err(_) => {
                    // The gate closed itself (the store refused).
                    self.stats.write_errors += 1;
                    return false;
                }
            }
        };
        self.evict_oldest_own(skip);
        self.dirty = false;
        self.stats.flushes += 1;
        for r in self.records.iter_mut().filter(|r| r.mine) {
            r.flushed = true;
        }
        self.remove_adopted(&access);
        if !wrote_records {
            access.tidy();
        }
        wrote_records
    }

    fn remove_adopted<S: Store>(&mut self, access: &Access<'_, S>) {
        for other in std::mem::take(&mut self.adopted) {
            let _ = access.remove(&other);
        }
    }

    /// The value of our segment without our `skip` oldest records.
    fn segment_value(&self, skip: usize) -> String {
        let mut v = String::with_capacity(self.chars + record::SEGMENT_TAG.len());
        v.push_str(record::SEGMENT_TAG);
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

    /// Another tab wrote its segment (a `storage` event; the caller checked the key).
    /// Merges its new records; returns whether anything changed. Only while restored.
    pub fn merge_external(&mut self, value: &str, now: i64) -> bool {
        if !self.restored {
            return false;
        }
        let Some((records, _)) = record::decode_segment(value) else {
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

    /// Another tab removed our own segment: it adopted it, so what we flushed is in its
    /// segment now.
    pub fn adopted_elsewhere(&mut self) {
        for r in self.records.iter_mut().filter(|r| r.mine && r.flushed) {
            r.mine = false;
        }
    }

    /// Empties the in-memory journal (not the store).
    pub fn clear_memory(&mut self) {
        self.records.clear();
        self.ids.clear();
        self.chars = 0;
        self.dirty = false;
        self.adopted.clear();
    }

    /// The store was erased (or the gate closed): what is in memory must be written again
    /// if storage is used again, and stored segments read again.
    pub fn forget_store(&mut self) {
        self.restored = false;
        self.adopted.clear();
        for r in &mut self.records {
            r.mine = true;
            r.flushed = false;
        }
        self.dirty = !self.records.is_empty();
    }
}

#[cfg(test)]
mod tests;
