//! The storage interface: a tiny string key-value trait, and the in-memory store.
//!
//! `Store` is all the journal knows about persistence (GrowthBook-style: a few methods over
//! strings, `&self`). `src/web/local_storage.rs` implements it over `window.localStorage`;
//! `MemoryStore` implements it in memory, with an optional quota so that tests can play
//! "storage full". Errors carry the DOM exception name so reports can say what happened.

use crate::sorted_map::SortedMap;
use std::cell::{Cell, RefCell};
use std::fmt;

/// A string key-value store. Every call may fail; callers never let a failure escape.
pub trait Store {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&self, key: &str) -> Result<(), StoreError>;
    /// Every key currently in the store (ours and others': callers filter by prefix).
    fn keys(&self) -> Result<Vec<String>, StoreError>;
    /// Whether what is written outlives the page (localStorage: yes; memory: no).
    fn durable(&self) -> bool {
        false
    }
    /// The value under `key` from character `skip` on, decoded from base64 (`Some(None)`:
    /// there, but not base64). A store whose platform decodes natively overrides it, so that
    /// a value of hundreds of KB (a cached model) never crosses into the module as text.
    fn get_base64(&self, key: &str, skip: usize) -> Result<Option<Option<Vec<u8>>>, StoreError> {
        Ok(self
            .get(key)?
            .map(|v| v.get(skip..).and_then(crate::base64::base64_decode)))
    }
    /// The first `chars` characters of the value under `key` (a stamp, without reading a
    /// value of hundreds of KB).
    fn get_head(&self, key: &str, chars: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(key)?.map(|v| {
            v.char_indices()
                .nth(chars)
                .map_or(v.clone(), |(i, _)| v[..i].to_owned())
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The store is full (`QuotaExceededError`).
    Quota,
    /// The store refuses access (`SecurityError`: sandboxed iframe, blocked cookies).
    Denied,
    /// Anything else.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub kind: StoreErrorKind,
    /// The DOM exception name (`QuotaExceededError`, `SecurityError`, …) or a short word.
    pub name: String,
}

impl StoreError {
    pub fn quota() -> StoreError {
        StoreError {
            kind: StoreErrorKind::Quota,
            name: "QuotaExceededError".into(),
        }
    }

    /// Classifies a DOM exception by its name (browsers differ on quota errors).
    pub fn from_name(name: &str) -> StoreError {
        let kind = match name {
            "QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED" => StoreErrorKind::Quota,
            "SecurityError" | "NotAllowedError" => StoreErrorKind::Denied,
            _ => StoreErrorKind::Other,
        };
        StoreError {
            kind,
            name: name.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let what = match self.kind {
            StoreErrorKind::Quota => "quota exceeded",
            StoreErrorKind::Denied => "access denied",
            StoreErrorKind::Other => "failed",
        };
        write!(f, "storage: {what} ({})", self.name)
    }
}

impl std::error::Error for StoreError {}

/// An in-memory store. `quota` bounds the stored characters (keys plus values, as browsers
/// count them); writes past it fail with `QuotaExceededError`, like localStorage.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<SortedMap<String, String>>,
    quota: Option<usize>,
    /// When set, every call fails with this DOM exception name.
    failing: RefCell<Option<String>>,
    writes: Cell<u64>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    pub fn with_quota(chars: usize) -> MemoryStore {
        MemoryStore {
            quota: Some(chars),
            ..MemoryStore::default()
        }
    }

    /// Makes every later call fail with `name` (or work again with `None`).
    pub fn fail_with(&self, name: Option<&str>) {
        *self.failing.borrow_mut() = name.map(str::to_owned);
    }

    /// How many successful `set` calls there were.
    pub fn writes(&self) -> u64 {
        self.writes.get()
    }

    /// Characters used, counted like browsers count localStorage (UTF-16 units).
    pub fn used(&self) -> usize {
        self.map
            .borrow()
            .iter()
            .map(|(k, v)| utf16_len(k) + utf16_len(v))
            .sum()
    }

    fn check(&self) -> Result<(), StoreError> {
        match &*self.failing.borrow() {
            Some(name) => Err(StoreError::from_name(name)),
            None => Ok(()),
        }
    }
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

impl Store for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.map.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        if let Some(quota) = self.quota {
            let old = self
                .map
                .borrow()
                .get(key)
                .map_or(0, |v| utf16_len(key) + utf16_len(v));
            if self.used() - old + utf16_len(key) + utf16_len(value) > quota {
                return Err(StoreError::quota());
            }
        }
        self.map
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.map.borrow_mut().remove(key);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.check()?;
        Ok(self.map.borrow().keys().cloned().collect())
    }
}

/// Stores behind a reference, a box or a shared pointer are stores too (so two journals
/// can share one, as two tabs share localStorage).
macro_rules! delegate_store {
    ($($ptr:ty),*) => {$(
        impl<S: Store + ?Sized> Store for $ptr {
            fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
                (**self).get(key)
            }
            fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
                (**self).set(key, value)
            }
            fn remove(&self, key: &str) -> Result<(), StoreError> {
                (**self).remove(key)
            }
            fn keys(&self) -> Result<Vec<String>, StoreError> {
                (**self).keys()
            }
            fn durable(&self) -> bool {
                (**self).durable()
            }
            fn get_base64(&self, key: &str, skip: usize) -> Result<Option<Option<Vec<u8>>>, StoreError> {
                (**self).get_base64(key, skip)
            }
            fn get_head(&self, key: &str, chars: usize) -> Result<Option<String>, StoreError> {
                (**self).get_head(key, chars)
            }
        }
    )*};
}

delegate_store!(&S, Box<S>, std::rc::Rc<S>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_quota_and_faults() {
        let s = MemoryStore::with_quota(10);
        s.set("ab", "cdef").unwrap();
        assert_eq!(s.used(), 6);
        assert_eq!(
            s.set("x", "123456").unwrap_err().kind,
            StoreErrorKind::Quota
        );
        s.set("ab", "cdefghij").unwrap(); // replacing counts only the new value
        assert_eq!(s.get("ab").unwrap().as_deref(), Some("cdefghij"));
        s.fail_with(Some("SecurityError"));
        let e = s.get("ab").unwrap_err();
        assert_eq!(e.kind, StoreErrorKind::Denied);
        assert_eq!(e.to_string(), "storage: access denied (SecurityError)");
        s.fail_with(None);
        s.remove("ab").unwrap();
        assert!(s.keys().unwrap().is_empty());
    }
}
