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

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub use decode::decode;
#[cfg(any(test, feature = "dom"))]
pub use decode::decode_with;

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
