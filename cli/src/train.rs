//! `personalizer train EVENTS.jsonl -o OUT.cpm`: closes the loop collect → train → ship.
//!
//! From the JSON Lines `exportEvents` sends: a co-occurrence head from purchase baskets
//! (the items of each purchase event), and a payment head — a logistic regression fitted on
//! every purchase that names its payment method (the chosen method is the positive, the
//! other methods seen in the data the negatives), with each shopper's history replayed in
//! time order so features only use the past. Its features:
//! - the shopper's own history: `candidate.isLast`, `candidate.usedShare`;
//! - the method's overall popularity: one-hot `candidate.id`;
//! - where and on what it is popular: one-hot `candidate.idCountry` and `candidate.idOs`
//!   for every (method, country) and (method, OS) pair seen in at least
//!   [`MIN_PAIR_PURCHASES`] purchases. `country` and `os` are optional fields of a purchase
//!   line that the collector adds from the request (geo-IP, user agent); without them the
//!   head is history plus popularity.
//!
//! Deterministic: same events, same bundle.

use crate::cooccur::{self, Counts};
use crate::{err, Result};
use checkout_personalizer::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// A (method, country) or (method, OS) pair needs this many purchases to get a weight.
pub const MIN_PAIR_PURCHASES: usize = 5;

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
    country: Option<String>,
    os: Option<String>,
    items: Vec<String>,
}

fn read(jsonl: &str) -> Result<Vec<Purchase>> {
    let (lines, _) = crate::exports::read(jsonl)?;
    let mut out: Vec<Purchase> = lines
        .iter()
        .filter(|l| l.kind() == Some("purchase"))
        .map(|l| {
            let text = |k: &str| l.str(k).map(str::to_owned);
            Purchase {
                user: l.user().to_owned(),
                ts: l.ts().unwrap_or(0),
                payment: text("payment_type"),
                country: text("country").map(|c| c.to_ascii_uppercase()),
                os: text("os"),
                items: l
                    .fields
                    .get("items")
                    .and_then(|a| a.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|i| i["item_id"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.ts.cmp(&b.ts).then(a.user.cmp(&b.user)));
    Ok(out)
}

/// One training row: its non-zero features (column, value) and its label.
type Row = (Vec<(u32, f64)>, f64);

/// L2-regularised logistic regression on sparse rows, by full-batch Adam (deterministic).
/// Returns the weights and the intercept.
fn fit(rows: &[Row], n_features: usize) -> (Vec<f64>, f64) {
    const STEPS: usize = 400;
    const RATE: f64 = 0.05;
    const L2: f64 = 1e-4;
    let n = rows.len().max(1) as f64;
    let dim = n_features + 1; // the last slot is the intercept
    let (mut w, mut m, mut v) = (vec![0.0; dim], vec![0.0; dim], vec![0.0; dim]);
    let mut g = vec![0.0; dim];
    for step in 1..=STEPS {
        g.iter_mut().for_each(|x| *x = 0.0);
        for (x, y) in rows {
            let z = w[n_features] + x.iter().map(|&(j, v)| w[j as usize] * v).sum::<f64>();
            let e = 1.0 / (1.0 + (-z).exp()) - y;
            for &(j, v) in x {
                g[j as usize] += e * v;
            }
            g[n_features] += e;
        }
        let (b1, b2) = (0.9f64, 0.999f64);
        for j in 0..dim {
            let reg = if j < n_features { L2 * w[j] } else { 0.0 };
            let gj = g[j] / n + reg;
            m[j] = b1 * m[j] + (1.0 - b1) * gj;
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj;
            let mh = m[j] / (1.0 - b1.powi(step as i32));
            let vh = v[j] / (1.0 - b2.powi(step as i32));
            w[j] -= RATE * mh / (vh.sqrt() + 1e-8);
        }
    }
    let b = w.pop().unwrap_or(0.0);
    (w, b)
}

fn one_hot(name: String, source: &str, value: String, label: &str) -> Feature {
    Feature {
        name,
        source: source.into(),
        transform: Transform::OneHot { value },
        label: Some(label.into()),
    }
}

/// The payment head's features and its training rows (history replayed in time order).
fn payment_rows(purchases: &[Purchase]) -> (Vec<Feature>, Vec<Row>) {
    let paid: Vec<(&Purchase, &str)> = purchases
        .iter()
        .filter_map(|p| p.payment.as_deref().map(|m| (p, m)))
        .collect();
    let methods: BTreeSet<&str> = paid.iter().map(|&(_, m)| m).collect();
    let mut pair_count: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for &(p, m) in &paid {
        if let Some(c) = &p.country {
            *pair_count.entry(("country", m, c)).or_default() += 1;
        }
        if let Some(o) = &p.os {
            *pair_count.entry(("os", m, o)).or_default() += 1;
        }
    }
    let mut features = vec![
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
    let mut column: BTreeMap<(&str, &str, &str), u32> = BTreeMap::new();
    for m in &methods {
        column.insert(("id", m, ""), features.len() as u32);
        features.push(one_hot(
            format!("is_{m}"),
            "candidate.id",
            (*m).into(),
            "Popular",
        ));
    }
    for (&(kind, m, k), &n) in &pair_count {
        if n < MIN_PAIR_PURCHASES {
            continue;
        }
        column.insert((kind, m, k), features.len() as u32);
        features.push(if kind == "country" {
            one_hot(
                format!("{m}_in_{k}"),
                "candidate.idCountry",
                format!("{m}|{k}"),
                "Popular in your country",
            )
        } else {
            one_hot(
                format!("{m}_on_{k}"),
                "candidate.idOs",
                format!("{m}|{k}"),
                "Popular on your device",
            )
        });
    }
    let mut rows = Vec::new();
    let mut history: BTreeMap<&str, (BTreeMap<&str, u32>, Option<&str>)> = BTreeMap::new();
    for &(p, chosen) in &paid {
        let (counts_by_method, last) = history.entry(p.user.as_str()).or_default();
        let total: u32 = counts_by_method.values().sum();
        for m in &methods {
            let mut x = Vec::with_capacity(5);
            if *last == Some(*m) {
                x.push((0, 1.0));
            }
            if total > 0 {
                let share = f64::from(*counts_by_method.get(m).unwrap_or(&0)) / f64::from(total);
                if share > 0.0 {
                    x.push((1, share));
                }
            }
            let keys = [
                Some(("id", *m, "")),
                p.country.as_deref().map(|c| ("country", *m, c)),
                p.os.as_deref().map(|o| ("os", *m, o)),
            ];
            x.extend(
                keys.into_iter()
                    .flatten()
                    .filter_map(|k| column.get(&k))
                    .map(|&j| (j, 1.0)),
            );
            rows.push((x, f64::from(u8::from(*m == chosen))));
        }
        *counts_by_method.entry(chosen).or_default() += 1;
        *last = Some(chosen);
    }
    (features, rows)
}

/// The purchases' baskets (ids deduplicated), in export order.
pub fn baskets(jsonl: &str) -> Result<Vec<Vec<String>>> {
    Ok(read(jsonl)?
        .into_iter()
        .map(|p| {
            let mut b = p.items;
            b.sort_unstable();
            b.dedup();
            b
        })
        .filter(|b| !b.is_empty())
        .collect())
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
    let (mut features, rows) = payment_rows(&purchases);
    let mut heads = Vec::new();
    let mut payment = None;
    if rows.is_empty() {
        features.clear();
    } else {
        let (w, b) = fit(&rows, features.len());
        heads.push(Head {
            name: "payment".into(),
            kind: HeadKind::Linear(Linear {
                n_features: features.len() as u32,
                link: Link::Logistic,
                intercepts: vec![b],
                weights: w,
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
            features,
            heads,
            payment,
            cross_sell,
            ..Bundle::default()
        },
        purchases: purchases.len(),
        baskets: counts.baskets,
        examples: rows.len(),
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
        let mut tr = Tracker::for_replay(MemoryStore::new(), &Options::default(), 1, 0);
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
