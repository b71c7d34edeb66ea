use super::*;

const NOW: i64 = 1_700_000_000_000;

fn check(json: &str) -> Result<Event, String> {
    let v: Value = serde_json::from_str(json).expect("test json");
    Event::from_value(&v, NOW).map_err(|e| e.to_string())
}

fn err(json: &str, expected: &str) {
    assert_eq!(check(json).unwrap_err(), expected, "input: {json}");
}

#[test]
fn accepts_ga4_events() {
    let e = check(
        r#"{"type":"add_to_cart","ts":5,"currency":"eur","value":3.5,
        "items":[{"item_id":"sku-1","item_name":" Milk ","price":1.75,"quantity":2,"index":3}]}"#,
    )
    .unwrap();
    assert_eq!(e.kind, EventType::AddToCart);
    assert_eq!(e.ts, 5);
    assert_eq!(e.currency.as_deref(), Some("EUR"));
    assert_eq!(e.items[0].name.as_deref(), Some("Milk"));
    assert_eq!(e.items[0].quantity, 2);

    // The dataLayer shape, with the ecommerce object nested and a numeric item id.
    let e = check(
        r#"{"event":"purchase","ecommerce":{"transaction_id":"T1","value":9,
        "currency":"USD","payment_type":"paypal","items":[{"item_id":42}]}}"#,
    )
    .unwrap();
    assert_eq!(e.kind, EventType::Purchase);
    assert_eq!(e.ts, NOW);
    assert_eq!(e.items[0].id, "42");
    assert_eq!(e.payment_type.as_deref(), Some("paypal"));
}

#[test]
fn every_type_round_trips_by_name_and_code() {
    for &t in EventType::ALL {
        assert_eq!(EventType::from_name(t.name()), Some(t));
        assert_eq!(EventType::try_from(u8::from(t)), Ok(t));
    }
    assert_eq!(EventType::ALL.len(), 13);
}

#[test]
fn exported_events_track_again_unchanged() {
    let e = check(
        r#"{"type":"purchase","ts":9,"value":3,"currency":"EUR","payment_type":"card",
        "items":[{"item_id":"a","item_name":"A","item_category":"c","price":1.5,"quantity":2}]}"#,
    )
    .unwrap();
    let json = serde_json::to_string(&e.to_ga4()).unwrap();
    assert_eq!(check(&json).unwrap(), e, "{json}");
}

#[test]
fn drops_unknown_fields() {
    let e = check(r#"{"type":"page_view","email":"a@b.co","user":{"name":"Ann"}}"#).unwrap();
    assert_eq!(e, Event::new(EventType::PageView, NOW));
}

#[test]
fn rejects_with_the_field_named() {
    err(r#"[1]"#, "event: \"event\" must be an object, got an array");
    err(r#"{}"#, "event: missing field \"type\"");
    err(r#"{"type":3}"#, "event: \"type\" must be a string");
    err(
        r#"{"type":"buy"}"#,
        "event: \"type\" unknown event type \"buy\"",
    );
    err(
        r#"{"type":"page_view","ts":-1}"#,
        "event: \"ts\" must be a timestamp in milliseconds",
    );
    err(
        r#"{"type":"page_view","ts":"x"}"#,
        "event: \"ts\" must be a timestamp in milliseconds",
    );
    err(
        r#"{"type":"page_view","ts":1800000000000}"#,
        "event: \"ts\" is more than a day in the future",
    );
    err(
        r#"{"type":"add_to_cart"}"#,
        "event: missing field \"items\"",
    );
    err(
        r#"{"type":"add_to_cart","items":{}}"#,
        "event: \"items\" must be an array",
    );
    err(
        r#"{"type":"add_to_cart","items":[{}]}"#,
        "event: missing field \"items[0].item_id\"",
    );
    err(
        r#"{"type":"add_to_cart","items":[{"item_id":"a"},7]}"#,
        "event: \"items[1]\" must be an object",
    );
    err(
        r#"{"type":"add_to_cart","items":[{"item_id":" "}]}"#,
        "event: \"items[0].item_id\" must not be empty",
    );
    err(
        r#"{"type":"add_to_cart","items":[{"item_id":"a","price":"1,99"}]}"#,
        "event: \"items[0].price\" must be a finite number (or a decimal string such as \"31.10\")",
    );
    err(
        r#"{"type":"add_to_cart","items":[{"item_id":"a","quantity":0}]}"#,
        "event: \"items[0].quantity\" must be a whole number from 1 to 10000",
    );
    err(
        r#"{"type":"add_to_cart","items":[{"item_id":"a","quantity":1.5}]}"#,
        "event: \"items[0].quantity\" must be a whole number from 1 to 10000",
    );
    err(
        r#"{"type":"purchase","currency":"euro"}"#,
        "event: \"currency\" must be a three-letter ISO 4217 code",
    );
    err(
        r#"{"type":"purchase","value":1e300}"#,
        "event: \"value\" must be a finite number (or a decimal string such as \"31.10\")",
    );
    err(
        r#"{"type":"purchase","value":"Infinity"}"#,
        "event: \"value\" must be a finite number (or a decimal string such as \"31.10\")",
    );
    err(
        r#"{"type":"select_payment_method"}"#,
        "event: missing field \"payment_type\"",
    );
    err(
        r#"{"event":"add_to_cart","ecommerce":[]}"#,
        "event: \"ecommerce\" must be an object",
    );
    // ASCII (NUL, DEL) and beyond it (C1's NEL, beside other non-ASCII text).
    for coupon in [r"a\u0000b", r"a\u007fb", r"é\u0085b"] {
        err(
            &format!(r#"{{"type":"purchase","coupon":"{coupon}"}}"#),
            "event: \"coupon\" contains control characters",
        );
    }
    let long = format!(
        r#"{{"type":"purchase","coupon":"{}"}}"#,
        "x".repeat(MAX_ID + 1)
    );
    err(&long, "event: \"coupon\" is longer than 100 bytes");
}

#[test]
fn refuses_personal_data_in_kept_fields() {
    err(
        r#"{"type":"purchase","coupon":"ann.smith@example.com"}"#,
        "event: \"coupon\" looks like personal data (an e-mail address) and is not stored",
    );
    err(
        r#"{"type":"view_item","items":[{"item_id":"x","item_name":"card 4111 1111 1111 1111"}]}"#,
        "event: \"items[0].item_name\" looks like personal data (a payment card number) and is not stored",
    );
    err(
        r#"{"type":"view_item","items":[{"item_id":"<bob@mail.org>"}]}"#,
        "event: \"items[0].item_id\" looks like personal data (an e-mail address) and is not stored",
    );
}

#[test]
fn personal_data_detector_spares_ordinary_text() {
    for ok in [
        "Whole milk 1.5 % @ 1 L",
        "EAN 4006381333931",
        "SUMMER-2024",
        "user@localhost",
        "Pack of 1234567890123 beads", // 13 digits, fails Luhn
    ] {
        assert_eq!(personal_data(ok), None, "{ok}");
    }
    assert!(personal_data("4012-8888-8888-1881").is_some());
    assert!(personal_data("mail me: x_y@shop.co.uk").is_some());
}

#[test]
fn personal_data_as_careless_tags_send_it() {
    for pii in [
        "4111 1111 1111 1111 123",            // the CVV after it
        "4111 1111 1111 1111 12/25",          // the expiry after it
        "ref 77 4111 1111 1111 1111",         // a number before it
        "4111.1111.1111.1111",                // dots
        "4111\u{a0}1111\u{a0}1111\u{a0}1111", // non-breaking spaces
        "4111\u{202f}1111\u{202f}1111\u{202f}1111",
        "3782 822463 10005", // Amex, 4-6-5
        "378282246310005",
        "john%40example.com",
        "JOHN%40EXAMPLE.COM",
        "john\u{ff20}example.com",
    ] {
        assert!(personal_data(pii).is_some(), "{pii:?}");
    }
    // A numeric item id is checked like text.
    err(
        r#"{"type":"view_item","items":[{"item_id":378282246310005}]}"#,
        "event: \"items[0].item_id\" looks like personal data (a payment card number) and is not stored",
    );
    for ok in [
        "Order 2023-11-05",
        "Size 42, pack of 12",
        "100%40 cotton",
        "EAN 4006381333931 (500 g)",
    ] {
        assert_eq!(personal_data(ok), None, "{ok:?}");
    }
}

/// Pushes shaped like live stores' dataLayers (GA4's documented events, and what GTM
/// guides show shops sending): string prices, numeric ids, GA4's extra fields, resets.
const STORE_PUSHES: &[(&str, &str)] = &[
    (
        "string prices and quantities (Shopify-like)",
        r#"{"event":"add_to_cart","ecommerce":{"currency":"EUR","value":"62.20",
            "items":[{"item_id":"SKU_12345","item_name":"Stan and Friends Tee","affiliation":"Google Merchandise Store",
            "coupon":"SUMMER_FUN","discount":"2.22","index":0,"item_brand":"Google","item_category":"Apparel",
            "item_category2":"Adult","item_category3":"Shirts","item_category4":"Crew","item_category5":"Short sleeve",
            "item_list_id":"related_products","item_list_name":"Related Products","item_variant":"green",
            "location_id":"ChIJIQBpAG2ahYAR_6128GcTUEo","price":"31.10","quantity":"2"}]}}"#,
    ),
    (
        "a purchase with transaction fields beside ecommerce values",
        r#"{"event":"purchase","ecommerce":{"transaction_id":"T_12345","affiliation":"Online Store",
            "value":"72.05","tax":"3.60","shipping":"5.99","currency":"USD","coupon":"SUMMER_SALE",
            "items":[{"item_id":12345,"item_name":"Tee","price":"31.10","quantity":1},
                     {"item_id":"67890","item_name":"Socks","price":9.99,"quantity":"3"}]}}"#,
    ),
    (
        "padded numbers and a numeric id (WooCommerce-like)",
        r#"{"event":"view_item","ecommerce":{"currency":"usd","value":" 19.90 ",
            "items":[{"item_id":501,"item_name":"Mug","price":" 19.90 ","quantity":" 1 "}]}}"#,
    ),
];

#[test]
fn real_store_pushes_are_read_whole() {
    for (what, json) in STORE_PUSHES {
        let v: Value = serde_json::from_str(json).unwrap();
        let e = Event::from_value(&v, NOW).unwrap_or_else(|e| panic!("{what}: {e}"));
        let (lenient, dropped) = Event::from_value_lenient(&v, NOW).unwrap();
        assert_eq!(lenient, e, "{what}");
        assert!(dropped.is_empty(), "{what}: {dropped:?}");
    }
    let v: Value = serde_json::from_str(STORE_PUSHES[0].1).unwrap();
    let e = Event::from_value(&v, NOW).unwrap();
    assert_eq!(
        (e.value, e.items[0].price, e.items[0].quantity),
        (Some(62.2), Some(31.1), 2)
    );
    let v: Value = serde_json::from_str(STORE_PUSHES[1].1).unwrap();
    let e = Event::from_value(&v, NOW).unwrap();
    assert_eq!(e.items[0].id, "12345");
    assert_eq!(e.items[1].quantity, 3);
    assert_eq!(e.value, Some(72.05));
}

#[test]
fn a_bad_optional_field_costs_that_field_and_a_bad_item_that_item() {
    let lenient = |json: &str| {
        let v: Value = serde_json::from_str(json).unwrap();
        Event::from_value_lenient(&v, NOW).map_err(|e| e.to_string())
    };
    // A purchase is never lost to a price typo or a stray currency symbol.
    let (e, dropped) = lenient(
        r#"{"event":"purchase","ecommerce":{"value":"1,99","currency":"€","coupon":"ann@example.com",
            "items":[{"item_id":"a","price":"12abc","quantity":"0","item_name":"4111 1111 1111 1111"},
                     {"price":3},{"item_id":"b","price":"2.50"}]}}"#,
    )
    .unwrap();
    assert_eq!(e.kind, EventType::Purchase);
    assert_eq!(e.value, None);
    assert_eq!(e.currency, None);
    assert_eq!(e.coupon, None);
    assert_eq!(e.items.len(), 2);
    assert_eq!(
        (e.items[0].price, e.items[0].quantity, &e.items[0].name),
        (None, 1, &None)
    );
    assert_eq!(e.items[1].price, Some(2.5));
    let mut d = dropped.clone();
    d.sort();
    assert_eq!(
        d,
        [
            "coupon",
            "currency",
            "items[]",
            "items[].item_name",
            "items[].price",
            "items[].quantity",
            "value"
        ]
    );
    // What an event cannot be without still costs the event.
    assert_eq!(
        lenient(r#"{"event":"add_to_cart","ecommerce":{"items":[{"price":1}]}}"#).unwrap_err(),
        "event: missing field \"items\""
    );
    assert_eq!(
        lenient(r#"{"event":"select_payment_method","payment_type":5}"#).unwrap_err(),
        "event: missing field \"payment_type\""
    );
    // A bad time is dropped (now is used), a bad ecommerce object too.
    let (e, d) = lenient(r#"{"event":"page_view","ts":"yesterday","ecommerce":[1]}"#).unwrap();
    assert_eq!((e.ts, d), (NOW, vec!["ecommerce", "ts"]));
}

/// gtag.js puts GA4's ecommerce events in the `dataLayer` as its `arguments`
/// (`gtag('event', 'add_to_cart', {currency, value, items})`, GA4's "gtag.js" examples):
/// each is the same event as GTM's push of the same parameters under `ecommerce`.
#[test]
fn gtag_event_commands_are_the_events_gtm_pushes_are() {
    let params = [
        (
            "add_to_cart",
            r#"{"currency":"USD","value":30.03,"items":[{"item_id":"SKU_12345","item_name":"Stan and Friends Tee",
                "affiliation":"Google Merchandise Store","coupon":"SUMMER_FUN","discount":2.22,"index":0,
                "item_brand":"Google","item_category":"Apparel","item_list_id":"related_products",
                "item_variant":"green","location_id":"ChIJIQBpAG2ahYAR_6128GcTUEo","price":"10.01","quantity":3}]}"#,
        ),
        (
            "purchase",
            r#"{"transaction_id":"T_12345","value":72.05,"tax":3.60,"shipping":5.99,"currency":"USD",
                "coupon":"SUMMER_SALE","send_to":"G-XXXXXXXXXX",
                "items":[{"item_id":"SKU_12345","item_name":"Tee","price":10.01,"quantity":3}]}"#,
        ),
        (
            "view_cart",
            r#"{"currency":"EUR","value":"12.50","items":[{"item_id":7,"price":"12.50"}]}"#,
        ),
        (
            "add_payment_info",
            r#"{"currency":"EUR","value":12.5,"payment_type":"Credit Card","items":[{"item_id":"a"}]}"#,
        ),
    ];
    for (name, p) in params {
        let gtag: Value = serde_json::from_str(&format!(r#"["event","{name}",{p}]"#)).unwrap();
        let gtm: Value =
            serde_json::from_str(&format!(r#"{{"event":"{name}","ecommerce":{p}}}"#)).unwrap();
        let from_gtag = data_layer_event(&gtag).unwrap_or_else(|| panic!("{name}"));
        let from_gtm = data_layer_event(&gtm).unwrap();
        let a = Event::from_value_lenient(&from_gtag, NOW).unwrap();
        let b = Event::from_value_lenient(&from_gtm, NOW).unwrap();
        assert_eq!(a, b, "{name}");
        assert!(a.1.is_empty(), "{name}: {:?}", a.1);
    }
    // The time a page's recovery puts in the parameters is read.
    let replayed: Value = serde_json::from_str(
        r#"["event","add_to_cart",{"items":[{"item_id":"a"}],"ts":1700000000000}]"#,
    )
    .unwrap();
    let e = Event::from_value(&data_layer_event(&replayed).unwrap(), NOW).unwrap();
    assert_eq!(e.ts, 1_700_000_000_000);
    // Not events this module tracks: other gtag commands, other event names, odd shapes,
    // GTM's own entries and resets.
    for other in [
        r#"["js","2026-12-02T00:00:00.000Z"]"#,
        r#"["config","G-XXXXXXXXXX",{"send_page_view":false}]"#,
        r#"["set",{"currency":"EUR"}]"#,
        r#"["consent","update",{"ad_storage":"granted"}]"#,
        r#"["event","login",{"method":"Google"}]"#,
        r#"["event","add_to_cart","not parameters"]"#,
        r#"["event","add_to_cart",{},"extra"]"#,
        r#"["event"]"#,
        r#"[]"#,
        r#"{"event":"gtm.js","gtm.start":1700000000000}"#,
        r#"{"ecommerce":null}"#,
        r#"{"event":"exposure"}"#,
        r#""add_to_cart""#,
    ] {
        let v: Value = serde_json::from_str(other).unwrap();
        assert!(data_layer_event(&v).is_none(), "{other}");
    }
    // A page view has no parameters to give.
    let v: Value = serde_json::from_str(r#"["event","page_view"]"#).unwrap();
    let e = Event::from_value(&data_layer_event(&v).unwrap(), NOW).unwrap();
    assert_eq!(e.kind, EventType::PageView);
}

/// GA4 requires `item_id` or `item_name` on an item: a store that sends only names still
/// fills the cart, the name standing for the id.
#[test]
fn an_item_without_an_id_goes_by_its_name() {
    let e = check(
        r#"{"event":"add_to_cart","ecommerce":{"currency":"EUR","value":"5.00",
            "items":[{"item_name":" Oat Milk 1L ","price":"2.50","quantity":2},{"item_id":null,"item_name":"Rye Bread"}]}}"#,
    )
    .unwrap();
    let ids: Vec<&str> = e.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["Oat Milk 1L", "Rye Bread"]);
    assert_eq!(e.items[0].name.as_deref(), Some("Oat Milk 1L"));
    assert_eq!((e.items[0].price, e.items[0].quantity), (Some(2.5), 2));
    // An id, when there is one, is the id; neither is still an error; a name that is
    // personal data is refused under its own name.
    assert_eq!(
        check(r#"{"type":"add_to_cart","items":[{"item_id":"sku-1","item_name":"Tee"}]}"#)
            .unwrap()
            .items[0]
            .id,
        "sku-1"
    );
    err(
        r#"{"type":"add_to_cart","items":[{"price":2}]}"#,
        "event: missing field \"items[0].item_id\"",
    );
    err(
        r#"{"type":"add_to_cart","items":[{"item_name":"ann@example.com"}]}"#,
        "event: \"items[0].item_name\" looks like personal data (an e-mail address) and is not stored",
    );
}

/// gtag.js's item still takes Universal Analytics' names (`id`, `name`, `brand`,
/// `category`; Google's `Item` type lists them as "use item_… instead"): a store whose
/// gtag tagging dates from UA feeds the same cart. The GA4 name wins when both are there.
#[test]
fn items_in_universal_analytics_names_are_read() {
    let v: Value = serde_json::from_str(
        r#"["event","add_to_cart",{"items":[{"id":"P12345","name":"Android Warhol T-Shirt",
            "list_name":"Search Results","brand":"Google","category":"Apparel/T-Shirts",
            "variant":"Black","list_position":1,"quantity":2,"price":"2.0"}]}]"#,
    )
    .unwrap();
    let (e, dropped) = Event::from_value_lenient(&data_layer_event(&v).unwrap(), NOW).unwrap();
    assert!(dropped.is_empty(), "{dropped:?}");
    let i = &e.items[0];
    assert_eq!(
        (
            i.id.as_str(),
            i.name.as_deref(),
            i.brand.as_deref(),
            i.category.as_deref()
        ),
        (
            "P12345",
            Some("Android Warhol T-Shirt"),
            Some("Google"),
            Some("Apparel/T-Shirts")
        )
    );
    assert_eq!((i.quantity, i.price), (2, Some(2.0)));
    let both = check(
        r#"{"type":"add_to_cart","items":[{"item_id":"sku-1","id":"P1","item_name":"Tee","name":"Old"}]}"#,
    )
    .unwrap();
    assert_eq!(
        (both.items[0].id.as_str(), both.items[0].name.as_deref()),
        ("sku-1", Some("Tee"))
    );
    // A bad older id is named as the page sent it.
    err(
        r#"{"type":"add_to_cart","items":[{"id":"ann@example.com"}]}"#,
        "event: \"items[0].id\" looks like personal data (an e-mail address) and is not stored",
    );
}
