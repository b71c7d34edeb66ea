//! JS values ↔ `value::Value` and results, through the tape (`src/tape.rs`,
//! `src/web/tape.js`): one call and one buffer each way instead of one call per field.
//! Reading keeps `Value`'s limits (depth, entries, string length), so a cyclic or huge
//! object fails cleanly, with the same wording as before.

use crate::value::{Value, MAX_DEPTH, MAX_ENTRIES};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/web/tape.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = encodeTape)]
    fn encode_tape(v: &JsValue, max_depth: u32, max_entries: u32) -> Result<Vec<u8>, JsValue>;
    #[wasm_bindgen(catch, js_name = decodeTape)]
    fn decode_tape(bytes: &[u8]) -> Result<JsValue, JsValue>;
}

/// What a thrown JS value says.
fn message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unreadable value".into())
}

pub fn to_value(v: &JsValue) -> Result<Value, String> {
    let bytes = encode_tape(v, MAX_DEPTH as u32, MAX_ENTRIES as u32).map_err(|e| message(&e))?;
    crate::tape::decode(&bytes).map_err(|e| e.0)
}

/// A result as a plain JS value (objects, arrays, strings, numbers, booleans, null).
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    let bytes = crate::tape::encode(value).map_err(|e| e.0)?;
    decode_tape(&bytes).map_err(|e| message(&e))
}
