//! `rmpv` and `rmp-serde` as oracles for the hand-written reader: every fixture bundle,
//! every fuzz-corpus bundle and journal record, and every bundle the writer emits reads
//! to the same MessagePack values with both, and a journal record's fields are what
//! `rmp-serde` makes of the documented layout. Dev-dependencies only.

use super::*;
use crate::model::format;
use crate::storage::record::{decode_record, encode_record, SEGMENT_TAG};
use rmpv::Value as Rmpv;
use std::path::Path;

/// One MessagePack value, as both readers can say it (floats widened, integers signed or
/// not, no extension types: the reader refuses those).
#[derive(Debug, Clone, PartialEq)]
enum V {
    Nil,
    Bool(bool),
    U(u64),
    I(i64),
    F(u64), // bits of the f64, so NaN equals itself
    Str(String),
    Bin(Vec<u8>),
    List(Vec<V>),
    Map(Vec<(V, V)>),
}

/// What the hand-written reader sees, read generically through its own calls.
fn ours(r: &mut Reader, depth: usize) -> Result<V> {
    if depth > MAX_SKIP_DEPTH {
        return r.err("too deep");
    }
    Ok(match r.peek()? {
        0xc0 => {
            r.nil()?;
            V::Nil
        }
        0xc2 | 0xc3 => V::Bool(r.bool()?),
        0x00..=0x7f | 0xcc..=0xcf => V::U(r.u64()?),
        0xe0..=0xff | 0xd0..=0xd3 => {
            let v = r.i64()?;
            if v >= 0 {
                V::U(v as u64)
            } else {
                V::I(v)
            }
        }
        0xca | 0xcb => V::F(r.f64()?.to_bits()),
        0xa0..=0xbf | 0xd9..=0xdb => V::Str(r.str()?.to_owned()),
        0xc4..=0xc6 => V::Bin(r.bin()?.to_vec()),
        0x90..=0x9f | 0xdc | 0xdd => {
            let n = r.array()?;
            let mut out = Vec::new();
            for _ in 0..n {
                out.push(ours(r, depth + 1)?);
            }
            V::List(out)
        }
        0x80..=0x8f | 0xde | 0xdf => {
            let n = r.map()?;
            let mut out = Vec::new();
            for _ in 0..n {
                let k = ours(r, depth + 1)?;
                out.push((k, ours(r, depth + 1)?));
            }
            V::Map(out)
        }
        _ => return r.err("extension types are not read"),
    })
}

/// The same from `rmpv`; `None` when it holds something the reader refuses by design
/// (extension types, invalid UTF-8 text, nesting past the reader's bound).
fn theirs(v: &Rmpv, depth: usize) -> Option<V> {
    if depth > MAX_SKIP_DEPTH {
        return None;
    }
    Some(match v {
        Rmpv::Nil => V::Nil,
        Rmpv::Boolean(b) => V::Bool(*b),
        Rmpv::Integer(i) => match (i.as_u64(), i.as_i64()) {
            (Some(u), _) => V::U(u),
            (None, Some(i)) => V::I(i),
            _ => return None,
        },
        Rmpv::F32(f) => V::F(f64::from(*f).to_bits()),
        Rmpv::F64(f) => V::F(f.to_bits()),
        Rmpv::String(s) => V::Str(s.as_str()?.to_owned()),
        Rmpv::Binary(b) => V::Bin(b.clone()),
        Rmpv::Array(a) => V::List(
            a.iter()
                .map(|x| theirs(x, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Rmpv::Map(m) => V::Map(
            m.iter()
                .map(|(k, x)| Some((theirs(k, depth + 1)?, theirs(x, depth + 1)?)))
                .collect::<Option<_>>()?,
        ),
        Rmpv::Ext(..) => return None,
    })
}

/// Reads `bytes` (one value) with both. When the reader succeeds, `rmpv` reads the same
/// value from the same bytes; when `rmpv` reads a value the reader supports, so does the
/// reader. Returns whether both read a value.
fn agree(what: &str, bytes: &[u8]) -> bool {
    let mut r = Reader::new(bytes);
    let mine = ours(&mut r, 0).map(|v| (v, r.position()));
    let mut cursor = std::io::Cursor::new(bytes);
    let other = rmpv::decode::read_value(&mut cursor)
        .ok()
        .map(|v| (theirs(&v, 0), cursor.position() as usize));
    match (mine, other) {
        (Ok((a, used_a)), Some((Some(b), used_b))) => {
            assert_eq!(a, b, "{what}: the two readers disagree");
            assert_eq!(used_a, used_b, "{what}: consumed differently");
            true
        }
        (Ok((a, _)), other) => panic!("{what}: only the reader read {a:?} ({other:?})"),
        // 0xc1 is "never used" in the specification; rmpv reads it as nil, the reader
        // refuses it.
        (Err(e), Some(_)) if bytes.get(e.at) == Some(&0xc1) => false,
        (Err(e), Some((Some(b), _))) => {
            panic!("{what}: only rmpv read {b:?} (the reader: {e}) from {bytes:02x?}")
        }
        (Err(_), _) => false,
    }
}

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn fixture_bundles_and_what_the_writer_emits_read_the_same_with_rmpv() {
    let mut n = 0;
    for (path, bytes) in files("tests/fixtures") {
        if !path.ends_with(".cpm") {
            continue;
        }
        assert!(agree(&path, &bytes), "{path}: a fixture must read");
        // The writer's output of the decoded bundle: the same values again.
        let model = crate::model::decode(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        let written = format::encode(model.bundle());
        assert!(agree(&format!("{path} rewritten"), &written));
        let again = crate::model::decode(&written).unwrap();
        let (a, b) = (
            format!("{:?}", again.bundle()),
            format!("{:?}", model.bundle()),
        );
        if a != b {
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let from = at.saturating_sub(150);
            panic!(
                "{path}: the writer does not round-trip at {at}:\n{}\n{}",
                &a[from..(at + 80).min(a.len())],
                &b[from..(at + 80).min(b.len())]
            );
        }
        n += 1;
    }
    assert!(n >= 10, "only {n} fixture bundles");
}

#[test]
fn fuzz_corpus_bundles_read_the_same_with_rmpv() {
    let (mut read, mut total) = (0, 0);
    for (path, bytes) in files("fuzz/corpus/decode_model") {
        total += 1;
        read += usize::from(agree(&path, &bytes));
    }
    // Most of the corpus is damaged on purpose; the readers must still agree on the rest.
    eprintln!("{read} of {total} corpus bundles read");
    assert!(total > 100 && read > total / 10, "{read} of {total} read");
}

/// A journal record as `rmp-serde` reads the documented layout.
type Record = (
    u64,
    i64,
    u8,
    Vec<(
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<f64>,
        u32,
    )>,
    Option<f64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<rmpv::Value>,
);

fn check_record(what: &str, text: &str) -> bool {
    let Some(bytes) = crate::base64::base64_decode(text) else {
        return false;
    };
    agree(what, &bytes);
    let Some((id, e)) = decode_record(text) else {
        return false;
    };
    let r: Record = rmp_serde::from_slice(&bytes)
        .unwrap_or_else(|err| panic!("{what}: rmp-serde refuses a record we read: {err}"));
    assert_eq!(
        (r.0, r.1, r.2),
        (id, e.ts, u8::from(e.kind)),
        "{what}: id, ts, type"
    );
    let items: Vec<_> = e
        .items
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                i.name.clone(),
                i.category.clone(),
                i.brand.clone(),
                i.price,
                i.quantity,
            )
        })
        .collect();
    assert_eq!(r.3, items, "{what}: items");
    assert_eq!(
        (r.4, r.5, r.6, r.7, r.8),
        (
            e.value,
            e.currency.clone(),
            e.payment_type.clone(),
            e.shipping_tier.clone(),
            e.coupon.clone()
        ),
        "{what}: fields"
    );
    match (&r.9, &e.exposure) {
        (None | Some(rmpv::Value::Nil), None) => {}
        (Some(rmpv::Value::Array(a)), Some(x)) => {
            assert_eq!(a[0].as_str(), Some(x.experiment.as_str()), "{what}");
            assert_eq!(a[1].as_str(), Some(x.arm.as_str()), "{what}");
            assert_eq!(a[2].as_u64(), Some(u64::from(x.variation)), "{what}");
            assert_eq!(a.get(3).and_then(|l| l.as_bool()).unwrap_or(false), x.late);
            let shown: Vec<&str> = a
                .get(4)
                .and_then(|s| s.as_array())
                .map(|s| s.iter().filter_map(|i| i.as_str()).collect())
                .unwrap_or_default();
            assert_eq!(shown, x.shown, "{what}: shown");
            let types: Vec<&str> = a
                .get(5)
                .and_then(|s| s.as_array())
                .map(|s| s.iter().filter_map(|i| i.as_str()).collect())
                .unwrap_or_default();
            assert_eq!(types, x.types, "{what}: types");
        }
        other => panic!("{what}: exposure {other:?}"),
    }
    true
}

#[test]
fn journal_records_read_the_same_with_rmp_serde() {
    use crate::event::{Event, EventType, Exposure, Item};
    // What the codec writes, for events with every field.
    let mut e = Event::new(EventType::Purchase, 1_795_000_000_000);
    e.items.push(Item {
        id: "sku-1".into(),
        name: Some("Crème brûlée".into()),
        category: Some("desserts".into()),
        brand: None,
        price: Some(4.5),
        quantity: 3,
    });
    e.value = Some(13.5);
    e.currency = Some("EUR".into());
    e.payment_type = Some("card".into());
    e.shipping_tier = Some("express".into());
    let mut x = Event::new(EventType::Exposure, 1_795_000_000_001);
    x.exposure = Some(Exposure {
        experiment: "pay".into(),
        arm: "b".into(),
        variation: 1,
        late: true,
        shown: Vec::new(),
        types: Vec::new(),
    });
    let mut list = Event::new(EventType::Exposure, 1_795_000_000_002);
    list.exposure = Some(Exposure {
        experiment: crate::event::PAYMENT_LIST.into(),
        arm: String::new(),
        variation: 0,
        late: false,
        shown: vec!["paypal".into(), "card".into()],
        types: vec!["wallet".into(), String::new()],
    });
    let mut plain = Event::new(EventType::PageView, 5);
    plain.coupon = Some("X".repeat(64));
    for (id, ev) in [(1u64, &e), (2, &x), (3, &list), (u64::MAX >> 12, &plain)] {
        assert!(check_record("written", &encode_record(id, ev)));
    }
    // And every record the journal fuzzer ever found in a segment.
    let (mut read, mut total) = (0, 0);
    for (path, bytes) in files("fuzz/corpus/restore_journal") {
        let text = String::from_utf8_lossy(&bytes);
        for line in text.split('\n') {
            let Some(body) = line.strip_prefix(SEGMENT_TAG) else {
                continue;
            };
            for part in body.split(',').filter(|p| !p.is_empty()) {
                total += 1;
                read += usize::from(check_record(&path, part));
            }
        }
    }
    eprintln!("{read} of {total} corpus records decoded");
    assert!(total > 100 && read > 0, "{read} of {total} records read");
}
