//! JS values → `value::Value`, by hand: no serde deserializer in the wasm (serde's error
//! paths would pull in float formatting). The same bounds as `Value`'s own deserializer:
//! depth, entries and string length, so a cyclic or huge object fails cleanly.

use crate::value::{Value, MAX_DEPTH, MAX_ENTRIES, MAX_STRING};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub fn to_value(v: &JsValue) -> Result<Value, String> {
    read(v, 0)
}

fn read(v: &JsValue, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        return Ok(Value::Num(n));
    }
    if let Some(s) = v.as_string() {
        if s.len() > MAX_STRING {
            return Err(format!("string longer than {MAX_STRING} bytes"));
        }
        return Ok(Value::Str(s));
    }
    if let Some(a) = v.dyn_ref::<Array>() {
        if a.length() as usize > MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} entries"));
        }
        return a
            .iter()
            .map(|x| read(&x, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::List);
    }
    if v.is_function() || v.is_symbol() || v.is_bigint() || !v.is_object() {
        return Err("unsupported value (a function, symbol or bigint)".into());
    }
    let keys = Object::keys(v.unchecked_ref::<Object>());
    if keys.length() as usize > MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} entries"));
    }
    let mut out = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        // A getter may throw: that is the page's error, reported as ours.
        let value = Reflect::get(v, &key).map_err(|_| format!("reading \"{name}\" threw"))?;
        out.push((name, read(&value, depth + 1)?));
    }
    Ok(Value::Map(out))
}
