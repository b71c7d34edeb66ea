//! The JS boundary under Node (`wasm-pack test --node`): constructor options, error
//! messages, result shapes, the no-window fallback, and the golden cases replayed in wasm.
#![cfg(target_arch = "wasm32")]

use checkout_personalizer::web::Personalizer;
use js_sys::{Function, Reflect, JSON};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test json")
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| {
        Reflect::get(&v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    })
}

fn message(e: JsError) -> String {
    let v: JsValue = e.into();
    v.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

/// A personalizer on a clock the test controls.
fn with_clock(options: &str, clock: &Rc<Cell<f64>>) -> Result<Personalizer, JsError> {
    let opts = js(options);
    let c = clock.clone();
    let f = Closure::<dyn Fn() -> f64>::new(move || c.get()).into_js_value();
    Reflect::set(&opts, &"now".into(), &f).unwrap();
    Personalizer::new(Some(opts.unchecked_into()))
}

#[wasm_bindgen_test]
fn without_a_window_storage_degrades_to_memory() {
    let p = Personalizer::new(Some(js(r#"{"consent":"granted"}"#).unchecked_into())).unwrap();
    p.track(js(r#"{"type":"page_view"}"#).unchecked_into())
        .unwrap();
    p.flush().unwrap();
    let s: JsValue = p.status().unwrap().into();
    assert_eq!(get(&s, "storage").as_string().as_deref(), Some("memory"));
    assert_eq!(
        get(&s, "storageFallback").as_string().as_deref(),
        Some("no window")
    );
    assert_eq!(
        get(&s, "memoryReason.reason").as_string().as_deref(),
        Some("notDurable")
    );
    assert_eq!(get(&s, "consent").as_string().as_deref(), Some("granted"));
    assert_eq!(get(&s, "events").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn defaults_to_pending_consent() {
    let p = Personalizer::new(None).unwrap();
    let s: JsValue = p.status().unwrap().into();
    assert_eq!(get(&s, "consent").as_string().as_deref(), Some("pending"));
    assert_eq!(
        get(&s, "memoryReason.reason").as_string().as_deref(),
        Some("noConsent")
    );
}

#[wasm_bindgen_test]
fn bad_options_get_stable_messages() {
    for (options, want) in [
        (
            r#"{"consnet":"granted"}"#,
            "config: unknown option \"consnet\"",
        ),
        (
            r#"{"consent":"yes"}"#,
            "config: consent must be 'granted', 'denied' or 'pending', got \"yes\"",
        ),
        (
            r#"{"namespace":"a b"}"#,
            "config: namespace must be 1 to 32 letters, digits, '_' or '-'",
        ),
        (r#"{"now":5}"#, "config: \"now\" must be a function"),
        (r#"[]"#, "config: options must be an object"),
        (r#""granted""#, "config: options must be an object"),
    ] {
        let err = Personalizer::new(Some(js(options).unchecked_into()))
            .err()
            .expect(options);
        assert_eq!(message(err), want);
    }
    let p = Personalizer::new(None).unwrap();
    let err = p
        .set_consent(JsValue::from_str("maybe").unchecked_into())
        .unwrap_err();
    assert_eq!(
        message(err),
        "config: consent must be 'granted', 'denied' or 'pending', got \"maybe\""
    );
    let err = p
        .set_consent(JsValue::from_f64(1.0).unchecked_into())
        .unwrap_err();
    assert_eq!(
        message(err),
        "config: consent must be 'granted', 'denied' or 'pending'"
    );
}

#[wasm_bindgen_test]
fn bad_events_get_stable_messages() {
    let p = Personalizer::new(None).unwrap();
    for (event, want) in [
        ("null", "event: \"event\" must be an object, got null"),
        ("42", "event: \"event\" must be an object, got a number"),
        (
            r#"{"type":"add_to_cart","items":[{"item_id":"a","price":"2"}]}"#,
            "event: \"items[0].price\" must be a finite number",
        ),
    ] {
        let err = p.track(js(event).unchecked_into()).unwrap_err();
        assert_eq!(message(err), want);
    }
    // A cyclic object cannot exhaust the stack.
    let cyclic = js(r#"{"type":"page_view","items":[]}"#);
    Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let err = message(p.track(cyclic.unchecked_into()).unwrap_err());
    assert!(
        err.starts_with("event: could not read the value (nested deeper than"),
        "{err}"
    );
    // undefined is like a missing field; a function value is refused with the area prefix.
    p.track(js(r#"{"type":"page_view"}"#).unchecked_into())
        .unwrap();
    let f = js(r#"{"type":"page_view"}"#);
    Reflect::set(&f, &"value".into(), &Function::new_no_args("return 1")).unwrap();
    let err = message(p.track(f.unchecked_into()).unwrap_err());
    assert!(err.starts_with("event: "), "{err}");
}

#[wasm_bindgen_test]
fn profile_and_export_shapes() {
    let clock = Rc::new(Cell::new(1_700_000_000_000.0));
    let p = with_clock(r#"{"consent":"granted","storage":"memory"}"#, &clock).unwrap();
    p.track(js(r#"{"type":"add_to_cart","currency":"EUR","items":[{"item_id":"milk","item_name":"Milk","price":1.5,"quantity":2}],"email":"x@y.de"}"#).unchecked_into()).unwrap();
    clock.set(1_700_000_001_000.0);
    let prof: JsValue = p.profile().unwrap().into();
    assert_eq!(get(&prof, "cart.value").as_f64(), Some(3.0));
    assert_eq!(
        get(&prof, "session.lastEventAt").as_f64(),
        Some(1_700_000_000_000.0)
    );
    assert_eq!(get(&prof, "orders.averageValue"), JsValue::NULL);
    assert!(get(&prof, "context.device").is_string());
    assert!(get(&prof, "context.localHour").as_f64().is_some());

    let data: JsValue = p.export_data().unwrap().into();
    assert_eq!(get(&data, "namespace").as_string().as_deref(), Some("cp"));
    let text = JSON::stringify(&get(&data, "events"))
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(
        text,
        r#"[{"type":"add_to_cart","ts":1700000000000,"items":[{"item_id":"milk","item_name":"Milk","price":1.5,"quantity":2}],"currency":"EUR"}]"#
    );
    assert_eq!(p.forget().unwrap(), 0, "memory storage: no stored keys");
    let prof: JsValue = p.profile().unwrap().into();
    assert_eq!(get(&prof, "events").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
fn golden_profile_cases_agree_with_native() {
    let cases = js(include_str!("cases/profile.json"));
    let cases: js_sys::Array = cases.unchecked_into();
    assert!(cases.length() >= 7);
    for case in cases.iter() {
        let name = get(&case, "name").as_string().unwrap();
        let clock = Rc::new(Cell::new(0.0));
        let options = JSON::stringify(&get(&case, "options"))
            .unwrap()
            .as_string()
            .unwrap();
        let p = with_clock(&options, &clock).unwrap();
        let steps: js_sys::Array = get(&case, "steps").unchecked_into();
        for step in steps.iter() {
            clock.set(get(&step, "at").as_f64().unwrap());
            let result = p.track(get(&step, "event").unchecked_into());
            match get(&step, "error").as_string() {
                Some(want) => assert_eq!(message(result.unwrap_err()), want, "{name}"),
                None => assert!(result.is_ok(), "{name}"),
            }
        }
        clock.set(get(&case, "at").as_f64().unwrap());
        let prof: JsValue = p.profile().unwrap().into();
        let expect = get(&case, "expect");
        for key in js_sys::Object::keys(expect.unchecked_ref::<js_sys::Object>()).iter() {
            let path = key.as_string().unwrap();
            let want = Reflect::get(&expect, &key).unwrap();
            let got = get(&prof, &path);
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
