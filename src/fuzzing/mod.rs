//! Entry points for the fuzzers (`fuzz/`, `./build.sh fuzz`) and for the corpus replay that
//! runs in every `cargo test` (`tests/fuzz_corpus.rs`). Each takes arbitrary bytes and must
//! never panic; what it returns does not matter. Not part of the public API.
#![doc(hidden)]

use crate::event::{Event, EventType, Item};
use crate::model::decode;
use crate::options::Options;
use crate::profile::{ProfileConfig, SessionProfile};
use crate::rank::{CrossSellRequest, PaymentMethod};
use crate::store::{MemoryStore, Store};
use crate::tracker::{Expect, Offered, Tracker};
use crate::value::Value;

const T0: i64 = 1_795_000_000_000;

/// A small deterministic reader over the fuzzer's bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn f64(&mut self) -> f64 {
        let b = [
            self.u8(),
            self.u8(),
            self.u8(),
            self.u8(),
            self.u8(),
            self.u8(),
            self.u8(),
            self.u8(),
        ];
        f64::from_le_bytes(b)
    }
    fn text(&mut self) -> String {
        let n = usize::from(self.u8() % 12);
        (0..n).map(|_| char::from(b'a' + self.u8() % 6)).collect()
    }
}

/// Model bytes: decode; whatever decodes is scored and ranked with.
pub fn decode_model(data: &[u8]) {
    let Ok(m) = decode(data) else { return };
    let mut b = Bytes(data);
    for h in &m.bundle().heads {
        let x: Vec<f64> = (0..h.n_features()).map(|_| b.f64()).collect();
        let _ = m.predict(&h.name, &x);
        let mut c = Vec::new();
        let _ = h.contributions(&x, &mut c);
    }
    let mut t = Tracker::for_replay(MemoryStore::new(), &Options::default(), 1, T0);
    if t.offer_model(Offered::Decoded(std::rc::Rc::new(m)), &Expect::default())
        .is_err()
    {
        return;
    }
    let methods: Vec<PaymentMethod> = (0..5)
        .map(|i| PaymentMethod {
            id: format!("m{i}"),
            kind: Some(b.text()),
        })
        .collect();
    let r = t.rank_payment_methods(&methods, T0);
    assert_eq!(r.items.len(), methods.len(), "a permutation");
    let _ = t.rank_cross_sells(
        &CrossSellRequest {
            items: Some(vec![b.text(), b.text()]),
            limit: Some(5),
            candidates: None,
        },
        T0,
    );
    let _ = t.segments(T0);
}

/// Model bytes at megabyte scale (built for 32-bit targets too, `./build.sh fuzz`): the
/// fuzzer's bytes choose a section, the length it claims and a size up to a few MB, and
/// fill it with themselves. Claimed lengths must never reserve what the input cannot hold.
pub fn decode_large(data: &[u8]) {
    let mut b = Bytes(data);
    let key = [
        "heads",
        "features",
        "segments",
        "experiments",
        "messages",
        "crossSell",
    ][usize::from(b.u8()) % 6];
    let claim = b.u32();
    let size = (b.u32() as usize) % (4 << 20);
    let filler: Vec<u8> = if b.0.is_empty() {
        vec![0xc0]
    } else {
        b.0.to_vec()
    };
    let mut w = crate::msgpack::Writer::new();
    w.map(3);
    w.str("magic");
    w.str(crate::model::MAGIC);
    w.str("format");
    w.u64(u64::from(crate::model::FORMAT_VERSION));
    w.str(key);
    let mut bytes = w.into_bytes();
    bytes.push(0xdd);
    bytes.extend_from_slice(&claim.to_be_bytes());
    while bytes.len() < size {
        let n = filler.len().min(size - bytes.len());
        bytes.extend_from_slice(&filler[..n]);
    }
    decode_model(&bytes);
}

/// Event objects (what `track()` and the dataLayer receive), parsed by the caller from the
/// fuzzer's JSON text.
pub fn ingest_event(v: &Value) {
    let v = v.clone();
    let mut t = Tracker::for_replay(MemoryStore::new(), &Options::default(), 1, T0);
    let _ = t.track(&v, T0);
    // As a `dataLayer` entry (GTM's push or a gtag command), read leniently, and replayed.
    if let Some(e) = crate::event::data_layer_event(&v) {
        let _ = t.track_lenient(&e, T0);
    }
    let _ = t.replay(&v, T0);
    let _ = t.profile(T0 + 1);
    // The same value as ranking input, against a real bundle with rules and co-occurrence.
    if t.load_model(include_bytes!("../../tests/fixtures/ranking.cpm"))
        .is_ok()
    {
        if let Ok(methods) = PaymentMethod::list_from_value(&v) {
            let r = t.rank_payment_methods(&methods, T0);
            assert_eq!(r.items.len(), methods.len(), "a permutation");
        }
        if let Ok(req) = CrossSellRequest::from_value(&v) {
            let r = t.rank_cross_sells(&req, T0);
            if let Some(c) = &req.candidates {
                assert!(r.items.iter().all(|i| c.contains(&i.id)), "only candidates");
            }
        }
        if let Ok(o) = crate::context::ContextOverride::from_value(&v) {
            t.set_context_override(o);
            let _ = t.segments(T0);
        }
    }
    if let Value::Map(entries) = &v {
        let _ = Options::from_entries(entries);
    }
}

/// Arbitrary strings under our keys: a page view with consent restores what it can (the
/// journal, the identity, the export log, the model cache) and never panics.
pub fn restore_journal(data: &[u8]) {
    let store = MemoryStore::new();
    let text = String::from_utf8_lossy(data);
    for (i, part) in text.split('\n').enumerate() {
        let key = match i % 7 {
            0 => "cp:meta".to_owned(),
            1 => format!("cp:1:j:{:08x}", i),
            2 => "cp:uid".to_owned(),
            3 => "cp:model".to_owned(),
            4 => "cp:traits".to_owned(),
            5 => "cp:salt".to_owned(),
            _ => "cp:exported".to_owned(),
        };
        let _ = store.set(&key, part);
    }
    let o = Options {
        consent: crate::consent::Consent::Granted,
        ..Options::default()
    };
    let mut t = Tracker::for_replay(&store, &o, 7, T0);
    let _ = SessionProfile::rebuild(ProfileConfig::default(), t.events());
    let _ = t.load_cached_model("/m.cpm", &Expect::default(), T0);
    let _ = t.kept_data(T0);
    t.flush(T0);
}

/// Sequences of events in any order and at any times.
pub fn profile_sequence(data: &[u8]) {
    let mut b = Bytes(data);
    let mut p = SessionProfile::new(ProfileConfig::default());
    let mut ts = T0;
    for _ in 0..(data.len() / 6).min(500) {
        let kind = EventType::ALL[usize::from(b.u8()) % EventType::ALL.len()];
        ts = ts.saturating_add(i64::from(b.u32() as i32));
        let mut e = Event::new(kind, ts.clamp(0, 9_000_000_000_000_000));
        for _ in 0..(b.u8() % 3) {
            e.items.push(Item {
                id: b.text() + "x",
                name: None,
                category: Some(b.text() + "c"),
                brand: None,
                price: Some(b.f64()).filter(|p| p.is_finite() && p.abs() < 1e12),
                quantity: u32::from(b.u8()) + 1,
            });
        }
        e.value = Some(b.f64()).filter(|v| v.is_finite() && v.abs() < 1e12);
        if b.u8() % 2 == 0 {
            e.payment_type = Some(b.text() + "p");
        }
        if !e.is_valid() {
            continue;
        }
        p.apply(&e);
    }
    let _ = p.view(ts, None);
}

#[cfg(test)]
mod corpus;
