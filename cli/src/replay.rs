//! `personalizer rank-payments BUNDLE --events EVENTS.jsonl --queries QUERIES.jsonl`: what
//! the checkout would show each shopper, computed by the module itself.
//!
//! Each shopper's exported events (the JSON Lines of `exportEvents`, `user` = pseudonymous
//! id) are replayed in time order into a fresh in-memory tracker holding BUNDLE; then each
//! query `{user, methods: [...], ts?, country?, device?, os?, browser?, value?, currency?}`
//! ranks its methods (ids, or `{id, type}`) with the page context the query names and,
//! with `value`, a basket of that value in the cart (a `begin_checkout` of one line) — the
//! same `rankPaymentMethods` path the browser runs.
//! `options` are the browser's options (`{"retentionDays": 365}`, say). Used by the
//! simulated payment-ordering study (`eval/payments.py`) and for "why did this shopper see
//! that order" questions.

use crate::{err, Result};
use checkout_personalizer::context::ContextOverride;
use checkout_personalizer::rank::PaymentMethod;
use checkout_personalizer::{MemoryStore, Options, Tracker, Value};
use std::collections::BTreeMap;

/// Fields of an exported line that are the collector's, not the event's.
const ENVELOPE: [&str; 8] = [
    "batch", "user", "record", "country", "device", "os", "browser", "language",
];
const CONTEXT: [&str; 4] = ["country", "device", "os", "browser"];

fn parse_line(line: &str, n: usize) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(line) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(err(format!("line {n}: not an object"))),
        Err(e) => Err(err(format!("line {n}: {e}"))),
    }
}

fn to_value(v: serde_json::Value) -> Result<Value> {
    serde_json::from_value(v).map_err(|e| err(e.to_string()))
}

/// One ranking (method ids, best first) per query line, in query order.
pub fn rank_payments(
    bundle: &[u8],
    events: &str,
    queries: &str,
    options: &Options,
) -> Result<Vec<Vec<String>>> {
    let mut by_user: BTreeMap<String, Vec<(i64, Value)>> = BTreeMap::new();
    for line in crate::exports::read(events)?.0 {
        // The module's own records (exposures, ranked lists) are not shopper events.
        if line.kind() == Some("exposure") {
            continue;
        }
        let user = line.user().to_owned();
        let ts = line.ts().unwrap_or(0);
        let mut m = line.fields;
        for k in ENVELOPE {
            m.remove(k);
        }
        by_user
            .entry(user)
            .or_default()
            .push((ts, to_value(serde_json::Value::Object(m))?));
    }
    let mut out = Vec::new();
    for (n, line) in queries.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let q = parse_line(line, n + 1)?;
        let user = q.get("user").and_then(|u| u.as_str()).unwrap_or("");
        let mut history: Vec<&(i64, Value)> = by_user.get(user).into_iter().flatten().collect();
        history.sort_by_key(|(ts, _)| *ts);
        let now = q
            .get("ts")
            .and_then(|t| t.as_i64())
            .unwrap_or_else(|| history.last().map_or(0, |(ts, _)| ts + 1));
        let start = history.first().map_or(now, |(ts, _)| *ts);
        let mut t = Tracker::for_replay(MemoryStore::new(), options, 1, start);
        t.load_model(bundle)
            .map_err(|e| err(format!("model: {e}")))?;
        let context: serde_json::Map<String, serde_json::Value> = CONTEXT
            .iter()
            .filter_map(|&k| q.get(k).map(|v| (k.to_owned(), v.clone())))
            .collect();
        let context = ContextOverride::from_value(&to_value(serde_json::Value::Object(context))?)
            .map_err(|e| err(format!("line {}: {}", n + 1, e.0)))?;
        t.set_context_override(options.context.merged(&context));
        for (ts, v) in history {
            t.track(v, *ts)
                .map_err(|e| err(format!("user {user}: {e}")))?;
        }
        if let Some(value) = q.get("value").and_then(|v| v.as_f64()) {
            let mut basket = serde_json::json!({
                "type": "begin_checkout",
                "value": value,
                "items": [{"item_id": "basket", "price": value, "quantity": 1}],
            });
            if let Some(c) = q.get("currency") {
                basket["currency"] = c.clone();
            }
            t.track(&to_value(basket)?, now)
                .map_err(|e| err(format!("line {}: {e}", n + 1)))?;
        }
        let methods: Vec<PaymentMethod> = q
            .get("methods")
            .and_then(|m| m.as_array())
            .ok_or_else(|| err(format!("line {}: \"methods\" must be a list", n + 1)))?
            .iter()
            .filter_map(|m| match m {
                serde_json::Value::String(id) => Some(PaymentMethod {
                    id: id.clone(),
                    kind: None,
                }),
                m => Some(PaymentMethod {
                    id: m["id"].as_str()?.to_owned(),
                    kind: m["type"].as_str().map(str::to_owned),
                }),
            })
            .collect();
        let ranking = t.rank_payment_methods(&methods, now);
        out.push(ranking.items.into_iter().map(|r| r.id).collect());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dutch shoppers pay with iDEAL, German ones with PayPal; one Dutch shopper always
    /// pays by card. Trained, then replayed through the module.
    fn events() -> String {
        let mut s = String::new();
        for u in 0..60 {
            let (country, method) = match u % 3 {
                0 => ("NL", "ideal"),
                1 => ("DE", "paypal"),
                _ => ("DE", "card"),
            };
            let method = if u == 0 { "card" } else { method };
            for k in 0..3 {
                s += &format!(
                    "{{\"user\":\"u{u}\",\"type\":\"purchase\",\"ts\":{},\"transaction_id\":\"{u}-{k}\",\"payment_type\":\"{method}\",\"country\":\"{country}\",\"os\":\"ios\"}}\n",
                    1_000_000 + 1000 * k + u,
                );
            }
        }
        s
    }

    #[test]
    fn rankings_follow_country_and_history_and_stay_permutations() {
        let ev = events();
        let t = crate::train::train(&ev, &crate::cooccur::Options::default(), 7).unwrap();
        assert!(t
            .bundle
            .features
            .iter()
            .any(|f| f.source == "candidate.idCountry"));
        let bundle = crate::encode_checked(&t.bundle).unwrap();
        let queries = [
            r#"{"user":"new-nl","country":"NL","methods":["card","paypal","ideal"],"ts":2000000}"#,
            r#"{"user":"new-de","country":"de","methods":["card","paypal","ideal"],"ts":2000000}"#,
            r#"{"user":"u0","country":"NL","methods":["paypal","ideal","card"],"ts":2000000}"#,
            r#"{"user":"u3","country":"NL","methods":["ideal","klarna"],"ts":2000000}"#,
            r#"{"user":"new","country":"DE","browser":"safari","value":120,"currency":"EUR","methods":[{"id":"card","type":"card"},"paypal"],"ts":2000000}"#,
        ]
        .join("\n");
        let r = rank_payments(&bundle, &ev, &queries, &Options::default()).unwrap();
        assert_eq!(r[0][0], "ideal", "{r:?}");
        assert_eq!(r[1][0], "paypal", "{r:?}");
        assert_eq!(r[2][0], "card", "u0 always pays by card: {r:?}");
        let mut last = r[3].clone();
        last.sort();
        assert_eq!(
            last,
            ["ideal", "klarna"],
            "a method the model never saw is kept"
        );
        assert_eq!(
            r[4][0], "paypal",
            "typed methods, a basket and a browser: {r:?}"
        );
        let e = rank_payments(
            &bundle,
            "",
            r#"{"user":"x","browser":"netscape","methods":["card"]}"#,
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.0.contains("\"browser\" must be safari"), "{e}");
    }

    #[test]
    fn bad_lines_are_clear_errors() {
        let t = crate::train::train(&events(), &crate::cooccur::Options::default(), 7).unwrap();
        let bundle = crate::encode_checked(&t.bundle).unwrap();
        let o = Options::default();
        let e = rank_payments(&bundle, "", r#"{"user":"x"}"#, &o).unwrap_err();
        assert!(e.0.contains("\"methods\" must be a list"), "{e}");
        let e = rank_payments(
            &bundle,
            "",
            r#"{"user":"x","country":"Netherlands","methods":[]}"#,
            &o,
        )
        .unwrap_err();
        assert!(e.0.contains("ISO 3166-1"), "{e}");
        let e = rank_payments(b"nope", "", r#"{"user":"x","methods":[]}"#, &o).unwrap_err();
        assert!(e.0.starts_with("model: "), "{e}");
        assert!(rank_payments(&bundle, "[1]", "", &o).is_err());
    }
}
