//! Decoding hostile bundles: every truncation and many bit flips of a real bundle give an
//! error or a valid model, never a panic; structural lies (cycles, shared nodes, bad
//! indices, deep trees, NaN) are refused with a clear message.

use super::*;

fn fixture() -> Vec<u8> {
    include_bytes!("../../tests/fixtures/ranking.cpm").to_vec()
}

fn tiny_trees() -> Bundle {
    Bundle {
        id: "t".into(),
        version: "1".into(),
        heads: vec![Head {
            name: "h".into(),
            kind: HeadKind::Trees(Trees {
                n_features: 1,
                n_groups: 1,
                link: Link::Logistic,
                base_margin: vec![0.0],
                roots: vec![0],
                tree_group: vec![0],
                kind: vec![node::LESS, node::LEAF, node::LEAF],
                feature: vec![0; 3],
                threshold: vec![0.5, 0.0, 0.0],
                left: vec![1, 0, 0],
                right: vec![2, 0, 0],
                missing: vec![0; 3],
                value: vec![0.0, -1.0, 1.0],
                cat_start: vec![0; 3],
                cat_len: vec![0; 3],
                cat_words: vec![],
                compiled: Default::default(),
            }),
        }],
        ..Bundle::default()
    }
}

fn refuse(b: Bundle, want: &str) {
    let err = decode(&format::encode(&b)).unwrap_err().to_string();
    assert!(err.contains(want), "{err}");
    assert!(err.starts_with("model: "), "{err}");
}

fn trees(b: &mut Bundle) -> &mut Trees {
    match &mut b.heads[0].kind {
        HeadKind::Trees(t) => t,
        _ => unreachable!(),
    }
}

#[test]
fn round_trips() {
    let bytes = fixture();
    let m = decode(&bytes).unwrap();
    assert_eq!(format::encode(m.bundle()), bytes);
    let t = decode(&format::encode(&tiny_trees())).unwrap();
    assert_eq!(t.predict_raw("h", &[0.9]).unwrap(), vec![1.0]);
}

#[test]
fn predict_single_is_output_zero_of_predict() {
    let m = decode(&fixture()).unwrap();
    let t = decode(&format::encode(&tiny_trees())).unwrap();
    assert_eq!(
        t.predict_single("h", &[0.9]).unwrap(),
        Some(1.0 / (1.0 + (-1.0f64).exp()))
    );
    let mut single = 0;
    for h in &m.bundle().heads {
        let x: Vec<f64> = (0..h.n_features()).map(|i| i as f64 * 0.3).collect();
        let (one, all) = (m.predict_single(&h.name, &x), m.predict(&h.name, &x));
        match (one, all) {
            (Ok(Some(p)), Ok(all)) => {
                assert_eq!((all.len(), p), (1, all[0]), "{}", h.name);
                single += 1;
            }
            (Ok(None), Ok(all)) => assert!(all.len() > 1, "{}", h.name),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (one, all) => panic!("{}: {one:?} vs {all:?}", h.name),
        }
    }
    assert!(single > 0);
    assert!(m.predict_single("nope", &[]).is_err());
    // A head resolved once scores the same, and refuses a vector of the wrong length.
    let h = t.scoring("h").unwrap();
    assert_eq!(
        h.predict_single(&[0.9]),
        t.predict_single("h", &[0.9]).unwrap()
    );
    assert_eq!(h.predict_single(&[0.9, 0.1]), None);
    assert!(t.scoring("nope").is_err());
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = fixture();
    for n in 0..bytes.len() {
        assert!(decode(&bytes[..n]).is_err(), "truncated to {n}");
    }
}

#[test]
fn bit_flips_never_panic() {
    let bytes = fixture();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut accepted = 0;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut b = bytes.clone();
        let i = (x as usize) % b.len();
        b[i] ^= 1 << ((x >> 32) % 8);
        if let Ok(m) = decode(&b) {
            // Whatever was accepted scores without panicking.
            accepted += 1;
            for h in &m.bundle().heads {
                let x = vec![0.5; h.n_features()];
                let _ = m.predict(&h.name, &x);
                let _ = m.predict_single(&h.name, &x);
            }
        }
    }
    assert!(accepted < 20_000);
}

#[test]
fn refuses_wrong_versions_and_sizes() {
    let mut w = crate::msgpack::Writer::new();
    w.map(2);
    w.str("magic");
    w.str("CPM");
    w.str("format");
    w.u64(u64::from(FORMAT_VERSION) + 1);
    assert_eq!(
        decode(&w.into_bytes()).unwrap_err().to_string(),
        format!("model: unsupported format version {}", FORMAT_VERSION + 1)
    );
    assert_eq!(
        decode(&vec![0u8; decode::MAX_BUNDLE_BYTES + 1])
            .unwrap_err()
            .to_string(),
        format!(
            "model: bundle of {} bytes exceeds the limit of {}",
            decode::MAX_BUNDLE_BYTES + 1,
            decode::MAX_BUNDLE_BYTES
        )
    );
    assert_eq!(
        decode(b"\x80").unwrap_err().to_string(),
        "model: not a checkout-personalizer bundle"
    );
}

#[test]
fn refuses_structural_lies() {
    let mut b = tiny_trees();
    trees(&mut b).left[0] = 0; // the root is its own child: a cycle
    refuse(b, "reached twice");
    let mut b = tiny_trees();
    trees(&mut b).right[0] = 1; // both children are one node
    refuse(b, "reached twice");
    let mut b = tiny_trees();
    trees(&mut b).right[0] = 99;
    refuse(b, "out of range");
    let mut b = tiny_trees();
    trees(&mut b).feature[0] = 5;
    refuse(b, "missing feature");
    let mut b = tiny_trees();
    trees(&mut b).value[1] = f64::NAN;
    refuse(b, "not a finite number");
    let mut b = tiny_trees();
    trees(&mut b).threshold[0] = f64::INFINITY;
    refuse(b, "threshold that is not finite");
    let mut b = tiny_trees();
    trees(&mut b).kind[0] = 9;
    refuse(b, "unknown kind 9");
    let mut b = tiny_trees();
    trees(&mut b).roots.push(1); // a node in two trees
    trees(&mut b).tree_group.push(0);
    refuse(b, "reached twice");
    let mut b = tiny_trees();
    trees(&mut b).tree_group[0] = 3;
    refuse(b, "missing output group");
    // A chain deeper than the bound: internal node i goes left to i + 1 and right to leaf
    // n + i.
    let mut b = tiny_trees();
    let t = trees(&mut b);
    let n = decode::MAX_TREE_DEPTH + 2;
    let m = 2 * n;
    *t = Trees {
        kind: (0..m)
            .map(|i| if i < n { node::LESS } else { node::LEAF })
            .collect(),
        feature: vec![0; m],
        threshold: vec![0.5; m],
        left: (0..m)
            .map(|i| if i + 1 < n { i + 1 } else { n + i % n } as u32)
            .collect(),
        right: (0..m).map(|i| (n + i % n) as u32).collect(),
        missing: vec![0; m],
        value: vec![0.0; m],
        cat_start: vec![0; m],
        cat_len: vec![0; m],
        ..t.clone()
    };
    refuse(b, "deeper than 32");
}

#[test]
fn refuses_bad_references() {
    let mut b = tiny_trees();
    b.payment = Some(Surface {
        head: Some("nope".into()),
        ..Surface::default()
    });
    refuse(b, "missing head \"nope\"");
    let mut b = tiny_trees();
    b.payment = Some(Surface {
        head: Some("h".into()),
        ..Surface::default()
    });
    refuse(b, "takes 1 features but the bundle defines 0");
    let mut b = tiny_trees();
    b.features.push(Feature {
        name: "f".into(),
        source: "cart.nope".into(),
        transform: Transform::Raw,
        label: None,
    });
    refuse(b, "unknown source \"cart.nope\"");
    let mut b = tiny_trees();
    b.features.push(Feature {
        name: "f".into(),
        source: "context.country".into(),
        transform: Transform::Raw,
        label: None,
    });
    refuse(b, "is text but its transform needs a number");
    let mut b = tiny_trees();
    b.experiments.push(Experiment {
        key: "e".into(),
        seed: "e".into(),
        hash_version: 3,
        surface: "payment".into(),
        arms: vec![],
        ..Experiment::new("e", "payment", vec![])
    });
    refuse(b, "hash version must be 1 or 2");
}

#[test]
fn expired_models_are_not_used() {
    let mut b = tiny_trees();
    b.expires_ms = Some(1000);
    let m = decode(&format::encode(&b)).unwrap();
    assert!(!m.is_expired(999));
    assert!(m.is_expired(1000));
}

/// A bundle's map header followed by `key: array32(claim)` and `pad` bytes of filler: the
/// shape of a crafted bundle that claims millions of entries.
pub(crate) fn claiming(key: &str, claim: u32, pad: usize) -> Vec<u8> {
    let mut w = crate::msgpack::Writer::new();
    w.map(3);
    w.str("magic");
    w.str(MAGIC);
    w.str("format");
    w.u64(u64::from(FORMAT_VERSION));
    w.str(key);
    let mut b = w.into_bytes();
    b.push(0xdd);
    b.extend_from_slice(&claim.to_be_bytes());
    b.resize(b.len() + pad, 0xc0); // nil: one byte per claimed entry
    b
}

#[test]
fn claimed_lengths_never_reserve_memory_the_input_cannot_fill() {
    // 16 M heads claimed, 16 MB of input: before the fix this reserved 16 M × size_of::<Head>
    // and aborted with "capacity overflow" (on wasm32 at once).
    for key in ["heads", "features", "segments", "experiments", "messages"] {
        let b = claiming(key, 16_000_000, decode::MAX_BUNDLE_BYTES - 64);
        let err = decode(&b).unwrap_err().to_string();
        assert!(err.starts_with("model: "), "{key}: {err}");
    }
    // The largest claim a u32 can make, with little behind it.
    let err = decode(&claiming("heads", u32::MAX, 100)).unwrap_err();
    assert!(err.to_string().starts_with("model: "), "{err}");
}

#[test]
fn category_ranges_that_wrap_around_are_refused() {
    let mut b = tiny_trees();
    let t = trees(&mut b);
    t.kind[0] = node::CAT_RIGHT;
    t.cat_words = vec![1];
    t.cat_start[0] = u32::MAX;
    t.cat_len[0] = 2; // u32::MAX + 2 wraps to 1 in 32-bit arithmetic
    refuse(b, "model: head \"h\": node 0 has categories out of range");
}

/// Format 3: default-named one-hot features are written as runs of bare values and read
/// back as the same features; everything else keeps its map, and a bundle without such
/// features keeps its older version.
#[test]
fn one_hot_runs_round_trip_and_are_versioned() {
    let one_hot = |source: &str, value: &str, label: Option<&str>, name: Option<&str>| Feature {
        name: name.map_or_else(|| format::one_hot_name(source, value), Into::into),
        source: source.into(),
        transform: Transform::OneHot {
            value: value.into(),
        },
        label: label.map(Into::into),
    };
    let raw = Feature {
        name: "last".into(),
        source: "candidate.isLast".into(),
        transform: Transform::Raw,
        label: Some("Your usual".into()),
    };
    let features = vec![
        raw.clone(),
        one_hot("candidate.id", "card", Some("Popular"), None),
        one_hot("candidate.id", "paypal", Some("Popular"), None),
        one_hot("candidate.id", "klarna", None, None),
        one_hot("candidate.id", "ideal", Some("Popular"), Some("is_ideal")),
        one_hot(
            "candidate.idCountry",
            "ideal|NL",
            Some("Popular in your country"),
            None,
        ),
    ];
    let n = features.len();
    let b = Bundle {
        id: "runs".into(),
        version: "1".into(),
        features,
        heads: vec![Head {
            name: "payment".into(),
            kind: HeadKind::Linear(Linear {
                n_features: n as u32,
                link: Link::Logistic,
                intercepts: vec![0.0],
                weights: vec![1.0; n],
            }),
        }],
        ..Bundle::default()
    };
    let bytes = format::encode(&b);
    assert_eq!(format::read(&bytes).unwrap(), b);
    // The value after the key `format` (a fixstr, then a positive fixint).
    let version = |bytes: &[u8]| {
        let key = b"\xa6format";
        let at = bytes.windows(key.len()).position(|w| w == key)?;
        bytes.get(at + key.len()).map(|&v| u64::from(v))
    };
    assert_eq!(version(&bytes), Some(3));
    // Smaller than the same features as maps (about 50 bytes less for each of four).
    let mut named = b.clone();
    for f in &mut named.features {
        f.name = format!("{}!", f.name);
    }
    let maps = format::encode(&named);
    assert_eq!(version(&maps), Some(1));
    assert!(
        bytes.len() + 200 < maps.len(),
        "{} vs {}",
        bytes.len(),
        maps.len()
    );
    decode(&bytes).unwrap();
}

/// A run cannot expand a small input past the feature limit.
#[test]
fn one_hot_runs_are_bounded() {
    let mut w = crate::msgpack::Writer::new();
    w.map(3);
    w.str("magic");
    w.str("CPM");
    w.str("format");
    w.u64(3);
    w.str("features");
    w.array(1);
    w.array(decode::MAX_FEATURES + 3);
    w.str("candidate.id");
    w.nil();
    for _ in 0..=decode::MAX_FEATURES {
        w.str("");
    }
    let err = decode(&w.into_bytes()).unwrap_err().to_string();
    assert!(err.contains("more than 10000 features"), "{err}");
}
