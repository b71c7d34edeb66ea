//! Standard base64 without padding: how binary data (journal records, cached model bundles)
//! becomes a localStorage string. Decoding rejects anything that is not base64.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Byte → 6-bit value, 0xff for bytes outside the alphabet.
const DECODE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    let sextet = |n: u32, i: u32| ALPHABET[((n >> (18 - 6 * i)) & 63) as usize];
    let mut chunks = bytes.chunks_exact(3);
    for c in &mut chunks {
        let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        out.extend_from_slice(&[sextet(n, 0), sextet(n, 1), sextet(n, 2), sextet(n, 3)]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let n = rest
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        out.extend((0..=rest.len() as u32).map(|i| sextet(n, i)));
    }
    // Only alphabet bytes were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Decodes `s`; `None` for a character outside the alphabet (padding included) or a
/// length no encoding has. Whole quads first (a cached model is hundreds of KB of them).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if s.len() % 4 == 1 {
        return None;
    }
    let whole = s.len() / 4 * 3;
    let tail = (s.len() % 4).saturating_sub(1);
    let mut out = vec![0u8; whole + tail];
    let (body, end) = out.split_at_mut(whole);
    let mut quads = s.chunks_exact(4);
    // Written in place: no capacity check per quad (this runs size-optimised in the wasm).
    for (q, o) in (&mut quads).zip(body.chunks_exact_mut(3)) {
        let [a, b, c, d] = [q[0], q[1], q[2], q[3]].map(|c| DECODE[usize::from(c)]);
        // Bytes outside the alphabet decode to 0xff: one test for all four.
        if (a | b | c | d) & 0x80 != 0 {
            return None;
        }
        o[0] = a << 2 | b >> 4;
        o[1] = b << 4 | c >> 2;
        o[2] = c << 6 | d;
    }
    let rest = quads.remainder();
    if !rest.is_empty() {
        let mut n = 0u32;
        for (i, &c) in rest.iter().enumerate() {
            let v = DECODE[usize::from(c)];
            if v == 0xff {
                return None;
            }
            n |= u32::from(v) << (18 - 6 * i);
        }
        for (i, o) in end.iter_mut().enumerate() {
            *o = (n >> (16 - 8 * i)) as u8;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = base64_encode(&bytes);
            assert!(enc.bytes().all(|b| b != b','));
            assert_eq!(base64_decode(&enc), Some(bytes), "len {len}");
        }
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert_eq!(base64_encode(b"Ma"), "TWE");
        assert_eq!(base64_decode("TWE=x"), None);
        assert_eq!(base64_decode("T"), None);
        assert_eq!(base64_decode("T!!a"), None);
    }

    /// The whole-quad paths against the alphabet itself, on long inputs and every byte.
    #[test]
    fn long_inputs_and_every_bad_position() {
        let bytes: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 256) as u8).collect();
        for len in [255, 256, 257, 3000] {
            let enc = base64_encode(&bytes[..len]);
            assert_eq!(enc.len(), (len * 4).div_ceil(3));
            assert_eq!(base64_decode(&enc).as_deref(), Some(&bytes[..len]));
        }
        let every: Vec<u8> = (0..=255).collect();
        let enc = base64_encode(&every);
        assert!(enc.starts_with("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"));
        assert!(enc.ends_with("+fr7/P3+/w"), "{enc}");
        let good = base64_encode(&bytes[..300]);
        for at in 0..good.len() {
            for bad in [b'=', b'!', b'\n', b'-'] {
                let mut b = good.clone().into_bytes();
                b[at] = bad;
                assert_eq!(
                    base64_decode(std::str::from_utf8(&b).unwrap()),
                    None,
                    "bad byte at {at}"
                );
            }
        }
    }
}
