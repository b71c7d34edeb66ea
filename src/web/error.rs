//! The one place where JS errors become Rust errors and Rust errors become JS errors.
//!
//! Every exported function returns `Result<T, JsError>` whose message is the core error's
//! stable, area-prefixed text (`"event: …"`, `"config: …"`, `"storage: …"`). A thrown DOM
//! exception keeps its name (`QuotaExceededError`, `SecurityError`) on the way in.

use crate::store::StoreError;
use wasm_bindgen::{JsCast, JsError, JsValue};

/// Classifies whatever a storage call threw by its DOM exception name.
pub fn store_error(e: JsValue) -> StoreError {
    let name = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.name()))
        .or_else(|| {
            js_sys::Reflect::get(&e, &JsValue::from_str("name"))
                .ok()
                .and_then(|n| n.as_string())
        })
        .unwrap_or_else(|| "Error".into());
    StoreError::from_name(&name)
}

/// A core error as the `Error` the page sees.
pub fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// An error while reading a value handed in by the page (`area`: "event", "config").
pub fn read_error(area: &str, why: String) -> JsError {
    JsError::new(&format!("{area}: could not read the value ({why})"))
}
