//! Which records `exportEvents` delivered (`ns:exported`), so none is sent twice.
//!
//! Ids leave the log with their events (only ids the journal still holds are kept), and
//! the key expires `retentionDays` after the last delivered batch.

use crate::event::Event;
use crate::export::{self, Batch};
use crate::storage::{small, Access};
use crate::store::Store;

#[derive(Default)]
pub struct ExportLog {
    /// Delivered ids, sorted (read from storage once the gate opens).
    ids: Vec<u64>,
}

impl ExportLog {
    /// With the gate open: reads the stored ids (dropping the key when it expired or is
    /// damaged).
    pub fn open<S: Store>(&mut self, a: &Access<'_, S>, now: i64, retention_ms: i64) {
        let key = a.keys().exported();
        let Some(v) = a.get(&key).ok().flatten() else {
            return;
        };
        let (written, payload) = small::unstamp(&v);
        match small::decode_ids(payload) {
            Some(ids) if !small::expired(written, now, retention_ms) => {
                self.ids = ids;
            }
            _ => {
                let _ = a.remove(&key);
            }
        }
    }

    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// The next batch of not-yet-delivered records, up to `max`.
    pub fn next_batch<'a>(
        &self,
        user: &str,
        records: impl Iterator<Item = (u64, &'a Event)>,
        max: usize,
    ) -> Option<Batch<'a>> {
        export::next_batch(user, records, &self.ids, max.max(1))
    }

    /// Records that these were delivered; `held`: the ids the journal holds now, sorted.
    pub fn mark<S: Store>(&mut self, a: &Access<'_, S>, ids: &[u64], held: &[u64], now: i64) {
        export::mark(&mut self.ids, ids, &|id| held.binary_search(&id).is_ok());
        let _ = a.set(
            &a.keys().exported(),
            &small::stamp(now, &small::encode_ids(&self.ids)),
        );
    }

    /// The store was erased.
    pub fn clear(&mut self) {
        self.ids.clear();
    }
}
