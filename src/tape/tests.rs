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
