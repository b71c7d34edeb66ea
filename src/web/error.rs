//! The one place where JS errors become Rust errors and Rust errors become JS errors.
//!
//! Every exported function returns `Result<T, JsError>` whose message is stable and
//! area-prefixed (`"event: …"`, `"config: …"`, `"model: …"`): a core error's own text, or
//! one built here. A thrown DOM exception keeps its name (`QuotaExceededError`,
//! `SecurityError`) on the way in. No other file builds a `JsError`.

use crate::store::StoreError;
use std::fmt::Display;
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

/// What a thrown JS value says.
pub fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// A core error (its text is already area-prefixed) as the `Error` the page sees.
pub fn js_error(e: impl Display) -> JsError {
    JsError::new(&e.to_string())
}

/// An error of `area` (`"config"`, `"model"`, `"export"`, `"dom"`, `"personalizer"`).
pub fn fail(area: &str, what: impl Display) -> JsError {
    JsError::new(&format!("{area}: {what}"))
}

#[cfg(any(feature = "delivery", feature = "export"))]
/// The same, as the value a rejected promise carries.
pub fn reject(area: &str, what: impl Display) -> JsValue {
    fail(area, what).into()
}

/// An error while reading a value handed in by the page (`area`: "event", "config").
pub fn read_error(area: &str, why: String) -> JsError {
    fail(area, format_args!("could not read the value ({why})"))
}

/// A call made from inside one of our own callbacks (a `now` clock that calls back in).
pub fn busy() -> JsError {
    fail("personalizer", "busy (called from inside its own callback)")
}
