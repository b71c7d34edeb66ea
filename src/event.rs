//! Shopper events: the GA4 ecommerce vocabulary, validated and minimised.
//!
//! `Event::from_value` turns whatever the page handed to `track()` (a plain object, or a
//! GA4 `dataLayer` object `{event, ecommerce: {...}}`) into an `Event` that holds only
//! whitelisted fields. Anything else is dropped (data minimisation); a wrong field is an
//! `EventError` that names it; text that looks like personal data (an e-mail address, a
//! payment card number) is refused, so it can never reach storage. Pure: no storage, no JS.

use crate::value::Value;
use serde::Serialize;
use std::fmt;

/// Longest id (item id) kept, in bytes.
pub const MAX_ID: usize = 100;
/// Longest free text (names, categories, coupons) kept, in bytes.
pub const MAX_TEXT: usize = 200;
/// Most items one event may carry.
pub const MAX_ITEMS: usize = 200;
/// Largest quantity of one item.
pub const MAX_QUANTITY: f64 = 10_000.0;
/// How far in the future a timestamp may be (clock skew), in ms.
pub const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;

macro_rules! event_types {
    ($($variant:ident = $code:literal, $name:literal;)*) => {
        /// The event types `track()` accepts: GA4's ecommerce events plus `select_payment_method`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum EventType { $($variant = $code,)* }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(EventType::$variant => $name,)* }
            }

            pub fn from_name(name: &str) -> Option<EventType> {
                match name { $($name => Some(EventType::$variant),)* _ => None }
            }
        }

        impl TryFrom<u8> for EventType {
            type Error = String;
            fn try_from(code: u8) -> Result<Self, String> {
                match code { $($code => Ok(EventType::$variant),)* _ => Err(format!("unknown event code {code}")) }
            }
        }
    };
}

event_types! {
    PageView = 0, "page_view";
    ViewItem = 1, "view_item";
    ViewItemList = 2, "view_item_list";
    SelectItem = 3, "select_item";
    AddToCart = 4, "add_to_cart";
    RemoveFromCart = 5, "remove_from_cart";
    ViewCart = 6, "view_cart";
    BeginCheckout = 7, "begin_checkout";
    AddShippingInfo = 8, "add_shipping_info";
    AddPaymentInfo = 9, "add_payment_info";
    Purchase = 10, "purchase";
    SelectPaymentMethod = 11, "select_payment_method";
    Exposure = 12, "exposure";
}

impl From<EventType> for u8 {
    fn from(t: EventType) -> u8 {
        t as u8
    }
}

impl EventType {
    /// Types that make no sense without at least one item.
    fn needs_items(self) -> bool {
        matches!(
            self,
            EventType::ViewItem
                | EventType::SelectItem
                | EventType::AddToCart
                | EventType::RemoveFromCart
        )
    }
}

/// One product line of an event. Field names follow GA4 (`item_id`, `item_name`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub price: Option<f64>,
    pub quantity: u32,
}

/// An experiment exposure, recorded by the module itself when a ranking is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exposure {
    pub experiment: String,
    pub arm: String,
    pub variation: u32,
    /// The decision missed the page's deadline: the shopper saw the page's own order,
    /// whatever the arm.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

/// A validated, minimised event. `ts` is milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventType,
    pub ts: i64,
    pub items: Vec<Item>,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub payment_type: Option<String>,
    pub shipping_tier: Option<String>,
    pub coupon: Option<String>,
    /// Only on `exposure` events.
    pub exposure: Option<Exposure>,
}

impl Event {
    /// A bare event of `kind` at `ts`, for building events in code and tests.
    pub fn new(kind: EventType, ts: i64) -> Event {
        Event {
            kind,
            ts,
            items: Vec::new(),
            value: None,
            currency: None,
            payment_type: None,
            shipping_tier: None,
            coupon: None,
            exposure: None,
        }
    }

    /// Whether the event keeps the invariants `from_value` establishes. Stored events are
    /// re-checked with this on load: storage is input too.
    pub fn is_valid(&self) -> bool {
        let num = |n: Option<f64>| n.is_none_or(|n| n.is_finite() && n.abs() <= 1e12);
        let txt = |t: &Option<String>, max: usize| {
            t.as_ref().is_none_or(|t| !t.is_empty() && t.len() <= max)
        };
        (0..=9_000_000_000_000_000).contains(&self.ts)
            && self.items.len() <= MAX_ITEMS
            && self.items.iter().all(|i| {
                !i.id.is_empty()
                    && i.id.len() <= MAX_ID
                    && (1..=MAX_QUANTITY as u32).contains(&i.quantity)
                    && num(i.price)
                    && txt(&i.name, MAX_TEXT)
                    && txt(&i.category, MAX_TEXT)
                    && txt(&i.brand, MAX_TEXT)
            })
            && num(self.value)
            && self.currency.as_ref().is_none_or(|c| c.len() == 3)
            && txt(&self.payment_type, MAX_ID)
            && txt(&self.shipping_tier, MAX_ID)
            && txt(&self.coupon, MAX_ID)
            && self.exposure.as_ref().is_none_or(|x| {
                self.kind == EventType::Exposure
                    && !x.experiment.is_empty()
                    && x.experiment.len() <= MAX_ID
                    && x.arm.len() <= MAX_ID
            })
            && (self.kind != EventType::Exposure || self.exposure.is_some())
    }

    /// Validates and minimises what the page passed to `track()`. `now` (ms) fills a missing
    /// `ts` and bounds a future one.
    pub fn from_value(v: &Value, now: i64) -> Result<Event, EventError> {
        let Value::Map(_) = v else {
            return Err(EventError::Invalid {
                field: "event".into(),
                why: format!("must be an object, got {}", v.kind()),
            });
        };
        // GA4 dataLayer shape: {event: 'add_to_cart', ecommerce: {items, value, currency, ...}}.
        let ecommerce = v.field("ecommerce");
        if let Some(e) = ecommerce {
            if !matches!(e, Value::Map(_)) {
                return Err(invalid("ecommerce", "must be an object"));
            }
        }
        let pick = |key: &str| {
            v.field(key)
                .or_else(|| ecommerce.and_then(|e| e.field(key)))
        };

        let (type_field, type_value) = match (v.field("type"), v.field("event")) {
            (Some(t), _) => ("type", t),
            (None, Some(t)) => ("event", t),
            (None, None) => {
                return Err(EventError::Missing {
                    field: "type".into(),
                })
            }
        };
        let Value::Str(type_name) = type_value else {
            return Err(invalid(type_field, "must be a string"));
        };
        let kind = EventType::from_name(type_name.trim())
            .filter(|&k| k != EventType::Exposure)
            .ok_or_else(|| EventError::Invalid {
                field: type_field.into(),
                why: format!("unknown event type \"{}\"", clip(type_name)),
            })?;

        let ts = match pick("ts") {
            None => now,
            Some(Value::Num(t)) if t.is_finite() && *t >= 0.0 && *t <= 9.0e15 => *t as i64,
            Some(_) => return Err(invalid("ts", "must be a timestamp in milliseconds")),
        };
        if ts > now.saturating_add(MAX_FUTURE_MS) {
            return Err(invalid("ts", "is more than a day in the future"));
        }

        let items = match pick("items") {
            None => Vec::new(),
            Some(Value::List(list)) => {
                if list.len() > MAX_ITEMS {
                    return Err(invalid(
                        "items",
                        &format!("has more than {MAX_ITEMS} items"),
                    ));
                }
                list.iter()
                    .enumerate()
                    .map(|(i, item)| item_from_value(item, i))
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => return Err(invalid("items", "must be an array")),
        };
        if kind.needs_items() && items.is_empty() {
            return Err(EventError::Missing {
                field: "items".into(),
            });
        }

        let payment_type = text(pick("payment_type"), "payment_type", MAX_ID)?;
        if kind == EventType::SelectPaymentMethod && payment_type.is_none() {
            return Err(EventError::Missing {
                field: "payment_type".into(),
            });
        }

        Ok(Event {
            kind,
            ts,
            items,
            value: number(pick("value"), "value")?,
            currency: currency(pick("currency"))?,
            payment_type,
            shipping_tier: text(pick("shipping_tier"), "shipping_tier", MAX_ID)?,
            coupon: text(pick("coupon"), "coupon", MAX_ID)?,
            exposure: None,
        })
    }
}

/// Whether a `dataLayer` entry is an ecommerce event this module tracks: an object whose
/// `event` names one of `EventType`'s (GTM's own entries, `{ecommerce: null}` resets and
/// gtag commands are not).
pub fn is_data_layer_event(v: &Value) -> bool {
    matches!(v.field("event"), Some(Value::Str(name))
        if EventType::from_name(name.trim()).is_some_and(|t| t != EventType::Exposure))
}

/// An event in GA4's own field names, as `exportData()` returns it.
#[derive(Debug, Serialize)]
pub struct Ga4Event<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub ts: i64,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub items: Vec<Ga4Item<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<&'a Exposure>,
}

#[derive(Debug, Serialize)]
pub struct Ga4Item<'a> {
    pub item_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_brand: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    pub quantity: u32,
}

impl Event {
    pub fn to_ga4(&self) -> Ga4Event<'_> {
        Ga4Event {
            kind: self.kind.name(),
            ts: self.ts,
            items: self
                .items
                .iter()
                .map(|i| Ga4Item {
                    item_id: &i.id,
                    item_name: i.name.as_deref(),
                    item_category: i.category.as_deref(),
                    item_brand: i.brand.as_deref(),
                    price: i.price,
                    quantity: i.quantity,
                })
                .collect(),
            value: self.value,
            currency: self.currency.as_deref(),
            payment_type: self.payment_type.as_deref(),
            shipping_tier: self.shipping_tier.as_deref(),
            coupon: self.coupon.as_deref(),
            exposure: self.exposure.as_ref(),
        }
    }
}

fn item_from_value(v: &Value, i: usize) -> Result<Item, EventError> {
    item_fields(v).map_err(|e| e.in_item(i))
}

/// `item_from_value` with errors naming the item's own fields (the caller adds
/// `items[i].`, so a valid item formats no field names).
fn item_fields(v: &Value) -> Result<Item, EventError> {
    if !matches!(v, Value::Map(_)) {
        return Err(invalid("", "must be an object"));
    }
    let id = match v.field("item_id") {
        Some(Value::Num(n)) if n.fract() == 0.0 && n.abs() < 1e15 => (*n as i64).to_string(),
        Some(other) => text(Some(other), "item_id", MAX_ID)?
            .ok_or_else(|| invalid("item_id", "must not be empty"))?,
        None => {
            return Err(EventError::Missing {
                field: "item_id".into(),
            })
        }
    };
    if looks_like_email(&id) {
        return Err(EventError::Personal {
            field: "item_id".into(),
            what: "an e-mail address",
        });
    }
    let quantity = match v.field("quantity") {
        None => 1,
        Some(Value::Num(q)) if q.fract() == 0.0 && *q >= 1.0 && *q <= MAX_QUANTITY => *q as u32,
        Some(_) => {
            return Err(invalid(
                "quantity",
                "must be a whole number from 1 to 10000",
            ))
        }
    };
    Ok(Item {
        id,
        name: text(v.field("item_name"), "item_name", MAX_TEXT)?,
        category: text(v.field("item_category"), "item_category", MAX_TEXT)?,
        brand: text(v.field("item_brand"), "item_brand", MAX_TEXT)?,
        price: number(v.field("price"), "price")?,
        quantity,
    })
}

fn invalid(field: &str, why: &str) -> EventError {
    EventError::Invalid {
        field: field.into(),
        why: why.into(),
    }
}

fn number(v: Option<&Value>, field: &str) -> Result<Option<f64>, EventError> {
    match v {
        None => Ok(None),
        Some(Value::Num(n)) if n.is_finite() && n.abs() <= 1e12 => Ok(Some(*n)),
        Some(_) => Err(invalid(field, "must be a finite number")),
    }
}

/// A trimmed, bounded, non-personal string; empty counts as absent.
fn text(v: Option<&Value>, field: &str, max: usize) -> Result<Option<String>, EventError> {
    let s = match v {
        None => return Ok(None),
        Some(Value::Str(s)) => s.trim(),
        Some(_) => return Err(invalid(field, "must be a string")),
    };
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > max {
        return Err(invalid(field, &format!("is longer than {max} bytes")));
    }
    let control = if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(|c| c.is_control())
    };
    if control {
        return Err(invalid(field, "contains control characters"));
    }
    if let Some(what) = personal_data(s) {
        return Err(EventError::Personal {
            field: field.into(),
            what,
        });
    }
    Ok(Some(s.to_owned()))
}

fn currency(v: Option<&Value>) -> Result<Option<String>, EventError> {
    match v {
        None => Ok(None),
        Some(Value::Str(s)) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Ok(Some(s.to_ascii_uppercase()))
        }
        Some(_) => Err(invalid("currency", "must be a three-letter ISO 4217 code")),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// What kind of personal data `s` appears to contain, if any. Conservative on purpose:
/// it must not refuse ordinary product names, but it must catch what a careless tag sends.
pub fn personal_data(s: &str) -> Option<&'static str> {
    // Cheap necessary conditions first: an address has an '@', a card number 13 digits.
    if s.contains('@') && looks_like_email(s) {
        Some("an e-mail address")
    } else if s.bytes().filter(u8::is_ascii_digit).count() >= 13 && contains_card_number(s) {
        Some("a payment card number")
    } else {
        None
    }
}

fn looks_like_email(s: &str) -> bool {
    s.split_whitespace().any(|word| {
        let word = word.trim_matches(|c: char| "<>()[],;:\"'".contains(c));
        match word.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            }
            None => false,
        }
    })
}

/// A run of 13–19 digits (spaces and dashes allowed between them) passing the Luhn check.
fn contains_card_number(s: &str) -> bool {
    let mut digits: Vec<u8> = Vec::new();
    let check = |d: &[u8]| {
        (13..=19).contains(&d.len()) && {
            let sum: u32 = d
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &x)| {
                    let x = u32::from(x);
                    if i % 2 == 1 {
                        let y = x * 2;
                        if y > 9 {
                            y - 9
                        } else {
                            y
                        }
                    } else {
                        x
                    }
                })
                .sum();
            sum % 10 == 0
        }
    };
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c as u8 - b'0'),
            ' ' | '-' if !digits.is_empty() => {}
            _ => {
                if check(&digits) {
                    return true;
                }
                digits.clear();
            }
        }
    }
    check(&digits)
}

/// Why an event was refused. Messages are stable: integrators may match on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    Missing { field: String },
    Invalid { field: String, why: String },
    Personal { field: String, what: &'static str },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            EventError::Missing { field } => write!(f, "event: missing field \"{field}\""),
            EventError::Invalid { field, why } => write!(f, "event: \"{field}\" {why}"),
            EventError::Personal { field, what } => write!(
                f,
                "event: \"{field}\" looks like personal data ({what}) and is not stored"
            ),
        }
    }
}

impl std::error::Error for EventError {}

impl EventError {
    /// The same error about a field of `items[i]` (`""`: the item itself).
    fn in_item(self, i: usize) -> EventError {
        let at = |field: String| {
            if field.is_empty() {
                format!("items[{i}]")
            } else {
                format!("items[{i}].{field}")
            }
        };
        match self {
            EventError::Missing { field } => EventError::Missing { field: at(field) },
            EventError::Invalid { field, why } => EventError::Invalid {
                field: at(field),
                why,
            },
            EventError::Personal { field, what } => EventError::Personal {
                field: at(field),
                what,
            },
        }
    }
}

#[cfg(test)]
mod tests {
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
        let e = check(r#"{"type":"add_to_cart","ts":5,"currency":"eur","value":3.5,
            "items":[{"item_id":"sku-1","item_name":" Milk ","price":1.75,"quantity":2,"index":3}]}"#)
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
        let e = check(r#"{"type":"purchase","ts":9,"value":3,"currency":"EUR","payment_type":"card",
            "items":[{"item_id":"a","item_name":"A","item_category":"c","price":1.5,"quantity":2}]}"#)
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
            r#"{"type":"add_to_cart","items":[{"item_id":"a","price":"1"}]}"#,
            "event: \"items[0].price\" must be a finite number",
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
            "event: \"value\" must be a finite number",
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
}
