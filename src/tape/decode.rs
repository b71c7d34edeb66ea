//! A tape from `tape.js` into a bounded `Value`.

use super::*;

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
