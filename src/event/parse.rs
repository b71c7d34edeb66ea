//! Reading what the page hands over (`track()`, the `dataLayer`, `[data-track]` clicks)
//! into an `Event`: whitelisted fields only, each validated.
//!
//! Numbers are what GA4 accepts: JSON numbers or strict decimal strings (`"31.10"`,
//! `" 2 "`; never `"1,99"`, `"12abc"`, `"Infinity"`, see `value::decimal`). Item ids are
//! strings or whole numbers. Fields outside the whitelist (`tax`, `shipping`, `discount`,
//! `transaction_id`, `affiliation`, `item_variant`, `item_category2`…, `index`,
//! `location_id`, …) are dropped unread.
//!
//! Two modes. `Strict` (`track()`): a bad field is an `EventError` naming it. `Lenient`
//! (the `dataLayer`, auto-tracking): a bad optional field costs that field, a bad item
//! costs that item, and only what no event can be without (its type, the items an item
//! event needs, the method of `select_payment_method`) costs the event; what was dropped
//! is reported by field name, so a shop can see its tagging problems.

use super::personal::personal_data;
use super::*;

/// How a bad field is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Strict,
    Lenient,
}

/// Field names (`items[].price` for a field of any item) that a lenient read dropped.
pub type Dropped = Vec<&'static str>;

/// One read: the mode, and what was dropped so far.
struct Read {
    mode: Mode,
    dropped: Dropped,
}

impl Read {
    /// An optional field's outcome: strict passes the error on, lenient drops the field.
    fn optional<T>(
        &mut self,
        name: &'static str,
        r: Result<Option<T>, EventError>,
    ) -> Result<Option<T>, EventError> {
        match r {
            Err(e) if self.mode == Mode::Lenient => {
                let _ = e;
                self.dropped.push(name);
                Ok(None)
            }
            r => r,
        }
    }
}

impl Event {
    /// Validates and minimises what the page passed to `track()` (strict). `now` (ms) fills
    /// a missing `ts` and bounds a future one.
    pub fn from_value(v: &Value, now: i64) -> Result<Event, EventError> {
        parse(v, now, Mode::Strict).map(|(e, _)| e)
    }

    /// The same, dropping bad optional fields and items instead of refusing the event.
    pub fn from_value_lenient(v: &Value, now: i64) -> Result<(Event, Dropped), EventError> {
        parse(v, now, Mode::Lenient)
    }
}

fn parse(v: &Value, now: i64, mode: Mode) -> Result<(Event, Dropped), EventError> {
    let mut r = Read {
        mode,
        dropped: Vec::new(),
    };
    let Value::Map(_) = v else {
        return Err(EventError::Invalid {
            field: "event".into(),
            why: format!("must be an object, got {}", v.kind()),
        });
    };
    // GA4 dataLayer shape: {event: 'add_to_cart', ecommerce: {items, value, currency, ...}}.
    let ecommerce = match v.field("ecommerce") {
        Some(e @ Value::Map(_)) => Some(e),
        Some(_) if mode == Mode::Strict => return Err(invalid("ecommerce", "must be an object")),
        Some(_) => {
            r.dropped.push("ecommerce");
            None
        }
        None => None,
    };
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

    let ts = r.optional("ts", timestamp(pick("ts"), now))?.unwrap_or(now);

    let items = match pick("items") {
        None => Vec::new(),
        Some(Value::List(list)) if list.len() <= MAX_ITEMS => {
            let mut items = Vec::with_capacity(list.len());
            for (i, item) in list.iter().enumerate() {
                match item_fields(item, &mut r) {
                    Ok(it) => items.push(it),
                    Err(e) if mode == Mode::Strict => return Err(e.in_item(i)),
                    Err(_) => r.dropped.push("items[]"),
                }
            }
            items
        }
        Some(Value::List(_)) if mode == Mode::Strict => {
            return Err(invalid(
                "items",
                &format!("has more than {MAX_ITEMS} items"),
            ))
        }
        Some(_) if mode == Mode::Strict => return Err(invalid("items", "must be an array")),
        Some(_) => {
            r.dropped.push("items");
            Vec::new()
        }
    };
    if kind.needs_items() && items.is_empty() {
        return Err(EventError::Missing {
            field: "items".into(),
        });
    }

    let payment_type = r.optional(
        "payment_type",
        text(pick("payment_type"), "payment_type", MAX_ID),
    )?;
    if kind == EventType::SelectPaymentMethod && payment_type.is_none() {
        return Err(EventError::Missing {
            field: "payment_type".into(),
        });
    }

    let event = Event {
        kind,
        ts,
        items,
        value: r.optional("value", number(pick("value"), "value"))?,
        currency: r.optional("currency", currency(pick("currency")))?,
        payment_type,
        shipping_tier: r.optional(
            "shipping_tier",
            text(pick("shipping_tier"), "shipping_tier", MAX_ID),
        )?,
        coupon: r.optional("coupon", text(pick("coupon"), "coupon", MAX_ID))?,
        exposure: None,
    };
    Ok((event, r.dropped))
}

fn timestamp(v: Option<&Value>, now: i64) -> Result<Option<i64>, EventError> {
    let ts = match v {
        None => return Ok(None),
        Some(Value::Num(t)) if t.is_finite() && *t >= 0.0 && *t <= 9.0e15 => *t as i64,
        Some(_) => return Err(invalid("ts", "must be a timestamp in milliseconds")),
    };
    if ts > now.saturating_add(MAX_FUTURE_MS) {
        return Err(invalid("ts", "is more than a day in the future"));
    }
    Ok(Some(ts))
}

/// One item, with errors naming the item's own fields (the caller adds `items[i].`, so a
/// valid item formats no field names). An error is about the item as a whole (its id);
/// optional fields go through `r`.
fn item_fields(v: &Value, r: &mut Read) -> Result<Item, EventError> {
    if !matches!(v, Value::Map(_)) {
        return Err(invalid("", "must be an object"));
    }
    // GA4's item also takes the older names gtag.js still accepts (`id`, `name`, `brand`,
    // `category`, as Universal Analytics tagging sends them); the GA4 name wins.
    let pick = |ga4: &'static str, older: &'static str| match v.field(ga4) {
        Some(x) => Some((ga4, x)),
        None => v.field(older).map(|x| (older, x)),
    };
    let name_field = pick("item_name", "name");
    // GA4 requires `item_id` or `item_name`: without an id, the name stands for it.
    let (id, id_field) = match (pick("item_id", "id"), name_field) {
        (Some((key, Value::Num(n))), _) if n.fract() == 0.0 && n.abs() < 1e15 => {
            ((*n as i64).to_string(), key)
        }
        (Some((key, other)), _) => (
            text(Some(other), key, MAX_ID)?.ok_or_else(|| invalid(key, "must not be empty"))?,
            key,
        ),
        (None, Some((key, name @ Value::Str(_)))) => (
            text(Some(name), key, MAX_ID)?
                .ok_or_else(|| invalid(key, "must not be empty without an item_id"))?,
            key,
        ),
        (None, _) => {
            return Err(EventError::Missing {
                field: "item_id".into(),
            })
        }
    };
    // A number is text like any other: a card number typed into an id field.
    if let Some(what) = personal_data(&id) {
        return Err(EventError::Personal {
            field: id_field.into(),
            what,
        });
    }
    let quantity = r.optional("items[].quantity", quantity(v.field("quantity")))?;
    Ok(Item {
        id,
        name: r.optional(
            "items[].item_name",
            text(name_field.map(|(_, x)| x), "item_name", MAX_TEXT),
        )?,
        category: r.optional(
            "items[].item_category",
            text(
                pick("item_category", "category").map(|(_, x)| x),
                "item_category",
                MAX_TEXT,
            ),
        )?,
        brand: r.optional(
            "items[].item_brand",
            text(
                pick("item_brand", "brand").map(|(_, x)| x),
                "item_brand",
                MAX_TEXT,
            ),
        )?,
        price: r.optional("items[].price", number(v.field("price"), "price"))?,
        quantity: quantity.unwrap_or(1),
    })
}

pub(super) fn invalid(field: &str, why: &str) -> EventError {
    EventError::Invalid {
        field: field.into(),
        why: why.into(),
    }
}

/// A number or a strict decimal string, finite and within ±1e12.
fn number(v: Option<&Value>, field: &str) -> Result<Option<f64>, EventError> {
    match v {
        None => Ok(None),
        Some(x) => match x.number() {
            Some(n) if n.is_finite() && n.abs() <= 1e12 => Ok(Some(n)),
            _ => Err(invalid(
                field,
                "must be a finite number (or a decimal string such as \"31.10\")",
            )),
        },
    }
}

fn quantity(v: Option<&Value>) -> Result<Option<u32>, EventError> {
    match v.map(|x| x.number()) {
        None => Ok(None),
        Some(Some(q)) if q.fract() == 0.0 && (1.0..=MAX_QUANTITY).contains(&q) => {
            Ok(Some(q as u32))
        }
        Some(_) => Err(invalid(
            "quantity",
            "must be a whole number from 1 to 10000",
        )),
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
