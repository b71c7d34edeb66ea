//! How journal records look in storage: the only code that knows the stored format.
//!
//! A record is `(id, Event)` as MessagePack (compact arrays, binary floats: no float
//! formatting code in the wasm), then base64 so it is a safe localStorage string. A segment
//! (one storage value) is `c1;` followed by records joined with `,`, so one damaged record
//! costs only itself. Decoding never trusts its input: anything that does not decode to a
//! valid event is dropped and counted by the caller.

use crate::event::Event;

/// Marks a segment of schema version 1.
pub const SEGMENT_TAG: &str = "c1;";
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn encode_record(id: u64, event: &Event) -> String {
    // Serializing plain data into a Vec cannot fail; an empty string would be dropped on read.
    let bytes = rmp_serde::to_vec(&(id, event)).unwrap_or_default();
    base64_encode(&bytes)
}

pub fn decode_record(s: &str) -> Option<(u64, Event)> {
    let bytes = base64_decode(s)?;
    let (id, event): (u64, Event) = rmp_serde::from_slice(&bytes).ok()?;
    event.is_valid().then_some((id, event))
}

/// A decoded record: its id, its event, and its encoded form (kept to rewrite it cheaply).
pub type DecodedRecord = (u64, Event, String);

/// The records of a segment value, and how many were damaged. `None`: not a segment of ours.
pub fn decode_segment(value: &str) -> Option<(Vec<DecodedRecord>, usize)> {
    let body = value.strip_prefix(SEGMENT_TAG)?;
    let mut good = Vec::new();
    let mut bad = 0;
    for part in body.split(',').filter(|p| !p.is_empty()) {
        match decode_record(part) {
            Some((id, e)) => good.push((id, e, part.to_owned())),
            None => bad += 1,
        }
    }
    Some((good, bad))
}

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventType, Item};

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

    #[test]
    fn records_round_trip_and_damage_is_contained() {
        let mut e = Event::new(EventType::AddToCart, 1_700_000_000_000);
        e.items.push(Item {
            id: "sku-1".into(),
            name: Some("Milch".into()),
            category: None,
            brand: None,
            price: Some(1.25),
            quantity: 2,
        });
        e.currency = Some("EUR".into());
        let enc = encode_record(7, &e);
        assert_eq!(decode_record(&enc), Some((7, e.clone())));
        let seg = format!("{SEGMENT_TAG}{enc},{},xx!,{enc}", &enc[..enc.len() / 2]);
        let (good, bad) = decode_segment(&seg).unwrap();
        assert_eq!((good.len(), bad), (2, 2));
        assert_eq!(decode_segment("{\"foreign\":1}"), None);
    }
}
