//! Reading what `exportEvents` sent: JSON Lines, one event per line, with the collector's
//! envelope (`batch`, `user`, `record`, and what the collector adds: `country`, `os`, …).
//!
//! The browser resends a batch that was not acknowledged (a retry, a `pagehide` beacon
//! after a timeout) with the same batch id and the same lines, so a collector's file may
//! hold a line twice. Every reader of exports goes through [`read`], which keeps the first
//! copy of each (`user`, `batch`, `record`) and counts the rest; lines without a record id
//! (hand-written files) are all kept.

use crate::{err, Result};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// One exported event: its line number (from 1) and its fields.
pub struct Line {
    pub n: usize,
    pub fields: Map<String, Value>,
}

impl Line {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    pub fn kind(&self) -> Option<&str> {
        self.str("type")
    }

    pub fn user(&self) -> &str {
        self.str("user").unwrap_or("")
    }

    pub fn ts(&self) -> Option<i64> {
        self.fields.get("ts").and_then(Value::as_i64)
    }

    /// A purchase's value: `value`, or the sum of its items' `price × quantity` when the
    /// page sent no value (GA4 makes `value` optional); 0 when neither is there.
    pub fn purchase_value(&self) -> f64 {
        if let Some(v) = self.fields.get("value").and_then(Value::as_f64) {
            return v;
        }
        self.fields
            .get("items")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        let price = i["price"].as_f64().unwrap_or(0.0);
                        let quantity = i["quantity"].as_f64().unwrap_or(1.0);
                        price * quantity
                    })
                    .sum()
            })
            .unwrap_or(0.0)
    }
}

/// The events of an export, resent copies dropped; and how many copies were dropped.
pub fn read(jsonl: &str) -> Result<(Vec<Line>, usize)> {
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut out = Vec::new();
    let mut duplicates = 0;
    for (i, text) in jsonl.lines().enumerate() {
        let n = i + 1;
        if text.trim().is_empty() {
            continue;
        }
        let fields = match serde_json::from_str(text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(err(format!("line {n}: not an object"))),
            Err(e) => return Err(err(format!("line {n}: {e}"))),
        };
        let line = Line { n, fields };
        if let Some(record) = line.fields.get("record").filter(|r| !r.is_null()) {
            let key = (
                line.user().to_owned(),
                line.str("batch").unwrap_or("").to_owned(),
                record.to_string(),
            );
            if !seen.insert(key) {
                duplicates += 1;
                continue;
            }
        }
        out.push(line);
    }
    Ok((out, duplicates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resent_lines_are_read_once_and_other_shoppers_are_kept() {
        let a = r#"{"batch":"b1","user":"u1","record":"1","type":"purchase","ts":5,"value":10}"#;
        let b = r#"{"batch":"b1","user":"u2","record":"1","type":"purchase","ts":5,"value":10}"#;
        let plain = r#"{"user":"u3","type":"page_view","ts":1}"#;
        let text = [a, b, a, plain, plain].join("\n");
        let (lines, dropped) = read(&text).unwrap();
        assert_eq!(dropped, 1);
        assert_eq!(
            lines.iter().map(|l| l.user()).collect::<Vec<_>>(),
            ["u1", "u2", "u3", "u3"]
        );
        assert_eq!(
            read("[1]").err().unwrap().to_string(),
            "line 1: not an object"
        );
    }

    #[test]
    fn a_purchase_without_value_is_worth_its_items() {
        let (lines, _) = read(
            r#"{"type":"purchase","items":[{"item_id":"a","price":2.5,"quantity":2},{"item_id":"b","price":1}]}"#,
        )
        .unwrap();
        assert_eq!(lines[0].purchase_value(), 6.0);
    }
}
