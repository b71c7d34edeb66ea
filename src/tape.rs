//! The tape: how values cross the JS boundary in one piece instead of one call per field.
//!
//! A tape is bytes: a 16-byte header (`u32` counts of ops, numbers and strings, then the
//! byte length of the text, little-endian), the numbers (`f64`), the string lengths (`u32`,
//! in UTF-16 code units, so the JS side slices one decoded string), the ops (`u8`), then
//! all strings' UTF-8 text end to end. Ops: [`NULL`], [`TRUE`], [`FALSE`], [`NUM`] (next
//! number), [`STR`] (next string), [`LIST`] / [`MAP`] ... [`END`]; inside a map each entry
//! is its key (the next string, no op) and then its value. A struct's field names repeat in
//! every object of a list, so a key's length word may instead say "remember this key"
//! ([`REMEMBER`] set: the text follows as usual and joins a key table) or "the key table's
//! entry i" ([`RECALL`] | i: no text); the JS side then reuses one string per field name.
//!
//! Results go out as a tape (`Tape` is a serde `Serializer`, so every `Serialize` type
//! can) and `src/web/tape.js` builds the JS objects; page input comes in as a tape that
//! `tape.js` writes and [`decode`] reads into a bounded [`Value`] (the same depth, entry
//! and string limits as `Value`'s own parser). Pure: no wasm here; native-tested.

use crate::value::{Value, MAX_DEPTH, MAX_ENTRIES, MAX_STRING};
use serde::ser::{self, Serialize};
use std::fmt;

pub const NULL: u8 = 0;
pub const TRUE: u8 = 1;
pub const FALSE: u8 = 2;
pub const NUM: u8 = 3;
pub const STR: u8 = 4;
pub const LIST: u8 = 5;
pub const MAP: u8 = 6;
pub const END: u8 = 7;

const HEADER: usize = 16;
/// Key length flags (see the module docs).
pub const REMEMBER: u32 = 1 << 30;
pub const RECALL: u32 = 1 << 31;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapeError(pub String);

impl fmt::Display for TapeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TapeError {}

impl ser::Error for TapeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TapeError(msg.to_string())
    }
}

/// A tape being written.
#[derive(Default)]
pub struct Tape {
    ops: Vec<u8>,
    nums: Vec<f64>,
    lens: Vec<u32>,
    text: String,
    keys: Vec<&'static str>,
}

impl Tape {
    fn str(&mut self, s: &str) {
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.lens.push(units as u32);
        self.text.push_str(s);
    }

    /// A struct field name: recalled from the key table after its first use. Field names
    /// are static, so the same name is found by address (a name that happens to live at two
    /// addresses is remembered twice, which only costs a few bytes).
    fn key(&mut self, k: &'static str) {
        match self.keys.iter().position(|&seen| std::ptr::eq(seen, k)) {
            Some(i) => self.lens.push(RECALL | i as u32),
            None => {
                self.keys.push(k);
                self.str(k);
                if let Some(l) = self.lens.last_mut() {
                    *l |= REMEMBER;
                }
            }
        }
    }

    fn num(&mut self, n: f64) {
        self.ops.push(NUM);
        self.nums.push(n);
    }

    /// The finished bytes.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            HEADER + self.nums.len() * 8 + self.lens.len() * 4 + self.ops.len() + self.text.len(),
        );
        for n in [
            self.ops.len(),
            self.nums.len(),
            self.lens.len(),
            self.text.len(),
        ] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for n in &self.nums {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for l in &self.lens {
            out.extend_from_slice(&l.to_le_bytes());
        }
        out.extend_from_slice(&self.ops);
        out.extend_from_slice(self.text.as_bytes());
        out
    }
}

/// `value` as a tape (maps become objects with string keys; `None` and unit are null).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, TapeError> {
    let mut t = Tape::default();
    value.serialize(&mut t)?;
    Ok(t.finish())
}

/// Writes `{ variant: … }` around an enum variant's content.
fn open_variant(t: &mut Tape, variant: &str) {
    t.ops.push(MAP);
    t.str(variant);
}

/// The eight integer methods of a `Serializer`, each passing its value, converted with
/// `as`, to one method of the serializer (numbers on the tape are `f64`; keys are text).
macro_rules! integers_via {
    ($target:ident as $to:ty) => {
        integers_via!(@each $target $to; serialize_i8 i8, serialize_i16 i16, serialize_i32 i32,
            serialize_i64 i64, serialize_u8 u8, serialize_u16 u16, serialize_u32 u32,
            serialize_u64 u64);
    };
    (@each $target:ident $to:ty; $($method:ident $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), TapeError> {
            self.$target(v as $to)
        }
    )*};
}

impl ser::Serializer for &mut Tape {
    type Ok = ();
    type Error = TapeError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), TapeError> {
        self.ops.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    integers_via!(serialize_f64 as f64);
    fn serialize_f32(self, v: f32) -> Result<(), TapeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), TapeError> {
        self.num(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), TapeError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), TapeError> {
        self.ops.push(STR);
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), TapeError> {
        self.ops.push(LIST);
        for b in v {
            self.num(f64::from(*b));
        }
        self.ops.push(END);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), TapeError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), TapeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), TapeError> {
        self.ops.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), TapeError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), TapeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), TapeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), TapeError> {
        open_variant(self, variant);
        value.serialize(&mut *self)?;
        self.ops.push(END);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, TapeError> {
        self.ops.push(LIST);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, TapeError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, TapeError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, TapeError> {
        open_variant(self, variant);
        self.ops.push(LIST);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, TapeError> {
        self.ops.push(MAP);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, TapeError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, TapeError> {
        open_variant(self, variant);
        self.ops.push(MAP);
        Ok(self)
    }
}

/// Sequences and tuples: each element in turn, then the closing op(s) (`ends`: one, or
/// two for a variant, which also closes its `{variant: …}` wrapper).
macro_rules! sequence_like {
    ($($trait:ident :: $method:ident => $ends:expr;)*) => {$(
        impl ser::$trait for &mut Tape {
            type Ok = ();
            type Error = TapeError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TapeError> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), TapeError> {
                self.ops.extend_from_slice($ends);
                Ok(())
            }
        }
    )*};
}

sequence_like! {
    SerializeSeq::serialize_element => &[END];
    SerializeTuple::serialize_element => &[END];
    SerializeTupleStruct::serialize_field => &[END];
    SerializeTupleVariant::serialize_field => &[END, END];
}

/// Map keys must be strings (or numbers, written as their integer text).
struct KeySerializer<'a>(&'a mut Tape);

impl KeySerializer<'_> {
    fn int(self, v: i128) -> Result<(), TapeError> {
        let mut digits = [0u8; 40];
        let (mut n, mut at) = (v.unsigned_abs(), digits.len());
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if v < 0 {
            at -= 1;
            digits[at] = b'-';
        }
        self.0
            .str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
        Ok(())
    }
}

fn bad_key<T>() -> Result<T, TapeError> {
    Err(TapeError("map keys must be strings".into()))
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = TapeError;
    type SerializeSeq = ser::Impossible<(), TapeError>;
    type SerializeTuple = ser::Impossible<(), TapeError>;
    type SerializeTupleStruct = ser::Impossible<(), TapeError>;
    type SerializeTupleVariant = ser::Impossible<(), TapeError>;
    type SerializeMap = ser::Impossible<(), TapeError>;
    type SerializeStruct = ser::Impossible<(), TapeError>;
    type SerializeStructVariant = ser::Impossible<(), TapeError>;

    fn serialize_str(self, v: &str) -> Result<(), TapeError> {
        self.0.str(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), TapeError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), TapeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), TapeError> {
        value.serialize(self)
    }
    integers_via!(int as i128);
    fn serialize_bool(self, _: bool) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_f32(self, _: f32) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_f64(self, _: f64) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_none(self) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_unit(self) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), TapeError> {
        bad_key()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, TapeError> {
        bad_key()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, TapeError> {
        bad_key()
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, TapeError> {
        bad_key()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, TapeError> {
        bad_key()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, TapeError> {
        bad_key()
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, TapeError> {
        bad_key()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, TapeError> {
        bad_key()
    }
}

impl ser::SerializeMap for &mut Tape {
    type Ok = ();
    type Error = TapeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), TapeError> {
        key.serialize(KeySerializer(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), TapeError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), TapeError> {
        self.ops.push(END);
        Ok(())
    }
}

/// Structs: each field under its (remembered) name, then the closing op(s), as above.
macro_rules! struct_like {
    ($($trait:ident => $ends:expr;)*) => {$(
        impl ser::$trait for &mut Tape {
            type Ok = ();
            type Error = TapeError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), TapeError> {
                self.key(key);
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), TapeError> {
                self.ops.extend_from_slice($ends);
                Ok(())
            }
        }
    )*};
}

struct_like! {
    SerializeStruct => &[END];
    SerializeStructVariant => &[END, END];
}

/// Reads a tape written by `tape.js` (or by [`encode`]) into a `Value`, with `Value`'s
/// limits. Any malformed tape is an error, never a panic.
pub fn decode(bytes: &[u8]) -> Result<Value, TapeError> {
    decode_with(bytes, MAX_ENTRIES)
}

/// `decode` with another bound on list and object entries (a page's catalogue holds up to
/// 5000 items).
pub fn decode_with(bytes: &[u8], max_entries: usize) -> Result<Value, TapeError> {
    let bad = || TapeError("malformed input".into());
    let word = |i: usize| -> Result<usize, TapeError> {
        let b = bytes.get(i * 4..i * 4 + 4).ok_or_else(bad)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let (n_ops, n_nums, n_lens, n_text) = (word(0)?, word(1)?, word(2)?, word(3)?);
    let nums_at = HEADER;
    let lens_at = n_nums
        .checked_mul(8)
        .and_then(|n| n.checked_add(nums_at))
        .ok_or_else(bad)?;
    let ops_at = n_lens
        .checked_mul(4)
        .and_then(|n| n.checked_add(lens_at))
        .ok_or_else(bad)?;
    let text_at = ops_at.checked_add(n_ops).ok_or_else(bad)?;
    if text_at.checked_add(n_text) != Some(bytes.len()) {
        return Err(bad());
    }
    let text = std::str::from_utf8(&bytes[text_at..]).map_err(|_| bad())?;
    let mut r = Reader {
        ops: &bytes[ops_at..text_at],
        nums: &bytes[nums_at..lens_at],
        lens: &bytes[lens_at..ops_at],
        text,
        op: 0,
        num: 0,
        len: 0,
        keys: Vec::new(),
        max_entries,
    };
    let v = r.value(0)?;
    if r.op != r.ops.len() {
        return Err(bad());
    }
    Ok(v)
}

struct Reader<'a> {
    ops: &'a [u8],
    nums: &'a [u8],
    lens: &'a [u8],
    text: &'a str,
    op: usize,
    num: usize,
    len: usize,
    keys: Vec<String>,
    max_entries: usize,
}

impl Reader<'_> {
    fn bad() -> TapeError {
        TapeError("malformed input".into())
    }

    fn next_op(&mut self) -> Result<u8, TapeError> {
        let op = *self.ops.get(self.op).ok_or_else(Self::bad)?;
        self.op += 1;
        Ok(op)
    }

    fn peek_end(&mut self) -> Result<bool, TapeError> {
        let end = *self.ops.get(self.op).ok_or_else(Self::bad)? == END;
        if end {
            self.op += 1;
        }
        Ok(end)
    }

    fn next_len(&mut self) -> Result<u32, TapeError> {
        let b = self
            .lens
            .get(self.len * 4..self.len * 4 + 4)
            .ok_or_else(Self::bad)?;
        self.len += 1;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A map key: a string, possibly remembered or recalled.
    fn key(&mut self) -> Result<String, TapeError> {
        let word = self.next_len()?;
        if word & RECALL != 0 {
            let i = (word & !RECALL) as usize;
            return self.keys.get(i).cloned().ok_or_else(Self::bad);
        }
        let k = self.text_of(word & !REMEMBER)?;
        if word & REMEMBER != 0 {
            self.keys.push(k.clone());
        }
        Ok(k)
    }

    /// The next string: its length is in UTF-16 units, the text is UTF-8.
    fn string(&mut self) -> Result<String, TapeError> {
        let word = self.next_len()?;
        if word & (RECALL | REMEMBER) != 0 {
            return Err(Self::bad());
        }
        self.text_of(word)
    }

    fn text_of(&mut self, units: u32) -> Result<String, TapeError> {
        let mut units = units as usize;
        let mut end = 0;
        let mut chars = self.text.char_indices();
        while units > 0 {
            let (i, c) = chars.next().ok_or_else(Self::bad)?;
            units = units.checked_sub(c.len_utf16()).ok_or_else(Self::bad)?;
            end = i + c.len_utf8();
        }
        if end > MAX_STRING {
            return Err(TapeError(format!("string longer than {MAX_STRING} bytes")));
        }
        let (s, rest) = self.text.split_at(end);
        self.text = rest;
        Ok(s.to_owned())
    }

    fn value(&mut self, depth: usize) -> Result<Value, TapeError> {
        if depth > MAX_DEPTH {
            return Err(TapeError(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let max = self.max_entries;
        let too_many = || TapeError(format!("more than {max} entries"));
        Ok(match self.next_op()? {
            NULL => Value::Null,
            TRUE => Value::Bool(true),
            FALSE => Value::Bool(false),
            NUM => {
                let b = self
                    .nums
                    .get(self.num * 8..self.num * 8 + 8)
                    .ok_or_else(Self::bad)?;
                self.num += 1;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Num(f64::from_le_bytes(a))
            }
            STR => Value::Str(self.string()?),
            LIST => {
                let mut out = Vec::new();
                while !self.peek_end()? {
                    if out.len() == max {
                        return Err(too_many());
                    }
                    out.push(self.value(depth + 1)?);
                }
                Value::List(out)
            }
            MAP => {
                let mut out = Vec::new();
                while !self.peek_end()? {
                    if out.len() == max {
                        return Err(too_many());
                    }
                    let k = self.key()?;
                    out.push((k, self.value(depth + 1)?));
                }
                Value::Map(out)
            }
            _ => return Err(Self::bad()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn round(v: &impl Serialize) -> Value {
        decode(&encode(v).unwrap()).unwrap()
    }

    #[test]
    fn serializes_what_serde_json_would_and_reads_it_back() {
        #[derive(Serialize)]
        #[serde(tag = "kind", rename_all = "camelCase")]
        enum Reason {
            Feature { feature: String, weight: f64 },
            Popular,
        }
        #[derive(Serialize)]
        struct Item {
            id: String,
            score: f64,
            ok: bool,
            reasons: Vec<Reason>,
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<String>,
            missing: Option<u32>,
            tuple: (u8, char),
            map: std::collections::BTreeMap<u32, &'static str>,
        }
        let item = Item {
            id: "päy€ — 💳".into(),
            score: -0.25,
            ok: true,
            reasons: vec![
                Reason::Feature {
                    feature: "f".into(),
                    weight: 1e300,
                },
                Reason::Popular,
            ],
            name: None,
            missing: None,
            tuple: (7, 'x'),
            map: [(3, "three"), (10, "ten")].into_iter().collect(),
        };
        let want: Value = serde_json::from_str(&serde_json::to_string(&item).unwrap()).unwrap();
        assert_eq!(round(&item), want);
    }

    #[test]
    fn ascii_and_other_text_side_by_side_cut_where_they_should() {
        let texts = ["abc", "", "päy", "x€💳y", "plain after", "💳", "z"];
        let want = Value::List(texts.iter().map(|t| Value::Str((*t).into())).collect());
        assert_eq!(round(&texts), want);
        // A length that would end inside a character (the card emoji is two UTF-16 units).
        let mut bytes = encode(&["💳"]).unwrap();
        let lens_at = HEADER + 8 * u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        bytes[lens_at] = 1;
        assert!(decode(&bytes).is_err());
    }

    #[test]
    fn a_field_name_crosses_once_then_is_recalled() {
        #[derive(Serialize)]
        struct Item {
            identifier: u8,
            contribution: u8,
        }
        let items: Vec<Item> = (0..5)
            .map(|i| Item {
                identifier: i,
                contribution: i,
            })
            .collect();
        let bytes = encode(&items).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches("identifier").count(), 1, "{text}");
        assert_eq!(text.matches("contribution").count(), 1, "{text}");
        let want: Value = serde_json::from_str(&serde_json::to_string(&items).unwrap()).unwrap();
        assert_eq!(decode(&bytes).unwrap(), want);
    }

    #[test]
    fn limits_and_malformed_tapes_are_errors() {
        let deep = (0..=MAX_DEPTH).fold(serde_json::Value::Null, |v, _| serde_json::json!([v]));
        assert!(decode(&encode(&deep).unwrap())
            .unwrap_err()
            .0
            .starts_with("nested deeper"));
        let wide = vec![(); MAX_ENTRIES + 1];
        assert!(decode(&encode(&wide).unwrap())
            .unwrap_err()
            .0
            .starts_with("more than"));
        let long = "x".repeat(MAX_STRING + 1);
        assert!(decode(&encode(&long).unwrap())
            .unwrap_err()
            .0
            .starts_with("string longer"));
        let good = encode(&vec!["a", "b"]).unwrap();
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        // Random bytes never panic (and almost never decode).
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let n = (x % 64) as usize;
            let bytes: Vec<u8> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 9) as u8
                })
                .collect();
            let _ = decode(&bytes);
        }
    }
}
