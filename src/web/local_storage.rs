//! `Store` over `window.localStorage`, and the choice of store for a page.
//!
//! Nothing touches `window.localStorage` before the first call through the storage gate,
//! that is before consent: the object is fetched then. Merely touching it throws in
//! sandboxed iframes and some privacy modes (the gate then closes with the exception's
//! name, and the tracker runs in memory). There is no `window` at all in Node or workers:
//! the store is then not durable. Every error goes through `error::store_error`.

use super::error::store_error;
use crate::options::StorageKind;
use crate::store::{MemoryStore, Store, StoreError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// A `Storage` seen through `getItem` that leaves the value a JS string (no copy yet).
    type RawStorage;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item_value(this: &RawStorage, key: &str) -> Result<JsValue, JsValue>;

    /// `Uint8Array.fromBase64` (where the browser has it; `LocalStorage::native_base64`).
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = fromBase64, catch)]
    fn from_base64(s: &js_sys::JsString, options: &JsValue) -> Result<js_sys::Uint8Array, JsValue>;

    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, s: &js_sys::JsString) -> js_sys::Uint8Array;
}

/// Values longer than this (a cached model: hundreds of KB) cross as bytes from the
/// browser's native `TextEncoder` instead of the glue's character-by-character copy.
const LONG: u32 = 16 * 1024;

pub struct LocalStorage {
    window: web_sys::Window,
    /// `window.localStorage`, fetched on first use.
    storage: std::cell::OnceCell<Result<web_sys::Storage, StoreError>>,
    /// Options for `Uint8Array.fromBase64`, when the browser has it.
    native_base64: Option<JsValue>,
}

impl LocalStorage {
    fn new(window: web_sys::Window) -> LocalStorage {
        let has = js_sys::Reflect::has(
            &js_sys::Uint8Array::new_with_length(0).constructor(),
            &"fromBase64".into(),
        )
        .unwrap_or(false);
        let native_base64 = has.then(|| {
            let o = js_sys::Object::new();
            // Our base64 is unpadded: the last chunk may be short.
            let _ = js_sys::Reflect::set(&o, &"lastChunkHandling".into(), &"loose".into());
            o.into()
        });
        LocalStorage {
            window,
            storage: std::cell::OnceCell::new(),
            native_base64,
        }
    }

    fn storage(&self) -> Result<&web_sys::Storage, StoreError> {
        self.storage
            .get_or_init(|| match self.window.local_storage() {
                Ok(Some(s)) => Ok(s),
                Ok(None) => Err(StoreError::from_name("NoLocalStorage")),
                Err(e) => Err(store_error(e)),
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn get_string(&self, key: &str) -> Result<Option<js_sys::JsString>, StoreError> {
        let raw: &RawStorage = self.storage()?.unchecked_ref();
        let v = raw.get_item_value(key).map_err(store_error)?;
        Ok(v.dyn_into::<js_sys::JsString>().ok())
    }
}

impl Store for LocalStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let Some(s) = self.get_string(key)? else {
            return Ok(None);
        };
        if s.length() < LONG {
            return Ok(s.as_string());
        }
        let bytes = TextEncoder::new().encode(&s).to_vec();
        // TextEncoder writes UTF-8 (lone surrogates become U+FFFD, as with `as_string`).
        Ok(Some(String::from_utf8(bytes).unwrap_or_else(|e| {
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        })))
    }

    fn get_head(&self, key: &str, chars: usize) -> Result<Option<String>, StoreError> {
        // Only the head crosses into the module (UTF-16 units; our values are ASCII).
        Ok(self
            .get_string(key)?
            .and_then(|s| s.slice(0, chars as u32).as_string()))
    }

    fn get_base64(&self, key: &str, skip: usize) -> Result<Option<Option<Vec<u8>>>, StoreError> {
        let Some(options) = &self.native_base64 else {
            return Ok(self
                .get(key)?
                .map(|v| v.get(skip..).and_then(crate::base64::base64_decode)));
        };
        let Some(s) = self.get_string(key)? else {
            return Ok(None);
        };
        let s = if skip > 0 {
            s.slice(skip as u32, s.length())
        } else {
            s
        };
        // The browser decodes; only the bytes are copied in. A value that is not base64
        // throws a SyntaxError: "there, but not base64".
        Ok(Some(from_base64(&s, options).ok().map(|b| b.to_vec())))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.storage()?.set_item(key, value).map_err(store_error)
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.storage()?.remove_item(key).map_err(store_error)
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let storage = self.storage()?;
        let n = storage.length().map_err(store_error)?;
        let mut keys = Vec::with_capacity(n.min(10_000) as usize);
        for i in 0..n {
            if let Some(k) = storage.key(i).map_err(store_error)? {
                keys.push(k);
            }
        }
        Ok(keys)
    }

    fn durable(&self) -> bool {
        true
    }
}

/// The store for `kind`. Touches no storage: `localStorage` is first fetched through the
/// gate, with consent.
pub fn open(kind: StorageKind) -> Box<dyn Store> {
    match (kind, web_sys::window()) {
        (StorageKind::Local, Some(window)) => Box::new(LocalStorage::new(window)),
        _ => Box::new(MemoryStore::new()),
    }
}
