//! Export of the consented journal for the feedback loop (`exportEvents`).
//!
//! Every event goes out at most once per batch id: a batch is the oldest not-yet-exported
//! records (up to a size), its id a hash of the user and their record ids, so a batch that
//! is resent (a retry, a beacon after a timeout) carries the same id and the collector can
//! drop the duplicate, while two shoppers' batches never share an id (record ids are only
//! unique within one browser). Which ids were delivered is the tracker's export log (`ns:exported`); the
//! user is the pseudonymous id. Pure; the web layer sends.

use crate::event::Event;
use crate::sha256::{hex, sha256};

/// One batch to send.
pub struct Batch<'a> {
    pub id: String,
    pub events: Vec<(u64, &'a Event)>,
}

/// The next batch: up to `max` records whose ids are not in `exported`, oldest first.
pub fn next_batch<'a>(
    user: &str,
    records: impl Iterator<Item = (u64, &'a Event)>,
    exported: &[u64],
    max: usize,
) -> Option<Batch<'a>> {
    let events: Vec<(u64, &Event)> = records
        .filter(|(id, _)| exported.binary_search(id).is_err())
        .take(max)
        .collect();
    if events.is_empty() {
        return None;
    }
    let mut bytes = Vec::with_capacity(user.len() + 1 + events.len() * 8);
    bytes.extend_from_slice(user.as_bytes());
    bytes.push(0);
    for (id, _) in &events {
        bytes.extend_from_slice(&id.to_le_bytes());
    }
    Some(Batch {
        id: hex(&sha256(&bytes)[..12]),
        events,
    })
}

/// Adds `ids` to the sorted `exported` list and drops ids the journal no longer holds.
pub fn mark(exported: &mut Vec<u64>, ids: &[u64], still_held: &dyn Fn(u64) -> bool) {
    exported.extend_from_slice(ids);
    crate::sort::sort_by(exported, Ord::cmp);
    exported.dedup();
    exported.retain(|&id| still_held(id));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventType;

    #[test]
    fn batches_are_idempotent_and_never_repeat() {
        let events: Vec<(u64, Event)> = (1..=5)
            .map(|i| (i, Event::new(EventType::PageView, i as i64)))
            .collect();
        let recs = || events.iter().map(|(id, e)| (*id, e));
        let mut exported = Vec::new();
        let a = next_batch("u1", recs(), &exported, 3).unwrap();
        let again = next_batch("u1", recs(), &exported, 3).unwrap();
        assert_eq!(a.id, again.id, "a resent batch keeps its id");
        let ids: Vec<u64> = a.events.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, [1, 2, 3]);
        mark(&mut exported, &ids, &|id| id != 1); // 1 was evicted from the journal meanwhile
        assert_eq!(exported, [2, 3]);
        let b = next_batch("u1", recs(), &exported, 3).unwrap();
        assert_eq!(
            b.events.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [1, 4, 5]
        );
        assert_ne!(a.id, b.id);
        // Another shopper's first records carry the same record ids: not the same batch.
        let other = next_batch("u2", recs(), &[], 3).unwrap();
        assert_ne!(other.id, next_batch("u1", recs(), &[], 3).unwrap().id);
    }
}
