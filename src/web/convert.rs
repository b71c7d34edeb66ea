//! JS values ↔ `value::Value` and results, through the tape (`src/tape.rs`,
//! `src/web/tape.js`): one call and one buffer each way instead of one call per field.
//! Reading keeps `Value`'s limits (depth, entries, string length), so a cyclic or huge
//! object fails cleanly, with the same wording as before.

use super::error::{fail, js_text};
use crate::value::{Value, MAX_DEPTH, MAX_ENTRIES, MAX_STRING};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/tape.js")]
extern "C" {
    /// `max_string` is only read when `lenient`.
    #[wasm_bindgen(catch, js_name = encodeTape)]
    fn encode_tape(
        v: &JsValue,
        max_depth: u32,
        max_entries: u32,
        lenient: bool,
        max_string: u32,
    ) -> Result<Vec<u8>, JsValue>;
    #[wasm_bindgen(catch, js_name = decodeTape)]
    fn decode_tape(bytes: &[u8]) -> Result<JsValue, JsValue>;
}

pub fn to_value(v: &JsValue) -> Result<Value, String> {
    let bytes =
        encode_tape(v, MAX_DEPTH as u32, MAX_ENTRIES as u32, false, 0).map_err(|e| js_text(&e))?;
    crate::tape::decode(&bytes).map_err(|e| e.0)
}

/// `to_value` for what the page put in its `dataLayer`, read leniently: a part beyond
/// `Value`'s limits or not a plain value (GTM's `eventCallback` function, a long string, a
/// deep object) is null, a long list keeps its first entries; the rest of the entry stays.
pub fn to_value_lenient(v: &JsValue) -> Result<Value, String> {
    let bytes = encode_tape(
        v,
        MAX_DEPTH as u32,
        MAX_ENTRIES as u32,
        true,
        MAX_STRING as u32,
    )
    .map_err(|e| js_text(&e))?;
    crate::tape::decode(&bytes).map_err(|e| e.0)
}

#[cfg(feature = "dom")]
/// `to_value` with another bound on list and object entries (a catalogue).
pub fn to_value_with(v: &JsValue, max_entries: usize) -> Result<Value, String> {
    let bytes =
        encode_tape(v, MAX_DEPTH as u32, max_entries as u32, false, 0).map_err(|e| js_text(&e))?;
    crate::tape::decode_with(&bytes, max_entries).map_err(|e| e.0)
}

/// A result as a plain JS value (objects, arrays, strings, numbers, booleans, null).
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let bytes = crate::tape::encode(value).map_err(|e| {
        fail(
            "personalizer",
            format_args!("could not build the result ({})", e.0),
        )
    })?;
    decode_tape(&bytes).map_err(|e| {
        fail(
            "personalizer",
            format_args!("could not build the result ({})", js_text(&e)),
        )
    })
}
