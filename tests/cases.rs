//! Replays the golden cases in tests/cases/ natively. tests/node.rs replays the same files
//! through the JS API in wasm, so native and wasm32 must agree.

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

#[test]
fn profile_cases() {
    let cases: Vec<Json> = serde_json::from_str(include_str!("cases/profile.json")).unwrap();
    assert!(cases.len() >= 7);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let options: Value = serde_json::from_value(case["options"].clone()).unwrap();
        let Value::Map(entries) = options else {
            panic!("{name}: options")
        };
        let opts = Options::from_entries(&entries).unwrap();
        let mut t = Tracker::new(MemoryStore::new(), opts.tracker, 1, opts.consent, 0);
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
