//! Replays the golden cases in tests/cases/ natively. tests/node.rs replays the same files
//! through the JS API in wasm, so native and wasm32 must agree.

use checkout_personalizer::rank::{CrossSellRequest, PaymentMethod};
use checkout_personalizer::{MemoryStore, Options, Tracker, Value};
use serde_json::Value as Json;

fn lookup<'a>(mut v: &'a Json, path: &str) -> Option<&'a Json> {
    for part in path.split('.') {
        v = match part.parse::<usize>() {
            Ok(i) => v.get(i)?,
            Err(_) => v.get(part)?,
        };
    }
    Some(v)
}

/// A tracker over a memory store, configured by the case's `options`.
fn tracker_for(case: &Json) -> Tracker<MemoryStore> {
    let options: Value = serde_json::from_value(case["options"].clone()).unwrap();
    let Value::Map(entries) = options else {
        panic!("{}: options must be an object", case["name"])
    };
    Tracker::for_replay(
        MemoryStore::new(),
        &Options::from_entries(&entries).unwrap(),
        1,
        0,
    )
}

#[test]
fn profile_cases() {
    let cases: Vec<Json> = serde_json::from_str(include_str!("cases/profile.json")).unwrap();
    assert!(cases.len() >= 7);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let mut t = tracker_for(case);
        for step in case["steps"].as_array().unwrap() {
            let at = step["at"].as_i64().unwrap();
            let event: Value = serde_json::from_value(step["event"].clone()).unwrap();
            let result = t.track(&event, at).map_err(|e| e.to_string());
            match step.get("error").and_then(Json::as_str) {
                Some(want) => assert_eq!(result.unwrap_err(), want, "{name}"),
                None => assert!(result.is_ok(), "{name}: {result:?}"),
            }
        }
        let view = serde_json::to_value(t.profile(case["at"].as_i64().unwrap())).unwrap();
        for (path, want) in case["expect"].as_object().unwrap() {
            let got = lookup(&view, path).unwrap_or_else(|| panic!("{name}: no {path} in {view}"));
            match (got.as_f64(), want.as_f64()) {
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                    "{name}: {path} = {g}, want {w}"
                ),
                _ => assert_eq!(got, want, "{name}: {path}"),
            }
        }
    }
}

/// `want`'s keys all appear in `got` with equal values (numbers within 1e-9).
fn subset(got: &Json, want: &Json) -> bool {
    match (got, want) {
        (Json::Object(g), Json::Object(w)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|x| subset(x, v))),
        (Json::Number(a), Json::Number(b)) => {
            (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9
        }
        _ => got == want,
    }
}

#[test]
fn ranking_cases() {
    let cases: Vec<Json> = serde_json::from_str(include_str!("cases/ranking.json")).unwrap();
    assert!(cases.len() >= 14);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let mut t = tracker_for(case);
        if let Some(file) = case["model"].as_str() {
            let bytes = std::fs::read(format!(
                "{}/tests/fixtures/{file}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            t.load_model(&bytes).unwrap();
        }
        for step in case["steps"].as_array().unwrap() {
            if let Some(who) = step.get("identify") {
                let who: Value = serde_json::from_value(who.clone()).unwrap();
                t.identify(&who, 0)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                continue;
            }
            let event: Value = serde_json::from_value(step["event"].clone()).unwrap();
            t.track(&event, step["at"].as_i64().unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let at = case["at"].as_i64().unwrap();
        let want = &case["expect"];
        let list = |key: &str| {
            let v: Value = serde_json::from_value(case[key].clone()).unwrap();
            PaymentMethod::list_from_value(&v).unwrap()
        };
        let ranking = match case["rank"].as_str().unwrap() {
            "offer" => {
                let offers: Value = serde_json::from_value(case["offers"].clone()).unwrap();
                let offers = checkout_personalizer::rank::Offer::list_from_value(&offers).unwrap();
                let d = t.choose_offer(&offers, at);
                assert_eq!(
                    serde_json::to_value(&d.offer).unwrap(),
                    want["offer"],
                    "{name}: {d:?}"
                );
                assert_eq!(d.reason, want["reason"].as_str().unwrap(), "{name}");
                if let Some(p) = &d.probability {
                    assert_eq!(
                        d.offer.is_some(),
                        p.with > p.without,
                        "{name}: only with an uplift"
                    );
                }
                continue;
            }
            "messages" => {
                let slots: Vec<String> = serde_json::from_value(case["slots"].clone()).unwrap();
                for m in t.choose_messages(&slots, at) {
                    let text = serde_json::to_value(&m.text).unwrap();
                    assert_eq!(text, want["messages"][&m.slot], "{name}: {}", m.slot);
                }
                continue;
            }
            kind @ ("payment" | "shipping") => {
                let methods = list("methods");
                let r = if kind == "payment" {
                    t.rank_payment_methods(&methods, at)
                } else {
                    t.rank_shipping_options(&methods, at)
                };
                // Whatever the case expects, the result is a permutation of the input.
                let mut a: Vec<&str> = r.items.iter().map(|i| i.id.as_str()).collect();
                let mut b: Vec<&str> = methods.iter().map(|m| m.id.as_str()).collect();
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "{name}: not a permutation");
                r
            }
            _ => {
                let req: Value = serde_json::from_value(case["request"].clone()).unwrap();
                t.rank_cross_sells(&CrossSellRequest::from_value(&req).unwrap(), at)
            }
        };
        let got = serde_json::to_value(&ranking).unwrap();
        let order: Vec<&str> = ranking.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            serde_json::to_value(&order).unwrap(),
            want["order"],
            "{name}: order {got}"
        );
        if let Some(inel) = want.get("ineligible") {
            let got_inel: Vec<&str> = ranking
                .items
                .iter()
                .filter(|i| !i.eligible)
                .map(|i| i.id.as_str())
                .collect();
            assert_eq!(
                serde_json::to_value(&got_inel).unwrap(),
                *inel,
                "{name}: ineligible"
            );
        }
        assert_eq!(got["fallback"], want["fallback"], "{name}: fallback");
        if let Some(e) = want.get("experiment") {
            assert!(
                subset(&got["experiment"], e),
                "{name}: experiment {}",
                got["experiment"]
            );
        }
        if let Some(r) = want.get("firstReason") {
            assert!(
                subset(&got["items"][0]["reasons"][0], r),
                "{name}: first reason {}",
                got["items"][0]["reasons"]
            );
        }
        if let Some(s) = want.get("segments") {
            assert_eq!(
                serde_json::to_value(t.segments(at)).unwrap(),
                *s,
                "{name}: segments"
            );
        }
    }
}
