//! The one gate to storage, and the one home of every stored key and layout.
//!
//! `Storage<S>` owns the `Store`. Nothing else holds it: every read or write goes through
//! `Storage::access`, which answers only after personalisation consent opened the gate and
//! while no fault (a newer schema, a refusing or full store) closed it. Erasure is the one
//! thing allowed without consent: it only removes. The first write of a page view also
//! writes the schema marker, so no key of ours ever stands without it.
//!
//! `keys` names every key and documents it (README.md's table); `record`, `small` and
//! `model` are the only code that knows how values look in storage.

pub mod keys;
pub mod model;
pub mod record;
pub mod small;

use crate::store::{Store, StoreError, StoreErrorKind};
pub use keys::{Keys, Kind, SCHEMA_VERSION};
use serde::Serialize;
use std::cell::{Cell, RefCell};

/// Why nothing is written to durable storage.
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

pub struct Storage<S: Store> {
    store: S,
    keys: Keys,
    /// Consent granted and the schema marker checked.
    open: Cell<bool>,
    fault: RefCell<Option<MemoryReason>>,
    /// `ns:meta` is known to hold our version (read on open, or written since).
    meta_written: Cell<bool>,
}

/// What `Storage::open` found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    /// Values that were not ours to keep (a bad schema marker) and were removed.
    pub discarded: u64,
}

impl<S: Store> Storage<S> {
    /// Touches nothing: the store is first used by `open` (with consent).
    pub fn new(store: S, namespace: &str) -> Storage<S> {
        Storage {
            store,
            keys: Keys::new(namespace),
            open: Cell::new(false),
            fault: RefCell::new(None),
            meta_written: Cell::new(false),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Opens the gate (consent was granted): checks the schema marker. A newer schema, or
    /// a store that throws, leaves it closed with the reason. Idempotent.
    pub fn open(&self) -> Opened {
        let mut out = Opened::default();
        if self.open.get() {
            return out;
        }
        self.open.set(true);
        *self.fault.borrow_mut() = None;
        let meta = self.keys.meta();
        match self.store.get(&meta) {
            Err(e) => self.fail(unavailable(e)),
            Ok(None) => self.meta_written.set(false),
            Ok(Some(v)) => match v.trim().parse::<u32>() {
                Ok(SCHEMA_VERSION) => self.meta_written.set(true),
                Ok(newer) if newer > SCHEMA_VERSION => self.fail(MemoryReason::NewerSchema(newer)),
                _ => {
                    out.discarded += 1;
                    self.meta_written.set(false);
                    let _ = self.store.remove(&meta);
                }
            },
        }
        out
    }

    /// Closes the gate (consent is no longer granted). Removes nothing.
    pub fn close(&self) {
        self.open.set(false);
    }

    pub fn is_open(&self) -> bool {
        self.open.get()
    }

    /// The gate: the store, only with consent and while no fault closed it.
    pub fn access(&self) -> Option<Access<'_, S>> {
        (self.open.get() && self.fault.borrow().is_none()).then_some(Access { s: self })
    }

    /// A fault that stops every read and write until the next `open`.
    pub fn fail(&self, reason: MemoryReason) {
        *self.fault.borrow_mut() = Some(reason);
    }

    pub fn fault(&self) -> Option<MemoryReason> {
        self.fault.borrow().clone()
    }

    /// `None` when writing to durable storage, else why not.
    pub fn memory_reason(&self) -> Option<MemoryReason> {
        if !self.open.get() {
            Some(MemoryReason::NoConsent)
        } else if let Some(f) = self.fault() {
            Some(f)
        } else if !self.store.durable() {
            Some(MemoryReason::NotDurable)
        } else {
            None
        }
    }

    pub fn durable(&self) -> bool {
        self.store.durable()
    }

    /// Removes every key of the namespace (any schema version, any kind) and closes the
    /// gate. Allowed without consent: it only removes. Returns how many keys went.
    pub fn erase(&self) -> usize {
        self.close();
        self.meta_written.set(false);
        let Ok(keys) = self.store.keys() else {
            return 0;
        };
        keys.iter()
            .filter(|k| self.keys.is_ours(k))
            .filter(|k| self.store.remove(k).is_ok())
            .count()
    }
}

fn unavailable(e: StoreError) -> MemoryReason {
    MemoryReason::Unavailable(e.name)
}

/// The open gate. Reads are plain; a write also writes the schema marker the first time,
/// and a refusing store (not a full one: the caller decides what to give up) closes the gate.
pub struct Access<'a, S: Store> {
    s: &'a Storage<S>,
}

impl<S: Store> Access<'_, S> {
    pub fn keys(&self) -> &Keys {
        &self.s.keys
    }

    pub fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.s.store.get(key).inspect_err(|e| self.refused(e))
    }

    pub fn get_base64(
        &self,
        key: &str,
        skip: usize,
    ) -> Result<Option<Option<Vec<u8>>>, StoreError> {
        self.s
            .store
            .get_base64(key, skip)
            .inspect_err(|e| self.refused(e))
    }

    pub fn get_head(&self, key: &str, chars: usize) -> Result<Option<String>, StoreError> {
        self.s
            .store
            .get_head(key, chars)
            .inspect_err(|e| self.refused(e))
    }

    /// Every key of our namespace now in the store.
    pub fn our_keys(&self) -> Result<Vec<String>, StoreError> {
        let all = self.s.store.keys().inspect_err(|e| self.refused(e))?;
        Ok(all.into_iter().filter(|k| self.s.keys.is_ours(k)).collect())
    }

    pub fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if !self.s.meta_written.get() {
            self.s
                .store
                .set(&self.s.keys.meta(), &SCHEMA_VERSION.to_string())
                .inspect_err(|e| self.refused(e))?;
            self.s.meta_written.set(true);
        }
        self.s
            .store
            .set(key, value)
            .inspect_err(|e| self.refused(e))
    }

    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.s.store.remove(key).inspect_err(|e| self.refused(e))
    }

    /// Removes the schema marker when no other key of ours is left (an empty journal leaves
    /// no key at all).
    pub fn tidy(&self) {
        let Ok(keys) = self.our_keys() else { return };
        let meta = self.s.keys.meta();
        if keys.iter().all(|k| *k == meta) && !keys.is_empty() {
            let _ = self.s.store.remove(&meta);
            self.s.meta_written.set(false);
        }
    }

    fn refused(&self, e: &StoreError) {
        if e.kind != StoreErrorKind::Quota {
            self.s.fail(MemoryReason::Unavailable(e.name.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn nothing_is_touched_before_open_and_erase_only_removes() {
        let store = MemoryStore::new();
        store.set("cp:1:j:00000001", "c1;").unwrap();
        store.set("cp:model", "x").unwrap();
        store.set("cpx:meta", "1").unwrap();
        store.fail_with(Some("SecurityError"));
        let s = Storage::new(&store, "cp");
        assert!(s.access().is_none());
        assert_eq!(s.memory_reason(), Some(MemoryReason::NoConsent));
        store.fail_with(None);
        let writes = store.writes();
        assert_eq!(s.erase(), 2);
        assert_eq!(store.writes(), writes, "removals only");
        assert_eq!(store.keys().unwrap(), ["cpx:meta"]);
    }

    #[test]
    fn the_first_write_brings_the_schema_marker_and_faults_close_the_gate() {
        let store = MemoryStore::new();
        let s = Storage::new(&store, "cp");
        s.open();
        let a = s.access().unwrap();
        a.set("cp:uid", "u").unwrap();
        assert_eq!(store.get("cp:meta").unwrap().as_deref(), Some("1"));
        a.remove("cp:uid").unwrap();
        a.tidy();
        assert!(store.keys().unwrap().is_empty());
        store.fail_with(Some("SecurityError"));
        assert!(a.set("cp:uid", "u").is_err());
        assert!(s.access().is_none());
        assert_eq!(
            s.memory_reason(),
            Some(MemoryReason::Unavailable("SecurityError".into()))
        );
    }

    #[test]
    fn a_newer_schema_keeps_the_gate_closed_and_a_bad_marker_is_discarded() {
        let store = MemoryStore::new();
        store.set("cp:meta", "2").unwrap();
        let s = Storage::new(&store, "cp");
        s.open();
        assert!(s.access().is_none());
        assert_eq!(s.memory_reason(), Some(MemoryReason::NewerSchema(2)));
        store.set("cp:meta", "garbage").unwrap();
        let s = Storage::new(&store, "cp");
        assert_eq!(s.open().discarded, 1);
        assert!(s.access().is_some());
        assert_eq!(store.get("cp:meta").unwrap(), None);
    }
}
