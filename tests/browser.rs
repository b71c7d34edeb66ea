//! Real localStorage and page events in headless Chromium (`wasm-pack test --headless --chrome`).
//! Each test uses its own namespace and cleans up, since all tests share one origin.
#![cfg(target_arch = "wasm32")]

use checkout_personalizer::web::Personalizer;
use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test json")
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| {
        Reflect::get(&v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    })
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Keys in localStorage that start with `ns:`.
fn keys(ns: &str) -> Vec<String> {
    let s = storage();
    let mut out: Vec<String> = (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .filter(|k| k.starts_with(&format!("{ns}:")))
        .collect();
    out.sort();
    out
}

fn make(options: &str) -> Personalizer {
    Personalizer::new(Some(js(options).unchecked_into())).unwrap()
}

fn add(p: &Personalizer, id: &str) {
    let event = format!(
        r#"{{"type":"add_to_cart","currency":"EUR","items":[{{"item_id":"{id}","price":2.5}}]}}"#
    );
    p.track(js(&event).unchecked_into()).unwrap();
}

fn status(p: &Personalizer) -> JsValue {
    p.status().unwrap().into()
}

fn profile(p: &Personalizer) -> JsValue {
    p.profile().unwrap().into()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Everything stored under `ns:`, key and value.
fn stored(ns: &str) -> Vec<(String, Option<String>)> {
    keys(ns)
        .into_iter()
        .map(|k| {
            let v = storage().get_item(&k).unwrap();
            (k, v)
        })
        .collect()
}

#[wasm_bindgen_test]
async fn events_survive_a_new_instance() {
    storage().clear().unwrap();
    let p = make(r#"{"namespace":"persist","consent":"granted"}"#);
    add(&p, "milk");
    add(&p, "bread");
    assert_eq!(
        get(&status(&p), "storage").as_string().as_deref(),
        Some("local")
    );
    drop(p); // like a reload: dropping flushes
             // The segment, the version marker and the pseudonymous id.
    assert_eq!(keys("persist").len(), 3);
    let before = stored("persist");

    let again = make(r#"{"namespace":"persist","consent":"granted","flushDelayMs":0}"#);
    let prof = profile(&again);
    assert_eq!(get(&prof, "cart.quantity").as_f64(), Some(2.0));
    assert_eq!(get(&prof, "cart.value").as_f64(), Some(5.0));
    assert_eq!(get(&status(&again), "stats.restored").as_f64(), Some(2.0));
    // It decided from them without writing anything; its batched write adopts the old
    // segment: still one segment (plus version and id), now its own.
    assert_eq!(stored("persist"), before);
    assert_eq!(get(&status(&again), "pendingWrite").as_bool(), Some(true));
    sleep(20).await;
    assert_eq!(get(&status(&again), "pendingWrite").as_bool(), Some(false));
    let after = keys("persist");
    assert_eq!(after.len(), 3);
    assert_ne!(
        after,
        keys_of(&before),
        "the segment is the new page view's"
    );
    drop(again);
    let third = make(r#"{"namespace":"persist","consent":"granted"}"#);
    assert_eq!(get(&profile(&third), "cart.quantity").as_f64(), Some(2.0));
    third.forget().unwrap();
    assert!(keys("persist").is_empty());
}

fn keys_of(stored: &[(String, Option<String>)]) -> Vec<String> {
    stored.iter().map(|(k, _)| k.clone()).collect()
}

/// Long stored values (past 16K characters) are read through the browser's TextEncoder
/// rather than the glue's copy: a big journal segment comes back whole.
#[wasm_bindgen_test]
fn a_long_segment_survives_a_new_instance() {
    let p = make(r#"{"namespace":"long","consent":"granted"}"#);
    // Under the journal's 200-event bound, with long ids.
    for i in 0..180 {
        add(&p, &format!("sku-{i:05}-Käse-☕-{}", "x".repeat(80)));
    }
    drop(p);
    let longest = keys("long")
        .iter()
        .filter_map(|k| storage().get_item(k).unwrap())
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
    assert!(longest > 16 * 1024, "segment of {longest} characters");
    let again = make(r#"{"namespace":"long","consent":"granted"}"#);
    assert_eq!(get(&status(&again), "stats.restored").as_f64(), Some(180.0));
    assert_eq!(get(&profile(&again), "cart.quantity").as_f64(), Some(180.0));
    again.forget().unwrap();
    assert!(keys("long").is_empty());
}

#[wasm_bindgen_test]
async fn writes_are_batched_and_flushed_by_timer_and_pagehide() {
    storage().clear().unwrap();
    let p = make(r#"{"namespace":"batch","consent":"granted","flushDelayMs":20}"#);
    add(&p, "a");
    assert!(keys("batch").is_empty(), "track() itself does not write");
    assert_eq!(get(&status(&p), "pendingWrite"), JsValue::TRUE);
    sleep(80).await;
    assert_eq!(keys("batch").len(), 3);
    assert_eq!(get(&status(&p), "pendingWrite"), JsValue::FALSE);

    let slow = make(r#"{"namespace":"batch2","consent":"granted","flushDelayMs":60000}"#);
    add(&slow, "b");
    assert!(keys("batch2").is_empty());
    let window = web_sys::window().unwrap();
    window
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    assert_eq!(keys("batch2").len(), 3, "pagehide flushes synchronously");
    p.forget().unwrap();
    slow.forget().unwrap();
}

#[wasm_bindgen_test]
fn consent_gates_every_write() {
    storage().clear().unwrap();
    let p = make(r#"{"namespace":"consent"}"#);
    for i in 0..200 {
        add(&p, &format!("i{i}"));
    }
    p.flush().unwrap();
    p.set_consent(JsValue::from_str("denied").unchecked_into())
        .unwrap();
    p.flush().unwrap();
    assert_eq!(
        storage().length().unwrap(),
        0,
        "nothing at all in localStorage"
    );
    assert_eq!(get(&profile(&p), "cart.quantity").as_f64(), Some(200.0));

    p.set_consent(JsValue::from_str("granted").unchecked_into())
        .unwrap();
    assert_eq!(
        keys("consent").len(),
        3,
        "the buffered events are persisted"
    );
    let erased = p
        .set_consent(JsValue::from_str("denied").unchecked_into())
        .unwrap();
    assert_eq!(erased, 3);
    assert_eq!(storage().length().unwrap(), 0, "withdrawal erases");
}

#[wasm_bindgen_test]
fn corrupt_and_foreign_values_are_discarded() {
    storage().clear().unwrap();
    let s = storage();
    s.set_item("corrupt:meta", "{oops").unwrap();
    s.set_item("corrupt:1:j:0badf00d", "c1;!!!,###").unwrap();
    s.set_item("corrupt:1:j:zz", "hello").unwrap();
    s.set_item("corruptible", "not ours").unwrap();
    let p = make(r#"{"namespace":"corrupt","consent":"granted"}"#);
    let st = status(&p);
    assert_eq!(get(&st, "storage").as_string().as_deref(), Some("local"));
    assert_eq!(get(&st, "stats.discarded").as_f64(), Some(4.0));
    assert!(keys("corrupt").is_empty());
    add(&p, "x");
    p.flush().unwrap();
    assert_eq!(keys("corrupt").len(), 3);
    assert_eq!(
        s.get_item("corruptible").unwrap().as_deref(),
        Some("not ours")
    );
    p.forget().unwrap();
    assert_eq!(s.length().unwrap(), 1);
}

#[wasm_bindgen_test]
fn a_newer_schema_is_left_alone() {
    storage().clear().unwrap();
    let s = storage();
    s.set_item("future:meta", "7").unwrap();
    s.set_item("future:7:data", "whatever v7 writes").unwrap();
    let p = make(r#"{"namespace":"future","consent":"granted"}"#);
    add(&p, "x");
    p.flush().unwrap();
    let st = status(&p);
    assert_eq!(get(&st, "storage").as_string().as_deref(), Some("memory"));
    assert_eq!(
        get(&st, "memoryReason.reason").as_string().as_deref(),
        Some("newerSchema")
    );
    assert_eq!(get(&st, "memoryReason.detail").as_f64(), Some(7.0));
    assert_eq!(keys("future"), ["future:7:data", "future:meta"]);
    assert_eq!(get(&profile(&p), "cart.quantity").as_f64(), Some(1.0));
    // forget() still erases everything in the namespace, whatever its version.
    p.forget().unwrap();
    assert!(keys("future").is_empty());
}

/// Fills localStorage with filler keys until it throws; returns how many were written.
fn fill_storage() -> usize {
    let s = storage();
    let chunk = "x".repeat(256 * 1024);
    let mut n = 0;
    while s.set_item(&format!("filler{n}"), &chunk).is_ok() {
        n += 1;
    }
    // Then top it up with small values so that not even a small write fits.
    let small = "y".repeat(1024);
    let mut m = 0;
    while s.set_item(&format!("small{m}"), &small).is_ok() {
        m += 1;
    }
    let mut k = 0;
    while s.set_item(&format!("t{k}"), "z").is_ok() && k < 100_000 {
        k += 1;
    }
    n
}

#[wasm_bindgen_test]
fn a_full_storage_never_throws_and_keeps_events_in_memory() {
    storage().clear().unwrap();
    assert!(fill_storage() > 0);
    let p = make(r#"{"namespace":"quota","consent":"granted"}"#);
    for i in 0..20 {
        add(&p, &format!("i{i}"));
    }
    p.flush().unwrap();
    let st = status(&p);
    assert_eq!(get(&st, "storage").as_string().as_deref(), Some("memory"));
    assert_eq!(
        get(&st, "memoryReason.reason").as_string().as_deref(),
        Some("quotaExhausted")
    );
    assert!(get(&st, "stats.quotaErrors").as_f64().unwrap() >= 1.0);
    assert_eq!(
        get(&st, "events").as_f64(),
        Some(20.0),
        "nothing lost from memory"
    );
    assert_eq!(get(&profile(&p), "cart.quantity").as_f64(), Some(20.0));
    storage().clear().unwrap();
}

#[wasm_bindgen_test]
fn a_nearly_full_storage_evicts_the_oldest_and_says_so() {
    storage().clear().unwrap();
    fill_storage();
    // Free a little room: enough for some events, not for all.
    let s = storage();
    for m in 0..3 {
        s.remove_item(&format!("small{m}")).unwrap();
    }
    let p = make(r#"{"namespace":"nearly","consent":"granted"}"#);
    for i in 0..200 {
        add(&p, &format!("item-number-{i}"));
        p.flush().unwrap();
    }
    let st = status(&p);
    assert_eq!(get(&st, "storage").as_string().as_deref(), Some("local"));
    let evicted = get(&st, "stats.evicted").as_f64().unwrap();
    assert!(evicted > 0.0, "some events had to go");
    let kept = get(&st, "events").as_f64().unwrap();
    assert_eq!(kept + evicted, 200.0);
    // What is reported kept is really stored: a new instance restores exactly that many.
    drop(p);
    let again = make(r#"{"namespace":"nearly","consent":"granted"}"#);
    assert_eq!(get(&status(&again), "stats.restored").as_f64(), Some(kept));
    let items = get(&profile(&again), "cart.items");
    let last = Reflect::get(&items, &JsValue::from_f64(kept - 1.0)).unwrap();
    assert_eq!(
        get(&last, "id").as_string().as_deref(),
        Some("item-number-199"),
        "the newest stay"
    );
    storage().clear().unwrap();
}

/// A co-occurrence model built by `personalizer cooccur` from the 9,835 real Groceries
/// baskets: a cart of whole milk and yogurt gets the partners shoppers really buy with them.
#[wasm_bindgen_test]
fn groceries_cross_sells_for_milk_and_yogurt() {
    storage().clear().unwrap();
    let p = make(r#"{"namespace":"groceries","consent":"granted"}"#);
    let info: JsValue = p
        .load_model(include_bytes!("fixtures/groceries.cpm"))
        .unwrap()
        .into();
    assert_eq!(get(&info, "id").as_string().as_deref(), Some("groceries"));
    for (id, cat) in [("whole milk", "dairy produce"), ("yogurt", "dairy produce")] {
        let e = format!(
            r#"{{"type":"add_to_cart","items":[{{"item_id":"{id}","item_category":"{cat}","price":1.2}}]}}"#
        );
        p.track(js(&e).unchecked_into()).unwrap();
    }
    let r: JsValue = p
        .rank_cross_sells(Some(js(r#"{"limit":5}"#).unchecked_into()))
        .unwrap()
        .into();
    let items: js_sys::Array = get(&r, "items").unchecked_into();
    let ids: Vec<String> = items
        .iter()
        .map(|i| get(&i, "id").as_string().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(
        !ids.iter().any(|i| i == "whole milk" || i == "yogurt"),
        "never the cart: {ids:?}"
    );
    // The strongest real partners of milk and yogurt in these baskets.
    assert_eq!(
        ids[..4],
        [
            "other vegetables",
            "rolls/buns",
            "root vegetables",
            "tropical fruit"
        ],
        "{ids:?}"
    );
    let first = Reflect::get(&items, &0.into()).unwrap();
    assert_eq!(
        get(&first, "category").as_string().as_deref(),
        Some("vegetables")
    );
    let reason = Reflect::get(&get(&first, "reasons"), &0.into()).unwrap();
    assert_eq!(
        get(&reason, "kind").as_string().as_deref(),
        Some("boughtWith")
    );
    // The decision is synchronous and works on the first call after loading: no flicker.
    let r: JsValue = p
        .rank_payment_methods(js(r#"["card","paypal"]"#).unchecked_into(), None)
        .unwrap()
        .into();
    assert_eq!(
        Reflect::get(&get(&r, "items"), &0.into())
            .map(|i| get(&i, "id"))
            .unwrap()
            .as_string()
            .as_deref(),
        Some("card")
    );
    p.forget().unwrap();
    assert!(keys("groceries").is_empty());
}

/// identify, shipping, offers and messages with real localStorage in Chromium.
#[wasm_bindgen_test]
fn traits_shipping_offers_and_messages_in_the_browser() {
    storage().clear().unwrap();
    let p = make(
        r#"{"namespace":"extras","consent":"granted","context":{"country":"DE","language":"de"}}"#,
    );
    p.load_model(include_bytes!("fixtures/extras.cpm")).unwrap();
    p.identify(
        js(r#"{"customer_id":"C-1","traits":{"loyaltyTier":"platinum","address":"Main St 1"}}"#)
            .unchecked_into(),
    )
    .unwrap();
    let stored = js_sys::JSON::stringify(&storage())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        !stored.contains("C-1") && !stored.contains("Main St"),
        "{stored}"
    );
    let r: JsValue = p
        .rank_shipping_options(
            js(r#"["standard","express","pickup"]"#).unchecked_into(),
            None,
        )
        .unwrap()
        .into();
    let first = Reflect::get(&get(&r, "items"), &0.into()).unwrap();
    assert_eq!(get(&first, "id").as_string().as_deref(), Some("express"));
    add(&p, "coat"); // 2.50 EUR: 10 % fits the 15 % budget
    let d: JsValue = p
        .choose_offer(js(r#"[{"id":"ten_percent","percent":10}]"#).unchecked_into())
        .unwrap()
        .into();
    assert_eq!(get(&d, "offer").as_string().as_deref(), Some("ten_percent"));
    assert!(
        get(&d, "probability.with").as_f64().unwrap()
            > get(&d, "probability.without").as_f64().unwrap()
    );
    let m: JsValue = p.choose_messages(vec!["trust".into()]).unwrap().into();
    let trust = Reflect::get(&m, &0.into()).unwrap();
    assert_eq!(
        get(&trust, "text").as_string().as_deref(),
        Some("Sicher bezahlen: Ihre Kartendaten erreichen nie unsere Server")
    );
    let err = p
        .identify(js(r#"{"customer_id":{"x":1}}"#).unchecked_into())
        .err()
        .unwrap();
    let msg = JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message();
    assert_eq!(
        String::from(msg),
        "identify: \"customer_id\" must be a string or a whole number"
    );
    p.forget().unwrap();
    assert!(keys("extras").is_empty());
    let prof = profile(&p);
    assert!(get(&prof, "traits").is_null());
}

/// `[data-track]` clicks carry the item's price and quantity as the page's JavaScript reads
/// the attributes (`Number(text)`): a malformed, infinite or blank number is left out, never
/// guessed (blank is not 0), and the click is still tracked.
#[wasm_bindgen_test]
fn tracked_clicks_read_prices_from_data_attributes() {
    storage().clear().unwrap();
    let p = make(r#"{"namespace":"clicks","consent":"denied"}"#);
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    root.set_inner_html(
        r#"<button id="a" data-track="add_to_cart" data-item-id="a" data-item-price="2.5" data-item-quantity=" 2 ">A</button>
           <button id="b" data-track="add_to_cart" data-item-id="b" data-item-price="1,99">B</button>
           <button id="c" data-track="add_to_cart" data-item-id="c" data-item-price="Infinity">C</button>
           <button id="d" data-track="add_to_cart" data-item-id="d" data-item-price="  ">D</button>"#,
    );
    document.body().unwrap().append_child(&root).unwrap();
    let options = js("{}");
    Reflect::set(&options, &"root".into(), &root).unwrap();
    Reflect::set(&options, &"dataLayer".into(), &false.into()).unwrap();
    p.attach(Some(options.unchecked_into())).unwrap();
    for id in ["a", "b", "c", "d"] {
        let button = document.get_element_by_id(id).unwrap();
        button.unchecked_into::<web_sys::HtmlElement>().click();
    }
    let cart = get(&profile(&p), "cart");
    let ids: Vec<String> = js_sys::Array::from(&get(&cart, "items"))
        .iter()
        .map(|l| get(&l, "id").as_string().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d"], "every click is tracked");
    assert_eq!(
        get(&cart, "value").as_f64(),
        Some(5.0),
        "2.5 × 2, no guessed prices"
    );
    // The events themselves: only a's item has a price (quantity defaults to 1).
    let data: JsValue = p.export_data().unwrap().into();
    let items: Vec<String> = js_sys::Array::from(&get(&data, "events"))
        .iter()
        .map(|e| {
            JSON::stringify(&get(&e, "items"))
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    assert_eq!(
        items,
        [
            r#"[{"item_id":"a","price":2.5,"quantity":2}]"#,
            r#"[{"item_id":"b","quantity":1}]"#,
            r#"[{"item_id":"c","quantity":1}]"#,
            r#"[{"item_id":"d","quantity":1}]"#,
        ]
    );
    p.detach();
    root.remove();
}

/// Any language tag (from the browser or `setContext`: `C`, `C.UTF-8`, empty, `en_US`, 300
/// characters) and any currency (a symbol, a code this engine does not know) still gives
/// priced cross-sell cards: nothing reaches `Intl` that can make it throw and trap the module.
/// Run in every engine the test command drives.
#[wasm_bindgen_test]
async fn odd_locales_and_currencies_still_price_the_cards() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    let long = "x".repeat(300);
    // The browser's own language first (as WebKitGTK reports `C` under LANG=C.UTF-8).
    let navigator_proto = js_sys::Object::get_prototype_of(&window.navigator());
    let define = |language: &str| {
        let getter = js_sys::Function::new_no_args(&format!("return {:?};", language));
        let desc = js_sys::Object::new();
        Reflect::set(&desc, &"get".into(), &getter).unwrap();
        Reflect::set(&desc, &"configurable".into(), &true.into()).unwrap();
        js_sys::Object::define_property(&navigator_proto, &"language".into(), &desc);
    };
    for (n, language) in ["C", "C.UTF-8", "", "en_US", long.as_str(), "de-DE"]
        .into_iter()
        .enumerate()
    {
        define(language);
        let ns = format!("locale{n}");
        let p = make(&format!(
            r#"{{"namespace":"{ns}","consent":"granted","storage":"memory","decisionDeadlineMs":60000}}"#
        ));
        let context = js("{}");
        Reflect::set(&context, &"language".into(), &language.into()).unwrap();
        // A locale gives its language; what is no language is refused with a clear error.
        match p.set_context(context.unchecked_into()) {
            Ok(()) => assert!(["en_US", "de-DE"].contains(&language), "{language:?}"),
            Err(e) => {
                let e: JsValue = e.into();
                let message = get(&e, "message").as_string().unwrap_or_default();
                assert!(
                    message.starts_with("config: context \"language\""),
                    "{message}"
                );
                assert!(!["en_US", "de-DE"].contains(&language), "{language:?}");
            }
        }
        let root = document.create_element("div").unwrap();
        root.set_inner_html(
            r#"<ul data-personalize="cross-sell" data-limit="4"><template><li><b data-field="name"></b> <span data-field="price"></span></li></template></ul>
               <script type="application/json" data-personalize="catalog">[
                 {"item_id":"e","item_name":"E","price":"2.50","currency":"€"},
                 {"item_id":"x","item_name":"X","price":3,"currency":"XTS"},
                 {"item_id":"z","item_name":"Z","price":4,"currency":"ZZZ"},
                 {"item_id":"u","item_name":"U","price":5,"currency":"EUR"}
               ]</script>"#,
        );
        document.body().unwrap().append_child(&root).unwrap();
        let options = js("{}");
        Reflect::set(&options, &"root".into(), &root).unwrap();
        Reflect::set(&options, &"dataLayer".into(), &false.into()).unwrap();
        p.attach(Some(options.unchecked_into())).unwrap();
        add(&p, "one");
        p.apply();
        let cards = root.query_selector_all("[data-personalize-item]").unwrap();
        let prices: Vec<String> = (0..cards.length())
            .map(|i| {
                let card: web_sys::Element = cards.item(i).unwrap().unchecked_into();
                let price = card
                    .query_selector(r#"[data-field="price"]"#)
                    .unwrap()
                    .unwrap();
                price.text_content().unwrap_or_default()
            })
            .collect();
        assert_eq!(prices.len(), 4, "language {language:?}: {prices:?}");
        assert!(
            prices.iter().all(|p| p.chars().any(|c| c.is_ascii_digit())),
            "language {language:?}: {prices:?}"
        );
        // Still alive: the instance answers after rendering.
        assert!(get(&status(&p), "consent").as_string().is_some());
        p.detach();
        root.remove();
    }
    js_sys::Reflect::delete_property(&navigator_proto, &"language".into()).unwrap();
}

/// Safari before 18.2 has no `Uint8Array.fromBase64`: with it removed, a downloaded model
/// cached in localStorage (the value that takes the native decoder) still decides at once on
/// the next page view, through the module's own base64. Run in every engine the test
/// command drives.
#[wasm_bindgen_test]
async fn without_native_base64_the_cached_model_decides_at_once() {
    storage().clear().unwrap();
    let ctor: JsValue = js_sys::Uint8Array::new_with_length(0).constructor().into();
    let native = Reflect::get(&ctor, &"fromBase64".into()).unwrap();
    Reflect::delete_property(ctor.unchecked_ref::<js_sys::Object>(), &"fromBase64".into()).unwrap();
    assert!(!Reflect::has(&ctor, &"fromBase64".into()).unwrap());
    // The download is answered in the page (a stand-in `fetch` for this one URL), so the
    // test needs no network: a CI run in WebKitGTK once stalled here for the whole suite's
    // timeout, when this test's only wait was a fetch of a blob: URL.
    let bytes = js_sys::Uint8Array::from(&include_bytes!("fixtures/groceries.cpm")[..]);
    let url = "https://cdn.example/models/groceries.cpm".to_string();
    let window: JsValue = web_sys::window().unwrap().into();
    let real_fetch = Reflect::get(&window, &"fetch".into()).unwrap();
    let stand_in = js_sys::Function::new_with_args(
        "url, bytes, real",
        "return (u, init) => u === url ? Promise.resolve(new Response(bytes)) : real(u, init)",
    )
    .call3(&JsValue::NULL, &url.clone().into(), &bytes, &real_fetch)
    .unwrap();
    Reflect::set(&window, &"fetch".into(), &stand_in).unwrap();
    let p = make(r#"{"namespace":"nob64","consent":"granted"}"#);
    let loading = p.load_model_from_url(url.clone(), None).unwrap();
    wasm_bindgen_futures::JsFuture::from(loading).await.unwrap();
    drop(p);
    // The next page view: the cached copy decides before any download finishes.
    let again = make(r#"{"namespace":"nob64","consent":"granted"}"#);
    let _pending = again.load_model_from_url(url, None).unwrap();
    let r: JsValue = again
        .rank_cross_sells(Some(
            js(r#"{"items":["whole milk"],"limit":3}"#).unchecked_into(),
        ))
        .unwrap()
        .into();
    assert!(
        get(&r, "model")
            .as_string()
            .is_some_and(|m| m.starts_with("groceries@")),
        "the cached model decided: {:?}",
        JSON::stringify(&r).ok()
    );
    assert_eq!(js_sys::Array::from(&get(&r, "items")).length(), 3);
    again.forget().unwrap();
    Reflect::set(&window, &"fetch".into(), &real_fetch).unwrap();
    if !native.is_undefined() {
        Reflect::set(&ctor, &"fromBase64".into(), &native).unwrap();
    }
}
