//! A small MessagePack reader and writer: the only code that knows the wire format.
//!
//! The journal codec and the model format describe their layouts in terms of these calls.
//! Hand-written rather than serde-based on purpose: serde's generic decoders cost tens of KB
//! of wasm per type, and a reader that checks every length against the bytes that remain
//! cannot be made to allocate more than its input or to read out of bounds. It never panics:
//! every read returns `Result`.

use std::fmt;

/// Where and why a read failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub at: usize,
    pub what: &'static str,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

pub type Result<T> = std::result::Result<T, ReadError>;

/// Deepest nesting `skip` follows.
const MAX_SKIP_DEPTH: usize = 64;

pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn is_at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn err<T>(&self, what: &'static str) -> Result<T> {
        Err(ReadError { at: self.pos, what })
    }

    fn byte(&mut self) -> Result<u8> {
        match self.buf.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => self.err("unexpected end of data"),
        }
    }

    fn peek(&self) -> Result<u8> {
        match self.buf.get(self.pos) {
            Some(&b) => Ok(b),
            None => self.err("unexpected end of data"),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => self.err("length runs past the end of data"),
        }
    }

    fn be(&mut self, n: usize) -> Result<u64> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Consumes a nil if one is next.
    pub fn nil(&mut self) -> Result<bool> {
        if self.peek()? == 0xc0 {
            self.pos += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    pub fn bool(&mut self) -> Result<bool> {
        match self.byte()? {
            0xc2 => Ok(false),
            0xc3 => Ok(true),
            _ => self.back("expected a boolean"),
        }
    }

    fn back<T>(&mut self, what: &'static str) -> Result<T> {
        self.pos -= 1;
        self.err(what)
    }

    /// Any integer as i128 (covers u64 and i64).
    fn int(&mut self) -> Result<i128> {
        let b = self.byte()?;
        Ok(match b {
            0x00..=0x7f => i128::from(b),
            0xe0..=0xff => i128::from(b as i8),
            0xcc => self.be(1)?.into(),
            0xcd => self.be(2)?.into(),
            0xce => self.be(4)?.into(),
            0xcf => self.be(8)?.into(),
            0xd0 => i128::from(self.be(1)? as u8 as i8),
            0xd1 => i128::from(self.be(2)? as u16 as i16),
            0xd2 => i128::from(self.be(4)? as u32 as i32),
            0xd3 => i128::from(self.be(8)? as i64),
            _ => return self.back("expected an integer"),
        })
    }

    pub fn u64(&mut self) -> Result<u64> {
        let at = self.pos;
        let v = self.int()?;
        u64::try_from(v).map_err(|_| ReadError {
            at,
            what: "integer out of range",
        })
    }

    pub fn i64(&mut self) -> Result<i64> {
        let at = self.pos;
        let v = self.int()?;
        i64::try_from(v).map_err(|_| ReadError {
            at,
            what: "integer out of range",
        })
    }

    pub fn u32(&mut self) -> Result<u32> {
        let at = self.pos;
        let v = self.int()?;
        u32::try_from(v).map_err(|_| ReadError {
            at,
            what: "integer out of range",
        })
    }

    /// A float32, float64 or integer, as f64.
    pub fn f64(&mut self) -> Result<f64> {
        match self.peek()? {
            0xca => {
                self.pos += 1;
                Ok(f64::from(f32::from_bits(self.be(4)? as u32)))
            }
            0xcb => {
                self.pos += 1;
                Ok(f64::from_bits(self.be(8)?))
            }
            _ => Ok(self.int()? as f64),
        }
    }

    pub fn str(&mut self) -> Result<&'a str> {
        let b = self.byte()?;
        let n = match b {
            0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 => self.be(1)? as usize,
            0xda => self.be(2)? as usize,
            0xdb => self.be(4)? as usize,
            _ => return self.back("expected a string"),
        };
        let at = self.pos;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|_| ReadError {
            at,
            what: "string is not UTF-8",
        })
    }

    pub fn bin(&mut self) -> Result<&'a [u8]> {
        let n = match self.byte()? {
            0xc4 => self.be(1)? as usize,
            0xc5 => self.be(2)? as usize,
            0xc6 => self.be(4)? as usize,
            _ => return self.back("expected binary data"),
        };
        self.take(n)
    }

    /// Whether the next value is an array (nothing is consumed).
    pub fn at_array(&self) -> bool {
        matches!(self.buf.get(self.pos), Some(0x90..=0x9f | 0xdc | 0xdd))
    }

    /// An array header. The length is checked against the bytes left (each entry takes at
    /// least one byte), so a hostile length cannot make a caller allocate more than the input.
    pub fn array(&mut self) -> Result<usize> {
        let b = self.byte()?;
        let n = match b {
            0x90..=0x9f => usize::from(b & 0x0f),
            0xdc => self.be(2)? as usize,
            0xdd => self.be(4)? as usize,
            _ => return self.back("expected an array"),
        };
        self.check_len(n)
    }

    /// A map header (number of key-value pairs), checked like `array`.
    pub fn map(&mut self) -> Result<usize> {
        let b = self.byte()?;
        let n = match b {
            0x80..=0x8f => usize::from(b & 0x0f),
            0xde => self.be(2)? as usize,
            0xdf => self.be(4)? as usize,
            _ => return self.back("expected a map"),
        };
        match n.checked_mul(2) {
            Some(m) => self.check_len(m).map(|_| n),
            None => self.err("length runs past the end of data"),
        }
    }

    fn check_len(&self, n: usize) -> Result<usize> {
        if n > self.buf.len() - self.pos {
            self.err("length runs past the end of data")
        } else {
            Ok(n)
        }
    }

    /// Skips one value of any kind (bounded depth).
    pub fn skip(&mut self) -> Result<()> {
        self.skip_depth(0)
    }

    fn skip_depth(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_SKIP_DEPTH {
            return self.err("nested too deeply");
        }
        let b = self.peek()?;
        match b {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => {
                self.pos += 1;
            }
            0xcc..=0xd3 => {
                self.int()?;
            }
            0xca | 0xcb => {
                self.f64()?;
            }
            0xa0..=0xbf | 0xd9..=0xdb => {
                self.str()?;
            }
            0xc4..=0xc6 => {
                self.bin()?;
            }
            0x90..=0x9f | 0xdc | 0xdd => {
                for _ in 0..self.array()? {
                    self.skip_depth(depth + 1)?;
                }
            }
            0x80..=0x8f | 0xde | 0xdf => {
                for _ in 0..self.map()? {
                    self.skip_depth(depth + 1)?;
                    self.skip_depth(depth + 1)?;
                }
            }
            _ => return self.err("unsupported MessagePack type"),
        }
        Ok(())
    }
}

/// Writes MessagePack in its most compact form.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Appends bytes another `Writer` wrote.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn nil(&mut self) {
        self.buf.push(0xc0);
    }

    pub fn bool(&mut self, v: bool) {
        self.buf.push(if v { 0xc3 } else { 0xc2 });
    }

    fn tagged(&mut self, tag: u8, v: u64, n: usize) {
        self.buf.push(tag);
        self.buf.extend_from_slice(&v.to_be_bytes()[8 - n..]);
    }

    pub fn u64(&mut self, v: u64) {
        match v {
            0..=0x7f => self.buf.push(v as u8),
            0x80..=0xff => self.tagged(0xcc, v, 1),
            0x100..=0xffff => self.tagged(0xcd, v, 2),
            0x1_0000..=0xffff_ffff => self.tagged(0xce, v, 4),
            _ => self.tagged(0xcf, v, 8),
        }
    }

    pub fn i64(&mut self, v: i64) {
        if v >= 0 {
            self.u64(v as u64);
        } else if v >= -32 {
            self.buf.push(v as i8 as u8);
        } else if v >= i64::from(i8::MIN) {
            self.tagged(0xd0, v as u64, 1);
        } else if v >= i64::from(i16::MIN) {
            self.tagged(0xd1, v as u64, 2);
        } else if v >= i64::from(i32::MIN) {
            self.tagged(0xd2, v as u64, 4);
        } else {
            self.tagged(0xd3, v as u64, 8);
        }
    }

    pub fn f64(&mut self, v: f64) {
        self.tagged(0xcb, v.to_bits(), 8);
    }

    pub fn str(&mut self, s: &str) {
        let n = s.len();
        match n {
            0..=31 => self.buf.push(0xa0 | n as u8),
            32..=0xff => self.tagged(0xd9, n as u64, 1),
            0x100..=0xffff => self.tagged(0xda, n as u64, 2),
            _ => self.tagged(0xdb, n as u64, 4),
        }
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn bin(&mut self, b: &[u8]) {
        let n = b.len();
        match n {
            0..=0xff => self.tagged(0xc4, n as u64, 1),
            0x100..=0xffff => self.tagged(0xc5, n as u64, 2),
            _ => self.tagged(0xc6, n as u64, 4),
        }
        self.buf.extend_from_slice(b);
    }

    pub fn array(&mut self, n: usize) {
        match n {
            0..=15 => self.buf.push(0x90 | n as u8),
            16..=0xffff => self.tagged(0xdc, n as u64, 2),
            _ => self.tagged(0xdd, n as u64, 4),
        }
    }

    pub fn map(&mut self, n: usize) {
        match n {
            0..=15 => self.buf.push(0x80 | n as u8),
            16..=0xffff => self.tagged(0xde, n as u64, 2),
            _ => self.tagged(0xdf, n as u64, 4),
        }
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.nil(),
        }
    }

    pub fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            Some(v) => self.f64(v),
            None => self.nil(),
        }
    }
}

impl<'a> Reader<'a> {
    pub fn opt_str(&mut self) -> Result<Option<&'a str>> {
        if self.nil()? {
            Ok(None)
        } else {
            self.str().map(Some)
        }
    }

    pub fn opt_f64(&mut self) -> Result<Option<f64>> {
        if self.nil()? {
            Ok(None)
        } else {
            self.f64().map(Some)
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod oracle;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_at_every_width() {
        for v in [
            0i64,
            1,
            31,
            127,
            128,
            255,
            256,
            65535,
            65536,
            1 << 40,
            i64::MAX,
            -1,
            -32,
            -33,
            -128,
            -129,
            -32768,
            -32769,
            i64::MIN,
        ] {
            let mut w = Writer::new();
            w.i64(v);
            let bytes = w.into_bytes();
            assert_eq!(Reader::new(&bytes).i64(), Ok(v), "{v}");
            assert_eq!(Reader::new(&bytes).f64(), Ok(v as f64));
        }
        let mut w = Writer::new();
        w.u64(u64::MAX);
        let bytes = w.into_bytes();
        assert_eq!(Reader::new(&bytes).u64(), Ok(u64::MAX));
        assert_eq!(
            Reader::new(&bytes).i64().unwrap_err().what,
            "integer out of range"
        );
    }

    #[test]
    fn matches_the_spec_bytes() {
        // From the MessagePack spec: fixmap {"compact": true, "schema": 0}.
        let spec = b"\x82\xa7compact\xc3\xa6schema\x00";
        let mut w = Writer::new();
        w.map(2);
        w.str("compact");
        w.bool(true);
        w.str("schema");
        w.u64(0);
        assert_eq!(w.into_bytes(), spec);
        let mut r = Reader::new(spec);
        assert_eq!(r.map(), Ok(2));
        assert_eq!(r.str(), Ok("compact"));
        assert_eq!(r.bool(), Ok(true));
        r.skip().unwrap();
        r.skip().unwrap();
        assert!(r.is_at_end());
    }

    #[test]
    fn strings_floats_and_containers() {
        let long = "é".repeat(300);
        let mut w = Writer::new();
        w.array(4);
        w.str(&long);
        w.f64(1.5);
        w.opt_f64(None);
        w.bin(&[1, 2, 3]);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.array(), Ok(4));
        assert_eq!(r.str(), Ok(long.as_str()));
        assert_eq!(r.f64(), Ok(1.5));
        assert_eq!(r.opt_f64(), Ok(None));
        assert_eq!(r.bin(), Ok(&[1u8, 2, 3][..]));
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"\xdd\xff\xff\xff\xff", // array of 4 billion
            b"\xdf\xff\xff\xff\xff", // map of 4 billion pairs
            b"\xdb\xff\xff\xff\xff", // string of 4 GB
            b"\xa3ab",               // truncated string
            b"\xa2\xff\xfe",         // not UTF-8
            b"\xc1",                 // never used
            b"\xcb\x00\x00",         // truncated float
        ] {
            let mut r = Reader::new(bytes);
            assert!(r.skip().is_err(), "{bytes:?}");
        }
        let deep = vec![0x91u8; 10_000];
        assert_eq!(
            Reader::new(&deep).skip().unwrap_err().what,
            "nested too deeply"
        );
        assert_eq!(
            Reader::new(b"\xa1x").u64().unwrap_err(),
            ReadError {
                at: 0,
                what: "expected an integer"
            }
        );
    }
}
