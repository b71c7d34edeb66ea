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
            r#"{"type":"add_to_cart","items":[{"item_id":"a","price":"1,99"}]}"#,
            "event: \"items[0].price\" must be a finite number (or a decimal string such as \"31.10\")",
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

/// The page's values cross as tapes written into one buffer the glue keeps between calls:
/// a tape larger than the buffer (it grows), then a small one, then the large again, each
/// arrives whole (multi-byte text included).
#[wasm_bindgen_test]
fn tapes_of_any_size_cross_intact_one_after_another() {
    let clock = Rc::new(Cell::new(1_700_000_000_000.0));
    let p = with_clock(r#"{"consent":"granted","storage":"memory"}"#, &clock).unwrap();
    let items: Vec<String> = (0..60)
        .map(|i| format!(r#"{{"item_id":"sku-{i}","item_name":"Käse ☕ Nr. {i}","quantity":1}}"#))
        .collect();
    let big = |ts: u64| {
        format!(
            r#"{{"type":"add_to_cart","ts":{ts},"items":[{}]}}"#,
            items.join(",")
        )
    };
    let (first, last) = (big(1_700_000_000_000), big(1_700_000_000_002));
    let small = r#"{"type":"view_item","ts":1700000000001,"items":[{"item_id":"é","quantity":1}]}"#;
    for event in [&first[..], small, &last[..]] {
        p.track(js(event).unchecked_into()).unwrap();
    }
    let data: JsValue = p.export_data().unwrap().into();
    let text = JSON::stringify(&get(&data, "events"))
        .unwrap()
        .as_string()
        .unwrap();
    assert!(first.len() > 2048, "larger than the glue's first buffer");
    assert!(text == format!("[{first},{small},{last}]"), "{text}");
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

// ---------------------------------------------------------------- models and ranking

use checkout_personalizer::web::Model;

fn rows(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .skip_while(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .map(|l| {
            l.split(',')
                .map(|c| {
                    if c.is_empty() {
                        f64::NAN
                    } else {
                        c.parse().unwrap()
                    }
                })
                .collect()
        })
        .collect()
}

/// The committed bundles imported from real XGBoost / LightGBM / scikit-learn models score
/// in wasm exactly as natively: within 1e-6 of the library's own probabilities.
#[wasm_bindgen_test]
fn imported_models_match_the_libraries_in_wasm() {
    let x = rows(include_str!("fixtures/shoppers_rows.csv"));
    let sk: JsValue = js(include_str!("fixtures/sk_logistic.json"));
    let nums = |k: &str| -> Vec<f64> {
        js_sys::Array::from(&get(&sk, k))
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let (mean, scale) = (nums("mean"), nums("scale"));
    for (bytes, pred, standardise) in [
        (
            &include_bytes!("fixtures/xgb_binary.cpm")[..],
            include_str!("fixtures/xgb_binary.pred"),
            false,
        ),
        (
            &include_bytes!("fixtures/xgb_numeric.cpm")[..],
            include_str!("fixtures/xgb_numeric.pred"),
            false,
        ),
        (
            &include_bytes!("fixtures/xgb_multi.cpm")[..],
            include_str!("fixtures/xgb_multi.pred"),
            false,
        ),
        (
            &include_bytes!("fixtures/lgb_binary.cpm")[..],
            include_str!("fixtures/lgb_binary.pred"),
            false,
        ),
        (
            &include_bytes!("fixtures/lgb_multi.cpm")[..],
            include_str!("fixtures/lgb_multi.pred"),
            false,
        ),
        (
            &include_bytes!("fixtures/sk_logistic.cpm")[..],
            include_str!("fixtures/sk_logistic.pred"),
            true,
        ),
    ] {
        let m = Model::from_bytes(bytes).unwrap();
        let want = rows(pred);
        assert_eq!(want.len(), x.len());
        let mut max = 0.0f64;
        for (row, want) in x.iter().zip(&want) {
            let row: Vec<f64> = if standardise {
                row.iter()
                    .zip(mean.iter().zip(&scale))
                    .map(|(v, (m, s))| (v - m) / s)
                    .collect()
            } else {
                row.clone()
            };
            let features = js_sys::Float64Array::from(&row[..]);
            let p = m.predict_all("model", features.into()).unwrap();
            for (g, w) in p.iter().zip(want) {
                max = max.max((g - w).abs());
            }
        }
        assert!(max <= 1e-6, "max |Δp| = {max}");
    }
}

#[wasm_bindgen_test]
fn model_errors_are_stable() {
    let err = |b: &[u8]| message(Model::from_bytes(b).err().unwrap());
    assert_eq!(err(b""), "model: not a checkout-personalizer bundle");
    assert_eq!(
        err(b"{\"json\": true}"),
        "model: not a checkout-personalizer bundle"
    );
    let good = include_bytes!("fixtures/ranking.cpm");
    assert!(err(&good[..good.len() - 7]).starts_with("model: malformed"));
    let m = Model::from_bytes(good).unwrap();
    let info: JsValue = m.info().unwrap().into();
    assert_eq!(
        get(&info, "id").as_string().as_deref(),
        Some("ranking-fixture")
    );
    assert_eq!(
        message(m.predict("nope", js("[1]")).unwrap_err()),
        "model: no head named \"nope\""
    );
    assert_eq!(
        message(m.predict("payment", js("[1,2]")).unwrap_err()),
        "model: head \"payment\" takes 8 features, got 2"
    );
    assert_eq!(
        message(
            m.predict("payment", js("[1,2,3,4,5,6,7,\"x\"]"))
                .unwrap_err()
        ),
        "model: features[7] must be a number"
    );
    // null and NaN are missing; a linear head ignores them.
    let p = m.predict("payment", js("[1,null,0,0,0,0,0,0]")).unwrap();
    assert!((p - 1.0 / (1.0 + (-(-2.0f64 + 2.0)).exp())).abs() < 1e-12);
    let multi = Model::from_bytes(include_bytes!("fixtures/xgb_multi.cpm")).unwrap();
    let x = js_sys::Float64Array::new_with_length(17);
    assert_eq!(
        message(multi.predict("model", x.into()).unwrap_err()),
        "model: head \"model\" has 4 outputs: use predictAll"
    );
}

/// A scorer resolves its head once and then scores exactly as `Model.predict` does, from
/// a Float64Array or a plain array, and fails with the same messages.
#[wasm_bindgen_test]
fn a_scorer_scores_as_predict_does() {
    let x = rows(include_str!("fixtures/shoppers_rows.csv"));
    for bytes in [
        &include_bytes!("fixtures/xgb_binary.cpm")[..],
        &include_bytes!("fixtures/xgb_numeric.cpm")[..],
        &include_bytes!("fixtures/lgb_binary.cpm")[..],
    ] {
        let m = Model::from_bytes(bytes).unwrap();
        let mut s = m.scorer("model").unwrap();
        for row in &x {
            let typed: JsValue = js_sys::Float64Array::from(&row[..]).into();
            let want = m.predict("model", typed.clone()).unwrap();
            assert_eq!(s.predict(typed).unwrap(), want);
            let plain: JsValue = row
                .iter()
                .map(|v| JsValue::from_f64(*v))
                .collect::<js_sys::Array>()
                .into();
            assert_eq!(s.predict(plain).unwrap(), want);
        }
    }
    let m = Model::from_bytes(include_bytes!("fixtures/ranking.cpm")).unwrap();
    let mut s = m.scorer("payment").unwrap();
    let row = "[1,null,0,0,0,0,0,0]";
    assert_eq!(
        s.predict(js(row)).unwrap(),
        m.predict("payment", js(row)).unwrap()
    );
    assert_eq!(
        message(s.predict(js("[1,2]")).unwrap_err()),
        "model: head \"payment\" takes 8 features, got 2"
    );
    assert_eq!(
        message(s.predict(js("[1,2,3,4,5,6,7,\"x\"]")).unwrap_err()),
        "model: features[7] must be a number"
    );
    let err = |m: &Model, head: &str| message(m.scorer(head).err().unwrap());
    assert_eq!(err(&m, "nope"), "model: no head named \"nope\"");
    assert_eq!(
        err(&m, "cooccur"),
        "model: head \"cooccur\" is a co-occurrence head and takes no features"
    );
    let multi = Model::from_bytes(include_bytes!("fixtures/xgb_multi.cpm")).unwrap();
    assert_eq!(
        err(&multi, "model"),
        "model: head \"model\" has 4 outputs: use predictAll"
    );
    // The scorer keeps its model alive after the Model object is freed.
    drop(m);
    assert!(s.predict(js(row)).unwrap().is_finite());
}

#[wasm_bindgen_test]
fn a_bad_bundle_keeps_the_previous_model() {
    let p = Personalizer::new(Some(
        js(r#"{"consent":"granted","storage":"memory","context":{"country":"NL"}}"#)
            .unchecked_into(),
    ))
    .unwrap();
    let methods = || js(r#"[{"id":"card"},{"id":"ideal"}]"#).unchecked_into();
    let r: JsValue = p.rank_payment_methods(methods(), None).unwrap().into();
    assert_eq!(get(&r, "fallback").as_string().as_deref(), Some("noModel"));
    p.load_model(include_bytes!("fixtures/ranking.cpm"))
        .unwrap();
    let err = p
        .load_model(b"\x82\xa5magic\xa3CPM\xa6format\x07")
        .err()
        .unwrap();
    assert_eq!(message(err), "model: unsupported format version 7");
    let r: JsValue = p.rank_payment_methods(methods(), None).unwrap().into();
    assert_eq!(get(&r, "fallback"), JsValue::NULL);
    assert_eq!(
        get(&r, "model").as_string().as_deref(),
        Some("ranking-fixture@1")
    );
    let first = Reflect::get(&get(&r, "items"), &0.into()).unwrap();
    assert_eq!(get(&first, "id").as_string().as_deref(), Some("ideal"));
    // A per-call context: the same shopper in DE gets no iDEAL (listed last, not hidden).
    let de = js(r#"{"country":"DE"}"#).unchecked_into();
    let r: JsValue = p.rank_payment_methods(methods(), Some(de)).unwrap().into();
    let last = Reflect::get(&get(&r, "items"), &1.into()).unwrap();
    assert_eq!(get(&last, "id").as_string().as_deref(), Some("ideal"));
    assert_eq!(get(&last, "eligible"), JsValue::FALSE);
    let err = p
        .rank_payment_methods(js(r#"[{"type":"card"}]"#).unchecked_into(), None)
        .err()
        .unwrap();
    assert_eq!(
        message(err),
        "rank: methods[0].id must be a non-empty string"
    );
}

/// `useModel` shares the page's decoded `Model` (no copy): it decides exactly as the same
/// bytes through `loadModel`, outlives the JS object it came from, and is refused when
/// bundles must be signed.
#[wasm_bindgen_test]
fn a_shared_model_decides_as_its_bytes_and_outlives_its_object() {
    use checkout_personalizer::web::Model;
    let bytes = include_bytes!("fixtures/ranking.cpm");
    let opts = r#"{"consent":"denied","context":{"country":"NL","os":"ios"}}"#;
    let clock = Rc::new(Cell::new(1_795_000_000_000.0));
    let (shared, loaded) = (
        with_clock(opts, &clock).unwrap(),
        with_clock(opts, &clock).unwrap(),
    );
    let model = Model::from_bytes(bytes).unwrap();
    shared.use_model(&model).unwrap();
    loaded.load_model(bytes).unwrap();
    let methods =
        || js(r#"[{"id":"card"},{"id":"paypal"},{"id":"ideal"},{"id":"alipay"}]"#).unchecked_into();
    let rank = |p: &Personalizer| -> String {
        let r: JsValue = p.rank_payment_methods(methods(), None).unwrap().into();
        JSON::stringify(&r).unwrap().into()
    };
    let expected = rank(&loaded);
    assert!(
        expected.contains("\"model\":\"ranking-fixture@1\""),
        "{expected}"
    );
    assert_eq!(rank(&shared), expected);
    drop(model); // the page frees its Model: the personalizer keeps deciding with it
    assert_eq!(rank(&shared), expected);

    // 0x04 and 64 zero bytes: a raw P-256 key as the option accepts one.
    let key = r#"{"publicKey":"BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#;
    let signed = Personalizer::new(Some(js(key).unchecked_into())).unwrap();
    let err = signed
        .use_model(&Model::from_bytes(bytes).unwrap())
        .err()
        .unwrap();
    assert!(message(err).starts_with("model: a public key is configured"));
}

/// tests/cases/ranking.json through the JS API in wasm: the same results as natively.
#[wasm_bindgen_test]
fn golden_ranking_cases_agree_with_native() {
    let cases: js_sys::Array = js(include_str!("cases/ranking.json")).unchecked_into();
    assert!(cases.length() >= 14);
    for case in cases.iter() {
        let name = get(&case, "name").as_string().unwrap();
        let clock = Rc::new(Cell::new(0.0));
        let options = JSON::stringify(&get(&case, "options"))
            .unwrap()
            .as_string()
            .unwrap();
        let p = with_clock(&options, &clock).unwrap();
        match get(&case, "model").as_string().as_deref() {
            Some("ranking.cpm") => drop(
                p.load_model(include_bytes!("fixtures/ranking.cpm"))
                    .unwrap(),
            ),
            Some("experiment.cpm") => drop(
                p.load_model(include_bytes!("fixtures/experiment.cpm"))
                    .unwrap(),
            ),
            Some("extras.cpm") => {
                drop(p.load_model(include_bytes!("fixtures/extras.cpm")).unwrap())
            }
            Some(other) => panic!("{name}: unknown model {other}"),
            None => {}
        }
        let steps: js_sys::Array = get(&case, "steps").unchecked_into();
        for step in steps.iter() {
            clock.set(get(&step, "at").as_f64().unwrap());
            let who = get(&step, "identify");
            if !who.is_undefined() {
                p.identify(who.unchecked_into()).unwrap();
                continue;
            }
            p.track(get(&step, "event").unchecked_into()).unwrap();
        }
        clock.set(get(&case, "at").as_f64().unwrap());
        let want = get(&case, "expect");
        let s = |v: &JsValue| JSON::stringify(v).unwrap().as_string().unwrap();
        let ranking: JsValue = match get(&case, "rank").as_string().as_deref() {
            Some("payment") => p
                .rank_payment_methods(get(&case, "methods").unchecked_into(), None)
                .unwrap()
                .into(),
            Some("shipping") => p
                .rank_shipping_options(get(&case, "methods").unchecked_into(), None)
                .unwrap()
                .into(),
            Some("offer") => {
                let d: JsValue = p
                    .choose_offer(get(&case, "offers").unchecked_into())
                    .unwrap()
                    .into();
                assert_eq!(s(&get(&d, "offer")), s(&get(&want, "offer")), "{name}");
                assert_eq!(get(&d, "reason"), get(&want, "reason"), "{name}");
                continue;
            }
            Some("messages") => {
                let slots: Vec<String> = js_sys::Array::from(&get(&case, "slots"))
                    .iter()
                    .map(|v| v.as_string().unwrap())
                    .collect();
                let got: js_sys::Array =
                    JsValue::from(p.choose_messages(slots).unwrap()).unchecked_into();
                for m in got.iter() {
                    let slot = get(&m, "slot").as_string().unwrap();
                    assert_eq!(
                        s(&get(&m, "text")),
                        s(&get(&get(&want, "messages"), &slot)),
                        "{name}: {slot}"
                    );
                }
                continue;
            }
            _ => p
                .rank_cross_sells(Some(get(&case, "request").unchecked_into()))
                .unwrap()
                .into(),
        };
        let items: js_sys::Array = get(&ranking, "items").unchecked_into();
        let order: js_sys::Array = items.iter().map(|i| get(&i, "id")).collect();
        assert_eq!(s(&order), s(&get(&want, "order")), "{name}");
        let ineligible = get(&want, "ineligible");
        if !ineligible.is_undefined() {
            let got: js_sys::Array = items
                .iter()
                .filter(|i| get(i, "eligible") == JsValue::FALSE)
                .map(|i| get(&i, "id"))
                .collect();
            assert_eq!(s(&got), s(&ineligible), "{name}: ineligible");
        }
        assert_eq!(
            s(&get(&ranking, "fallback")),
            s(&get(&want, "fallback")),
            "{name}: fallback"
        );
        let exp = get(&want, "experiment");
        if !exp.is_undefined() {
            assert_eq!(
                get(&get(&ranking, "experiment"), "arm"),
                get(&exp, "arm"),
                "{name}: arm"
            );
        }
        let segs = get(&want, "segments");
        if !segs.is_undefined() {
            let got: js_sys::Array = p
                .segments()
                .unwrap()
                .into_iter()
                .map(JsValue::from)
                .collect();
            assert_eq!(s(&got), s(&segs), "{name}: segments");
        }
    }
}

/// A bundle header, then `heads: array32(claim)` and `pad` nil bytes.
fn claiming_heads(claim: u32, pad: usize) -> Vec<u8> {
    let mut b = b"\x83\xa5magic\xa3CPM\xa6format\x01\xa5heads\xdd".to_vec();
    b.extend_from_slice(&claim.to_be_bytes());
    b.resize(b.len() + pad, 0xc0);
    b
}

/// Crafted bundles (16 M heads claimed in 16 MB; a category range that wraps in 32-bit
/// arithmetic) are refused with `model: …` on wasm32, and the module keeps working: the
/// next calls are not "busy", the model in force stays, the next good bundle loads.
#[wasm_bindgen_test]
fn crafted_bundles_are_refused_and_the_module_keeps_working() {
    use checkout_personalizer::model::{format, node, Bundle, Head, HeadKind, Link, Trees};
    let p = Personalizer::new(Some(
        js(r#"{"consent":"granted","storage":"memory"}"#).unchecked_into(),
    ))
    .unwrap();
    p.load_model(include_bytes!("fixtures/ranking.cpm"))
        .unwrap();
    for bytes in [
        claiming_heads(16_000_000, 16 * 1024 * 1024 - 64),
        claiming_heads(u32::MAX, 10),
    ] {
        let err = message(p.load_model(&bytes).err().unwrap());
        assert!(err.starts_with("model: "), "{err}");
        let err = message(
            checkout_personalizer::web::Model::from_bytes(&bytes)
                .err()
                .unwrap(),
        );
        assert!(err.starts_with("model: "), "{err}");
    }
    let mut t = Trees {
        n_features: 1,
        n_groups: 1,
        link: Link::Logistic,
        base_margin: vec![0.0],
        roots: vec![0],
        tree_group: vec![0],
        kind: vec![node::CAT_RIGHT, node::LEAF, node::LEAF],
        feature: vec![0; 3],
        threshold: vec![0.0; 3],
        left: vec![1, 0, 0],
        right: vec![2, 0, 0],
        missing: vec![0; 3],
        value: vec![0.0, 1.0, -1.0],
        cat_start: vec![u32::MAX, 0, 0],
        cat_len: vec![2, 0, 0],
        cat_words: vec![1],
        ..Trees::default()
    };
    t.compile();
    let wraps = format::encode(&Bundle {
        id: "wraps".into(),
        version: "1".into(),
        heads: vec![Head {
            name: "h".into(),
            kind: HeadKind::Trees(t),
        }],
        features: vec![checkout_personalizer::model::Feature {
            name: "f".into(),
            source: "cart.value".into(),
            transform: checkout_personalizer::model::Transform::Raw,
            label: None,
        }],
        ..Bundle::default()
    });
    assert_eq!(
        message(p.load_model(&wraps).err().unwrap()),
        "model: head \"h\": node 0 has categories out of range"
    );
    // Still working: the model in force, events, the next good bundle.
    let r: JsValue = p
        .rank_payment_methods(js(r#"["card","ideal"]"#).unchecked_into(), None)
        .unwrap()
        .into();
    assert_eq!(
        get(&r, "model").as_string().as_deref(),
        Some("ranking-fixture@1")
    );
    p.track(js(r#"{"type":"page_view"}"#).unchecked_into())
        .unwrap();
    p.load_model(include_bytes!("fixtures/ranking.cpm"))
        .unwrap();
}
