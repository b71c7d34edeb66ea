//! `personalizer train EVENTS.jsonl -o OUT.cpm`: closes the loop collect → train → ship.
//!
//! From the JSON Lines `exportEvents` sends: a co-occurrence head from purchase baskets
//! (the items of each purchase event), and a payment head — a logistic regression over
//! `candidate.isLast` and `candidate.usedShare`, fitted on every purchase that names its
//! payment method (the chosen method is the positive, the other methods seen in the data the
//! negatives), with each shopper's history replayed in time order so features only use the
//! past. Deterministic: same events, same bundle.

use crate::cooccur::{self, Counts};
use crate::{err, Result};
use checkout_personalizer::model::*;
use std::collections::{BTreeMap, BTreeSet};

pub struct Trained {
    pub bundle: Bundle,
    pub purchases: usize,
    pub baskets: u64,
    pub examples: usize,
}

struct Purchase {
    user: String,
    ts: i64,
    payment: Option<String>,
    items: Vec<String>,
}

fn read(jsonl: &str) -> Result<Vec<Purchase>> {
    let mut out = Vec::new();
    for (n, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| err(format!("line {}: {e}", n + 1)))?;
        if v["type"] != "purchase" {
            continue;
        }
        out.push(Purchase {
            user: v["user"].as_str().unwrap_or("").to_owned(),
            ts: v["ts"].as_i64().unwrap_or(0),
            payment: v["payment_type"].as_str().map(str::to_owned),
            items: v["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|i| i["item_id"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    out.sort_by(|a, b| a.ts.cmp(&b.ts).then(a.user.cmp(&b.user)));
    Ok(out)
}

/// Logistic regression by full-batch gradient descent (2 features + intercept).
fn fit(xs: &[[f64; 2]], ys: &[f64]) -> ([f64; 2], f64) {
    let (mut w, mut b) = ([0.0f64; 2], 0.0f64);
    let n = xs.len().max(1) as f64;
    for _ in 0..2000 {
        let (mut gw, mut gb) = ([0.0f64; 2], 0.0f64);
        for (x, y) in xs.iter().zip(ys) {
            let p = 1.0 / (1.0 + (-(w[0] * x[0] + w[1] * x[1] + b)).exp());
            let e = p - y;
            gw[0] += e * x[0];
            gw[1] += e * x[1];
            gb += e;
        }
        // A little L2 keeps separable data finite.
        w[0] -= 0.5 * (gw[0] / n + 0.01 * w[0]);
        w[1] -= 0.5 * (gw[1] / n + 0.01 * w[1]);
        b -= 0.5 * gb / n;
    }
    (w, b)
}

pub fn train(jsonl: &str, o: &cooccur::Options, created_ms: i64) -> Result<Trained> {
    let purchases = read(jsonl)?;
    if purchases.is_empty() {
        return Err(err("train: no purchase events"));
    }
    let mut counts = Counts::default();
    for p in &purchases {
        counts.add_basket(p.items.iter().map(String::as_str));
    }
    let methods: BTreeSet<&str> = purchases
        .iter()
        .filter_map(|p| p.payment.as_deref())
        .collect();
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let mut history: BTreeMap<&str, (BTreeMap<&str, u32>, Option<&str>)> = BTreeMap::new();
    for p in &purchases {
        let Some(chosen) = p.payment.as_deref() else {
            continue;
        };
        let (counts_by_method, last) = history.entry(p.user.as_str()).or_default();
        let total: u32 = counts_by_method.values().sum();
        for m in &methods {
            let is_last = f64::from(u8::from(*last == Some(*m)));
            let share = if total == 0 {
                0.0
            } else {
                f64::from(*counts_by_method.get(m).unwrap_or(&0)) / f64::from(total)
            };
            xs.push([is_last, share]);
            ys.push(f64::from(u8::from(*m == chosen)));
        }
        *counts_by_method.entry(chosen).or_default() += 1;
        *last = Some(chosen);
    }
    let mut heads = Vec::new();
    let mut payment = None;
    let features = vec![
        Feature {
            name: "your_usual".into(),
            source: "candidate.isLast".into(),
            transform: Transform::Raw,
            label: Some("Your usual".into()),
        },
        Feature {
            name: "share_of_orders".into(),
            source: "candidate.usedShare".into(),
            transform: Transform::Raw,
            label: Some("Your usual".into()),
        },
    ];
    if !xs.is_empty() {
        let (w, b) = fit(&xs, &ys);
        heads.push(Head {
            name: "payment".into(),
            kind: HeadKind::Linear(Linear {
                n_features: 2,
                link: Link::Logistic,
                intercepts: vec![b],
                weights: w.to_vec(),
            }),
        });
        payment = Some(Surface {
            head: Some("payment".into()),
            ..Surface::default()
        });
    }
    let mut cross_sell = None;
    if counts.baskets > 0 {
        heads.push(Head {
            name: "cooccur".into(),
            kind: HeadKind::Cooccur(cooccur::build(&counts, &cooccur::Catalog::default(), o)?),
        });
        cross_sell = Some(Surface {
            cooccur: Some("cooccur".into()),
            ..Surface::default()
        });
    }
    Ok(Trained {
        bundle: Bundle {
            id: "trained".into(),
            version: created_ms.to_string(),
            created_ms,
            features: if payment.is_some() {
                features
            } else {
                Vec::new()
            },
            heads,
            payment,
            cross_sell,
            ..Bundle::default()
        },
        purchases: purchases.len(),
        baskets: counts.baskets,
        examples: xs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkout_personalizer::rank::PaymentMethod;
    use checkout_personalizer::{MemoryStore, Options, Tracker, Value};

    #[test]
    fn shoppers_who_stick_to_a_method_teach_the_model_to_put_it_first() {
        let mut s = String::new();
        for u in 0..40 {
            let method = ["card", "paypal", "klarna"][u % 3];
            for k in 0..4 {
                s += &format!(
                    "{{\"user\":\"u{u}\",\"type\":\"purchase\",\"ts\":{},\"payment_type\":\"{method}\",\"items\":[{{\"item_id\":\"milk\"}},{{\"item_id\":\"{}\"}}]}}\n",
                    1000 * k + u,
                    if k % 2 == 0 { "bread" } else { "eggs" }
                );
            }
        }
        let t = train(
            &s,
            &cooccur::Options {
                min_support: 1,
                ..Default::default()
            },
            7,
        )
        .unwrap();
        assert_eq!((t.purchases, t.baskets), (160, 160));
        let bytes = crate::encode_checked(&t.bundle).unwrap();
        let HeadKind::Linear(l) = &t.bundle.heads[0].kind else {
            panic!()
        };
        assert!(
            l.weights[0] > 1.0,
            "the last method matters: {:?}",
            l.weights
        );
        // The trained bundle, in the tracker: a paypal shopper sees paypal first.
        let mut tr = Tracker::from_options(MemoryStore::new(), &Options::default(), 1, 0);
        tr.load_model(&bytes).unwrap();
        let v: Value =
            serde_json::from_str(r#"{"type":"purchase","ts":5,"payment_type":"paypal","value":3}"#)
                .unwrap();
        tr.track(&v, 10).unwrap();
        let methods: Vec<PaymentMethod> = ["card", "klarna", "paypal"]
            .iter()
            .map(|m| PaymentMethod {
                id: (*m).into(),
                kind: None,
            })
            .collect();
        assert_eq!(tr.rank_payment_methods(&methods, 20).items[0].id, "paypal");
        let cross = tr.rank_cross_sells(
            &checkout_personalizer::rank::CrossSellRequest {
                items: Some(vec!["milk".into()]),
                limit: Some(2),
                candidates: None,
            },
            20,
        );
        assert_eq!(
            cross
                .items
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>(),
            ["bread", "eggs"]
        );
    }
}
