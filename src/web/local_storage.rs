//! `Store` over `window.localStorage`, and the choice of store for a page.
//!
//! Merely touching `window.localStorage` throws in sandboxed iframes and some privacy
//! modes, and there is no `window` at all in Node or workers: `open` returns the reason and
//! the caller runs in memory. Every call goes through `error::store_error`.

use super::error::store_error;
use crate::options::StorageKind;
use crate::store::{MemoryStore, Store, StoreError};

pub struct LocalStorage(web_sys::Storage);

impl Store for LocalStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get_item(key).map_err(store_error)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.set_item(key, value).map_err(store_error)
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.0.remove_item(key).map_err(store_error)
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let n = self.0.length().map_err(store_error)?;
        let mut keys = Vec::with_capacity(n as usize);
        for i in 0..n {
            if let Some(k) = self.0.key(i).map_err(store_error)? {
                keys.push(k);
            }
        }
        Ok(keys)
    }

    fn durable(&self) -> bool {
        true
    }
}

/// The store for `kind`, and why it is memory when localStorage was asked for.
pub fn open(kind: StorageKind) -> (Box<dyn Store>, Option<String>) {
    if kind == StorageKind::Memory {
        return (Box::new(MemoryStore::new()), None);
    }
    let Some(window) = web_sys::window() else {
        return (Box::new(MemoryStore::new()), Some("no window".into()));
    };
    match window.local_storage() {
        Ok(Some(storage)) => {
            // Some browsers expose a storage object that throws on first use.
            match storage.length() {
                Ok(_) => (Box::new(LocalStorage(storage)), None),
                Err(e) => (Box::new(MemoryStore::new()), Some(store_error(e).name)),
            }
        }
        Ok(None) => (Box::new(MemoryStore::new()), Some("no localStorage".into())),
        Err(e) => (Box::new(MemoryStore::new()), Some(store_error(e).name)),
    }
}
