//! A bounded, format-neutral tree of what the page handed us (a JS object, a JSON line).
//!
//! `Value` is what event validation reads, so validation can name the exact field that is
//! wrong. It deserializes from any serde format (serde_json in tests and the CLI; the web
//! side reads pages through the tape, `crate::tape::decode`) with hard bounds on depth, list
//! length and string length, so a cyclic or gigantic object from the page cannot exhaust
//! the stack or memory.
//! It must not depend on wasm-bindgen or any particular format.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Deepest nesting accepted (an event is `{items: [{...}]}`: depth 3; GA4 wraps it once more).
pub const MAX_DEPTH: usize = 6;
/// Longest list or object accepted.
pub const MAX_ENTRIES: usize = 500;
/// Longest string accepted, in bytes.
pub const MAX_STRING: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The value under `key` of an object (`None` for other kinds or a missing key).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Like `get`, but treats `null` as missing (JS `undefined` arrives as `Null`).
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.get(key).filter(|v| !matches!(v, Value::Null))
    }

    /// A number, or a decimal string as GA4 and live dataLayers send them (`"31.10"`,
    /// `" 2 "`, `"-5"`); see `decimal`. `None` for anything else.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Str(s) => decimal(s),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "an array",
            Value::Map(_) => "an object",
        }
    }
}

/// A strict decimal: optional surrounding whitespace, an optional sign, digits with at most
/// one `.` (at least one digit). No exponent, no grouping, no `,` decimal mark, no
/// `Infinity`/`NaN`: `"1,99"`, `"12abc"`, `"1e3"` and `""` are `None`. Exactly what
/// JavaScript's `Number()` gives for the strings it accepts: the digits (at most 15
/// significant, at most 22 after the point once trailing zeros are dropped) are read as an
/// integer and divided by a power of ten, both exact in `f64`, so the one rounding is
/// IEEE's. Longer numbers are `None` rather than approximated. No float parser is linked.
pub fn decimal(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{a0}');
    let (negative, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let digits = int.len() + frac.len()
        - int
            .bytes()
            .chain(frac.bytes())
            .take_while(|&b| b == b'0')
            .count();
    if digits > 15 || frac.len() > 22 {
        return None;
    }
    let mut m: u64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        m = m * 10 + u64::from(b - b'0');
    }
    let mut p = 1.0f64;
    for _ in 0..frac.len() {
        p *= 10.0;
    }
    let v = m as f64 / p;
    Some(if negative { -v } else { v })
}

impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Seed { depth: 0 }.deserialize(d)
    }
}

struct Seed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(de::Error::custom(format_args!(
                "nested deeper than {MAX_DEPTH} levels"
            )));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a plain value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Num(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        if v.len() > MAX_STRING {
            return Err(E::custom(format_args!(
                "string longer than {MAX_STRING} bytes"
            )));
        }
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        if v.len() > MAX_STRING {
            return Err(E::custom(format_args!(
                "string longer than {MAX_STRING} bytes"
            )));
        }
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed {
            depth: self.depth + 1,
        })? {
            if out.len() == MAX_ENTRIES {
                return Err(de::Error::custom(format_args!(
                    "more than {MAX_ENTRIES} entries"
                )));
            }
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.len() == MAX_ENTRIES {
                return Err(de::Error::custom(format_args!(
                    "more than {MAX_ENTRIES} entries"
                )));
            }
            let v = map.next_value_seed(Seed {
                depth: self.depth + 1,
            })?;
            out.push((k, v));
        }
        Ok(Value::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Value, String> {
        serde_json::from_str::<Value>(s).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_plain_json() {
        let v = parse(r#"{"a":[1,"x",null,true],"b":{"c":2.5}}"#).unwrap();
        assert_eq!(v.get("b").and_then(|b| b.get("c")), Some(&Value::Num(2.5)));
        assert_eq!(v.field("missing"), None);
        assert!(matches!(v.get("a"), Some(Value::List(l)) if l.len() == 4));
    }

    #[test]
    fn decimals_as_javascript_reads_them() {
        for (text, want) in [
            ("31.10", 31.1),
            (" 2 ", 2.0),
            ("0.1", 0.1),
            ("-5", -5.0),
            ("+7.5", 7.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("007", 7.0),
            ("19.990000000000000000000000", 19.99),
            ("123456789012345", 123456789012345.0),
            ("0.000000000000000000001", 1e-21),
            ("\u{a0}42\u{a0}", 42.0),
        ] {
            assert_eq!(decimal(text), Some(want), "{text:?}");
            assert_eq!(
                decimal(text).map(f64::to_bits),
                text.trim_matches(|c: char| c.is_whitespace())
                    .parse::<f64>()
                    .ok()
                    .map(f64::to_bits),
                "bit for bit as a full parser: {text:?}"
            );
        }
        for bad in [
            "",
            " ",
            ".",
            "-",
            "1,99",
            "12abc",
            "Infinity",
            "NaN",
            "1e3",
            "0x10",
            "1.2.3",
            "1 000",
            "1234567890123456",
        ] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
        // Random decimals agree with Rust's correctly rounded parser bit for bit.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int = x % 10_000_000;
            let frac = (x >> 24) % 1_000_000;
            let places = (x >> 48) % 7;
            let text = format!("{int}.{frac:0width$}", width = places as usize);
            let text = if places == 0 { format!("{int}") } else { text };
            assert_eq!(
                decimal(&text).map(f64::to_bits),
                text.parse::<f64>().ok().map(f64::to_bits),
                "{text}"
            );
        }
    }

    #[test]
    fn bounds_depth_entries_and_strings() {
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(parse(&deep).unwrap_err().contains("nested deeper"));
        let ok = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(parse(&ok).is_ok());
        let long = format!("[{}]", vec!["0"; MAX_ENTRIES + 1].join(","));
        assert!(parse(&long).unwrap_err().contains("more than"));
        let big = format!("\"{}\"", "x".repeat(MAX_STRING + 1));
        assert!(parse(&big).unwrap_err().contains("longer than"));
    }
}
