//! `serde-wasm-bindgen` as the oracle for the tape (`wasm-pack test --node`): for every
//! result type, what the `Personalizer` hands the page equals what `serde-wasm-bindgen`
//! (JSON-compatible settings: `None` as null, maps as objects) makes of the same Rust value,
//! computed by a native `Tracker` fed the same options, model, events and clock.
#![cfg(target_arch = "wasm32")]

use checkout_personalizer::rank::{CrossSellRequest, Offer, PaymentMethod};
use checkout_personalizer::web::Personalizer;
use checkout_personalizer::{MemoryStore, Options, PageSignals, Tracker, Value};
use js_sys::{Array, Object, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const NOW: f64 = 1_795_000_000_000.0;
const OPTIONS: &str = r#"{"consent":"granted","namespace":"oracle"}"#;

const EVENTS: &[&str] = &[
    r#"{"type":"page_view"}"#,
    r#"{"type":"view_item","items":[{"item_id":"milk","item_name":"Whole milk","item_category":"dairy","price":"1.19","quantity":1}]}"#,
    r#"{"type":"add_to_cart","currency":"EUR","value":3.5,"items":[{"item_id":"bread","item_category":"bakery","price":2.31,"quantity":1},{"item_id":"milk","item_category":"dairy","price":1.19,"quantity":1}]}"#,
    r#"{"type":"begin_checkout","currency":"EUR","value":3.5}"#,
    r#"{"type":"add_shipping_info","shipping_tier":"express"}"#,
    r#"{"type":"select_payment_method","payment_type":"paypal"}"#,
];

const METHODS: &str = r#"[{"id":"card","type":"card"},{"id":"paypal","type":"wallet"},{"id":"klarna","type":"bnpl"},{"id":"sepa","type":"bank"}]"#;
const SHIPPING: &str = r#"[{"id":"standard"},{"id":"express","type":"express"},{"id":"pickup"}]"#;
const OFFERS: &str = r#"[{"id":"free-shipping","type":"shipping","cost":4.9},{"id":"ten","type":"percent","percent":10}]"#;
const CROSS_SELL: &str = r#"{"items":["milk","bread"],"limit":4}"#;

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test json")
}

fn value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

fn oracle<T: Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("serde-wasm-bindgen serializes every result type")
}

/// Deep equality of plain JS values: same keys (any order), same array elements, and
/// primitives equal by `Object.is` (so 0 and -0 differ, NaN equals NaN).
fn same(a: &JsValue, b: &JsValue, path: &str) -> Result<(), String> {
    if Array::is_array(a) || Array::is_array(b) {
        let (Some(x), Some(y)) = (a.dyn_ref::<Array>(), b.dyn_ref::<Array>()) else {
            return Err(format!("{path}: {a:?} against {b:?}"));
        };
        if x.length() != y.length() {
            return Err(format!(
                "{path}: {} items against {}",
                x.length(),
                y.length()
            ));
        }
        for i in 0..x.length() {
            same(&x.get(i), &y.get(i), &format!("{path}[{i}]"))?;
        }
        return Ok(());
    }
    if a.is_object() && b.is_object() {
        let keys = |o: &JsValue| {
            let mut k: Vec<String> = Object::keys(o.unchecked_ref::<Object>())
                .iter()
                .filter_map(|k| k.as_string())
                .collect();
            k.sort();
            k
        };
        let (ka, kb) = (keys(a), keys(b));
        if ka != kb {
            return Err(format!("{path}: keys {ka:?} against {kb:?}"));
        }
        for k in ka {
            let (x, y) = (
                Reflect::get(a, &k.as_str().into()).unwrap(),
                Reflect::get(b, &k.as_str().into()).unwrap(),
            );
            same(&x, &y, &format!("{path}.{k}"))?;
        }
        return Ok(());
    }
    if Object::is(a, b) {
        Ok(())
    } else {
        Err(format!("{path}: {a:?} against {b:?}"))
    }
}

fn check(what: &str, tape: JsValue, expected: JsValue) {
    if let Err(e) = same(&tape, &expected, what) {
        panic!("the tape and serde-wasm-bindgen differ at {e}");
    }
}

fn without(v: JsValue, key: &str) -> JsValue {
    let _ = Reflect::delete_property(v.unchecked_ref::<Object>(), &key.into());
    v
}

fn run(model: &[u8]) {
    // The page's personalizer, on a fixed clock.
    let opts = js(OPTIONS);
    let now = Closure::<dyn Fn() -> f64>::new(|| NOW).into_js_value();
    Reflect::set(&opts, &"now".into(), &now).unwrap();
    let p = Personalizer::new(Some(opts.unchecked_into())).unwrap();
    let info: JsValue = p.load_model(model).unwrap().into();
    // The same, natively.
    let Value::Map(entries) = value(OPTIONS) else {
        unreachable!()
    };
    let options = Options::from_entries(&entries).unwrap();
    let mut t = Tracker::for_replay(MemoryStore::new(), &options, 1, NOW as i64);
    // What the page reads from its environment (under Node: the time zone only).
    let zone = js_sys::Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    t.set_signals(PageSignals {
        time_zone: Reflect::get(&zone, &"timeZone".into())
            .ok()
            .and_then(|z| z.as_string()),
        tz_offset_min: Some(js_sys::Date::new_0().get_timezone_offset()),
        ..PageSignals::default()
    });
    let m = t.load_model(model).unwrap();
    check("loadModel", info, oracle(&m.info()));
    for e in EVENTS {
        p.track(js(e).unchecked_into()).unwrap();
        t.track(&value(e), NOW as i64).unwrap();
    }
    let now = NOW as i64;

    let profile: JsValue = p.profile().unwrap().into();
    check("profile", profile, oracle(&t.profile(now)));

    let methods = PaymentMethod::list_from_value(&value(METHODS)).unwrap();
    let r: JsValue = p
        .rank_payment_methods(js(METHODS).unchecked_into(), None)
        .unwrap()
        .into();
    check(
        "rankPaymentMethods",
        r,
        oracle(&t.rank_payment_methods(&methods, now)),
    );

    let options = PaymentMethod::list_from_value(&value(SHIPPING)).unwrap();
    let r: JsValue = p
        .rank_shipping_options(js(SHIPPING).unchecked_into(), None)
        .unwrap()
        .into();
    check(
        "rankShippingOptions",
        r,
        oracle(&t.rank_shipping_options(&options, now)),
    );

    let req = CrossSellRequest::from_value(&value(CROSS_SELL)).unwrap();
    let r: JsValue = p
        .rank_cross_sells(Some(js(CROSS_SELL).unchecked_into()))
        .unwrap()
        .into();
    check("rankCrossSells", r, oracle(&t.rank_cross_sells(&req, now)));

    let offers = Offer::list_from_value(&value(OFFERS)).unwrap();
    let r: JsValue = p.choose_offer(js(OFFERS).unchecked_into()).unwrap().into();
    check("chooseOffer", r, oracle(&t.choose_offer(&offers, now)));

    let slots = vec!["checkout-top".to_owned(), "trust".to_owned()];
    let r: JsValue = p.choose_messages(slots.clone()).unwrap().into();
    check("chooseMessages", r, oracle(&t.choose_messages(&slots, now)));

    // The pseudonym is salted with per-browser random bits: everything else must match.
    let r: JsValue = p.export_data().unwrap().into();
    check(
        "exportData",
        without(r, "userId"),
        without(oracle(&t.kept_data(now)), "userId"),
    );
}

#[wasm_bindgen_test]
fn payment_and_shipping_model_results_match_serde_wasm_bindgen() {
    run(include_bytes!("fixtures/ranking.cpm"));
}

#[wasm_bindgen_test]
fn offers_messages_and_segments_results_match_serde_wasm_bindgen() {
    run(include_bytes!("fixtures/extras.cpm"));
}

#[wasm_bindgen_test]
fn cross_sell_results_match_serde_wasm_bindgen() {
    run(include_bytes!("fixtures/groceries.cpm"));
}
