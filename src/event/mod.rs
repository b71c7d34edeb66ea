//! Shopper events: the GA4 ecommerce vocabulary, validated and minimised.
//!
//! `Event::from_value` (`parse.rs`) turns whatever the page handed to `track()` (a plain
//! object, or a GA4 `dataLayer` object `{event, ecommerce: {...}}`) into an `Event` that
//! holds only whitelisted fields. Anything else is dropped (data minimisation); a wrong
//! field is an `EventError` that names it (or, read leniently, costs only that field); text
//! that looks like personal data (`personal.rs`: an e-mail address, a payment card number)
//! is refused, so it can never reach storage. Pure: no storage, no JS.

mod parse;
mod personal;

pub use parse::{Dropped, Mode};
pub use personal::personal_data;

use crate::value::Value;
use serde::Serialize;
use std::borrow::Cow;
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
    /// A list record (`experiment` is [`PAYMENT_LIST`] or [`SHIPPING_LIST`]): the ids the
    /// ranking returned, in shown order, so training sees what was offered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<String>,
    /// The page's `type` of each shown id (`""` when it gave none); empty when it gave
    /// none at all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
}

/// The exposure name of a ranked payment list (its `shown` ids are the offered methods).
pub const PAYMENT_LIST: &str = "payment_methods";
/// The exposure name of a ranked shipping list.
pub const SHIPPING_LIST: &str = "shipping_options";
/// Most ids one list record keeps.
pub const MAX_SHOWN: usize = 64;

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
                    && x.shown.len() <= MAX_SHOWN
                    && x.shown.iter().all(|i| !i.is_empty() && i.len() <= MAX_ID)
                    && (x.types.is_empty() || x.types.len() == x.shown.len())
                    && x.types.iter().all(|t| t.len() <= MAX_ID)
            })
            && (self.kind != EventType::Exposure || self.exposure.is_some())
    }
}

/// Whether `name` is an event a page's `dataLayer` may tell this module about.
fn tracked_name(name: &str) -> bool {
    EventType::from_name(name.trim()).is_some_and(|t| t != EventType::Exposure)
}

/// The ecommerce event a `dataLayer` entry stands for, if it is one this module tracks, in
/// the object form `Event::from_value` reads. Two ways GA4 puts one there:
/// - GTM's `dataLayer.push({event: 'add_to_cart', ecommerce: {...}})`: taken as it is;
/// - gtag.js's `gtag('event', 'add_to_cart', {currency, value, items, ...})`, which pushes
///   its `arguments` (handed over as an array): read as `{event: name, ...params}`.
///
/// GTM's own entries (`gtm.js`, `gtm.dom`), `{ecommerce: null}` resets, other gtag commands
/// (`js`, `config`, `set`, `consent`) and events of other names are not.
pub fn data_layer_event(v: &Value) -> Option<Cow<'_, Value>> {
    match v {
        Value::Map(_) => match v.field("event") {
            Some(Value::Str(name)) if tracked_name(name) => Some(Cow::Borrowed(v)),
            _ => None,
        },
        Value::List(args) => match args.as_slice() {
            [Value::Str(command), Value::Str(name), rest @ ..]
                if command == "event" && tracked_name(name) && rest.len() <= 1 =>
            {
                let mut fields = match rest.first() {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Map(params)) => params.clone(),
                    Some(_) => return None,
                };
                fields.retain(|(k, _)| k != "event" && k != "type");
                fields.push(("event".to_owned(), Value::Str(name.clone())));
                Some(Cow::Owned(Value::Map(fields)))
            }
            _ => None,
        },
        _ => None,
    }
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
mod tests;
