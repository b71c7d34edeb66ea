//! How journal records and segments look in storage (`ns:1:j:<tab>`).
//!
//! A record is the MessagePack array `[id, ts, type code, items, value, currency,
//! payment_type, shipping_tier, coupon, exposure]`, the exposure `[experiment, arm,
//! variation, late?, shown?, types?]`, each item `[item_id, name, category, brand, price,
//! quantity]`, absent fields as nil (binary floats: no float formatting code in the wasm),
//! then base64 so it is a safe localStorage string. A segment
//! (one storage value) is `c1;` followed by records joined with `,`, so one damaged record
//! costs only itself. Decoding never trusts its input: anything that does not decode to a
//! valid event is dropped and counted by the caller.

use crate::base64::{base64_decode, base64_encode};
use crate::event::{Event, EventType, Exposure, Item};
use crate::msgpack::{self, Reader, Writer};

/// Marks a segment of schema version 1.
pub const SEGMENT_TAG: &str = "c1;";

pub fn encode_record(id: u64, e: &Event) -> String {
    let mut w = Writer::new();
    w.array(10);
    w.u64(id);
    w.i64(e.ts);
    w.u64(u64::from(u8::from(e.kind)));
    w.array(e.items.len());
    for i in &e.items {
        w.array(6);
        w.str(&i.id);
        w.opt_str(i.name.as_deref());
        w.opt_str(i.category.as_deref());
        w.opt_str(i.brand.as_deref());
        w.opt_f64(i.price);
        w.u64(u64::from(i.quantity));
    }
    w.opt_f64(e.value);
    w.opt_str(e.currency.as_deref());
    w.opt_str(e.payment_type.as_deref());
    w.opt_str(e.shipping_tier.as_deref());
    w.opt_str(e.coupon.as_deref());
    match &e.exposure {
        Some(x) => {
            let n = if !x.types.is_empty() {
                6
            } else if !x.shown.is_empty() {
                5
            } else if x.late {
                4
            } else {
                3
            };
            w.array(n);
            w.str(&x.experiment);
            w.str(&x.arm);
            w.u64(u64::from(x.variation));
            if n >= 4 {
                w.bool(x.late);
            }
            for list in [&x.shown, &x.types].into_iter().take(n.saturating_sub(4)) {
                w.array(list.len());
                for s in list {
                    w.str(s);
                }
            }
        }
        None => w.nil(),
    }
    base64_encode(&w.into_bytes())
}

pub fn decode_record(s: &str) -> Option<(u64, Event)> {
    let bytes = base64_decode(s)?;
    let mut r = Reader::new(&bytes);
    let record = read_record(&mut r).ok()?;
    (r.is_at_end() && record.1.is_valid()).then_some(record)
}

fn read_record(r: &mut Reader) -> msgpack::Result<(u64, Event)> {
    let own = |s: Option<&str>| s.map(str::to_owned);
    if r.array()? != 10 {
        return Err(msgpack::ReadError {
            at: 0,
            what: "not a record",
        });
    }
    let id = r.u64()?;
    let ts = r.i64()?;
    let at = r.position();
    let kind = u8::try_from(r.u64()?)
        .ok()
        .and_then(|c| EventType::try_from(c).ok())
        .ok_or(msgpack::ReadError {
            at,
            what: "unknown event type",
        })?;
    let n = r.array()?;
    // Reserve from what was read, not from what the input claims.
    let mut items = Vec::with_capacity(n.min(16));
    for _ in 0..n {
        if r.array()? != 6 {
            return Err(msgpack::ReadError {
                at: r.position(),
                what: "not an item",
            });
        }
        items.push(Item {
            id: r.str()?.to_owned(),
            name: own(r.opt_str()?),
            category: own(r.opt_str()?),
            brand: own(r.opt_str()?),
            price: r.opt_f64()?,
            quantity: r.u32()?,
        });
    }
    Ok((
        id,
        Event {
            kind,
            ts,
            items,
            value: r.opt_f64()?,
            currency: own(r.opt_str()?),
            payment_type: own(r.opt_str()?),
            shipping_tier: own(r.opt_str()?),
            coupon: own(r.opt_str()?),
            exposure: if r.nil()? {
                None
            } else {
                let n = r.array()?;
                if !(3..=6).contains(&n) {
                    return Err(msgpack::ReadError {
                        at: r.position(),
                        what: "not an exposure",
                    });
                }
                let experiment = r.str()?.to_owned();
                let arm = r.str()?.to_owned();
                let variation = r.u32()?;
                let late = n >= 4 && r.bool()?;
                let mut lists = [Vec::new(), Vec::new()];
                for list in lists.iter_mut().take(n.saturating_sub(4)) {
                    let k = r.array()?;
                    list.reserve(k.min(crate::event::MAX_SHOWN));
                    for _ in 0..k {
                        list.push(r.str()?.to_owned());
                    }
                }
                let [shown, types] = lists;
                Some(Exposure {
                    experiment,
                    arm,
                    variation,
                    late,
                    shown,
                    types,
                })
            },
        },
    ))
}

/// A decoded record: its id, its event, and its encoded form (kept to rewrite it cheaply).
pub type DecodedRecord = (u64, Event, String);

/// The records of a segment value, and how many were damaged. `None`: not a segment of ours.
pub fn decode_segment(value: &str) -> Option<(Vec<DecodedRecord>, usize)> {
    let body = value.strip_prefix(SEGMENT_TAG)?;
    let mut good = Vec::new();
    let mut bad = 0;
    for part in body.split(',').filter(|p| !p.is_empty()) {
        match decode_record(part) {
            Some((id, e)) => good.push((id, e, part.to_owned())),
            None => bad += 1,
        }
    }
    Some((good, bad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventType, Item};

    #[test]
    fn records_round_trip_and_damage_is_contained() {
        let mut e = Event::new(EventType::AddToCart, 1_700_000_000_000);
        e.items.push(Item {
            id: "sku-1".into(),
            name: Some("Milch".into()),
            category: None,
            brand: None,
            price: Some(1.25),
            quantity: 2,
        });
        e.currency = Some("EUR".into());
        let enc = encode_record(7, &e);
        assert_eq!(decode_record(&enc), Some((7, e.clone())));
        let seg = format!("{SEGMENT_TAG}{enc},{},xx!,{enc}", &enc[..enc.len() / 2]);
        let (good, bad) = decode_segment(&seg).unwrap();
        assert_eq!((good.len(), bad), (2, 2));
        assert_eq!(decode_segment("{\"foreign\":1}"), None);
    }
}
