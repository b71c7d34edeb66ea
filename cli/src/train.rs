//! `personalizer train EVENTS.jsonl -o OUT.cpm`: closes the loop collect → train → ship.
//!
//! From the JSON Lines `exportEvents` sends: a co-occurrence head from purchase baskets
//! (the items of each purchase event), and a payment head: a conditional logit over the
//! methods each shopper was offered, with each shopper's history replayed in time order so
//! features only use the past.
//!
//! **What was offered.** The module records every ranked payment list (an `exposure` line
//! whose `experiment` is `payment_methods` and whose `shown` lists the ids in shown order).
//! A purchase's choice set is the latest such list of the same shopper in the
//! [`OFFER_WINDOW_MS`] before it that holds the method paid with; a purchase without one
//! (history from before list records, or a list the page never ranked) falls back to every
//! method seen in the data. [`Trained::with_offers`] says how many choices had a list.
//!
//! **Features.**
//! - the shopper's own history: `candidate.isLast`, `candidate.usedShare`,
//!   `candidate.usedCount` (÷ 10), `candidate.daysSinceUsed` (÷ 365), `candidate.streak`
//!   (÷ 10: the latest orders in a row paid with it, i.e. how set the habit is);
//! - the method's overall popularity: one-hot `candidate.id`;
//! - method-specific effects of where, on what and for how much: one-hot
//!   `candidate.idCountry`, `candidate.idOs`, `candidate.idDevice`, `candidate.idBrowser`
//!   and `candidate.idValueBand` (basket-value bands per currency,
//!   `checkout_personalizer::rank::signals::value_band`) for every pair seen in at least
//!   [`MIN_PAIR_PURCHASES`] purchases. `country`, `os`, `device` and `browser` are optional
//!   fields of a purchase line that the collector adds from the request (geo-IP, user
//!   agent); without them the head is history, value and popularity.
//!
//! Deterministic: same events, same bundle.

use crate::cooccur::{self, Counts};
use crate::{err, Result};
use checkout_personalizer::event::PAYMENT_LIST;
use checkout_personalizer::model::format;
use checkout_personalizer::model::*;
use checkout_personalizer::rank::signals::value_band;
use std::collections::{BTreeMap, BTreeSet};

/// A (method, context) pair needs this many purchases to get a weight.
pub const MIN_PAIR_PURCHASES: usize = 5;
/// How long before a purchase a ranked payment list counts as what the shopper was offered.
pub const OFFER_WINDOW_MS: i64 = 6 * 3_600_000;

pub struct Trained {
    pub bundle: Bundle,
    pub purchases: usize,
    pub baskets: u64,
    /// Payment choices the head was fitted on, and how many of them had a recorded list.
    pub choices: usize,
    pub with_offers: usize,
}

struct Purchase {
    user: String,
    ts: i64,
    payment: Option<String>,
    value: f64,
    currency: Option<String>,
    /// What the collector added: country, os, device, browser.
    context: [Option<String>; 4],
    items: Vec<String>,
}

/// A ranked payment list: who, when, the ids shown.
struct Offer {
    user: String,
    ts: i64,
    shown: Vec<String>,
}

/// The context pairs, in `pair_keys` order: kind, source, label.
/// The first five for every shopper; their `…First` twins only for a shopper's first
/// payment (no history yet), so the head learns how much more context matters before a
/// habit exists.
const PAIRS: [(&str, &str, &str); 10] = [
    ("country", "candidate.idCountry", "Popular in your country"),
    ("os", "candidate.idOs", "Popular on your device"),
    ("device", "candidate.idDevice", "Popular on your device"),
    ("browser", "candidate.idBrowser", "Works in your browser"),
    (
        "value",
        "candidate.idValueBand",
        "Popular for baskets like yours",
    ),
    (
        "country",
        "candidate.idCountryFirst",
        "Popular in your country",
    ),
    ("os", "candidate.idOsFirst", "Popular on your device"),
    (
        "device",
        "candidate.idDeviceFirst",
        "Popular on your device",
    ),
    (
        "browser",
        "candidate.idBrowserFirst",
        "Works in your browser",
    ),
    (
        "value",
        "candidate.idValueBandFirst",
        "Popular for baskets like yours",
    ),
];

fn read(jsonl: &str) -> Result<(Vec<Purchase>, Vec<Offer>)> {
    let (lines, _) = crate::exports::read(jsonl)?;
    let mut out: Vec<Purchase> = Vec::new();
    let mut offers: Vec<Offer> = Vec::new();
    for l in &lines {
        let text = |k: &str| l.str(k).map(str::to_owned);
        match l.kind() {
            Some("purchase") => out.push(Purchase {
                user: l.user().to_owned(),
                ts: l.ts().unwrap_or(0),
                payment: text("payment_type"),
                value: l.purchase_value(),
                currency: text("currency").map(|c| c.to_ascii_uppercase()),
                context: [
                    text("country").map(|c| c.to_ascii_uppercase()),
                    text("os"),
                    text("device"),
                    text("browser"),
                ],
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
            }),
            Some("exposure") => {
                let x = &l.fields["exposure"];
                if x["experiment"].as_str() != Some(PAYMENT_LIST) {
                    continue;
                }
                let shown: Vec<String> = x["shown"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|i| i.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if !shown.is_empty() {
                    offers.push(Offer {
                        user: l.user().to_owned(),
                        ts: l.ts().unwrap_or(0),
                        shown,
                    });
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| a.ts.cmp(&b.ts).then(a.user.cmp(&b.user)));
    offers.sort_by(|a, b| a.user.cmp(&b.user).then(a.ts.cmp(&b.ts)));
    Ok((out, offers))
}

/// One alternative: its non-zero features (column, value).
type Alt = Vec<(u32, f64)>;
/// One choice: the alternatives offered and which one was taken.
type Choice = (Vec<Alt>, usize);

/// L2-regularised conditional logit (softmax over each choice's alternatives) by
/// full-batch Adam: deterministic. No intercept: it cancels within a choice.
fn fit(choices: &[Choice], n_features: usize, l2: f64) -> Vec<f64> {
    const STEPS: usize = 300;
    const RATE: f64 = 0.05;
    let n = choices.len().max(1) as f64;
    let (mut w, mut m, mut v) = (
        vec![0.0; n_features],
        vec![0.0; n_features],
        vec![0.0; n_features],
    );
    let mut g = vec![0.0; n_features];
    let mut z = Vec::new();
    for step in 1..=STEPS {
        g.iter_mut().for_each(|x| *x = 0.0);
        for (alts, chosen) in choices {
            z.clear();
            z.extend(
                alts.iter()
                    .map(|x| x.iter().map(|&(j, v)| w[j as usize] * v).sum::<f64>()),
            );
            let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = z.iter().map(|s| (s - top).exp()).sum();
            for (k, x) in alts.iter().enumerate() {
                let e = (z[k] - top).exp() / total - f64::from(u8::from(k == *chosen));
                for &(j, v) in x {
                    g[j as usize] += e * v;
                }
            }
        }
        let (b1, b2) = (0.9f64, 0.999f64);
        for j in 0..n_features {
            let gj = g[j] / n + l2 * w[j];
            m[j] = b1 * m[j] + (1.0 - b1) * gj;
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj;
            let mh = m[j] / (1.0 - b1.powi(step as i32));
            let vh = v[j] / (1.0 - b2.powi(step as i32));
            w[j] -= RATE * mh / (vh.sqrt() + 1e-8);
        }
    }
    w
}

/// A context pair whose weight stays below this after a first fit is dropped (and the rest
/// refitted): most pairs say nothing the method's own weight does not, and each costs
/// bundle bytes in every shopper's browser.
pub const PRUNE_BELOW: f64 = 0.1;

/// Fits, drops the context pairs with |weight| < [`PRUNE_BELOW`], refits on what is left.
/// History features and the methods' own weights always stay.
fn fit_pruned(features: &mut Vec<Feature>, choices: &mut [Choice], l2: f64) -> Vec<f64> {
    let w = fit(choices, features.len(), l2);
    let keep: Vec<bool> = features
        .iter()
        .zip(&w)
        .map(|(f, w)| !PAIRS.iter().any(|p| p.1 == f.source) || w.abs() >= PRUNE_BELOW)
        .collect();
    let mut column = vec![u32::MAX; features.len()];
    let mut next = 0;
    for (j, &k) in keep.iter().enumerate() {
        if k {
            column[j] = next;
            next += 1;
        }
    }
    let mut k = keep.iter();
    features.retain(|_| *k.next().unwrap_or(&false));
    for (alts, _) in choices.iter_mut() {
        for x in alts.iter_mut() {
            x.retain_mut(|(j, _)| {
                *j = column[*j as usize];
                *j != u32::MAX
            });
        }
    }
    fit(choices, features.len(), l2)
}

/// A one-hot feature under its default name (bundles write these in runs, a few bytes each).
fn one_hot(source: &str, value: String, label: &str) -> Feature {
    Feature {
        name: format::one_hot_name(source, &value),
        source: source.into(),
        transform: Transform::OneHot { value },
        label: Some(label.into()),
    }
}

fn history_feature(name: &str, source: &str, scale: f64, label: &str) -> Feature {
    Feature {
        name: name.into(),
        source: source.into(),
        transform: if scale == 1.0 {
            Transform::Raw
        } else {
            Transform::MinMax {
                min: 0.0,
                max: scale,
            }
        },
        label: Some(label.into()),
    }
}

/// The context texts of a purchase, in `PAIRS` order (`first`: the shopper's first
/// payment, which the twins see).
fn pair_keys(p: &Purchase, first: bool) -> [Option<String>; 10] {
    let [c, o, d, b] = p.context.clone();
    let v = value_band(p.value, p.currency.as_deref());
    let plain = [c, o, d, b, v];
    let twins = plain.clone().map(|k| k.filter(|_| first));
    let [c, o, d, b, v] = plain;
    let [c1, o1, d1, b1, v1] = twins;
    [c, o, d, b, v, c1, o1, d1, b1, v1]
}

/// The payment head's features and its choices (history replayed in time order);
/// and how many choices had a recorded list.
fn payment_choices(purchases: &[Purchase], offers: &[Offer]) -> (Vec<Feature>, Vec<Choice>, usize) {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let paid: Vec<(&Purchase, &str, [Option<String>; 10])> = purchases
        .iter()
        .filter_map(|p| {
            let m = p.payment.as_deref()?;
            let first = seen.insert(p.user.as_str());
            Some((p, m, pair_keys(p, first)))
        })
        .collect();
    let methods: BTreeSet<&str> = paid.iter().map(|&(_, m, _)| m).collect();
    let mut pair_count: BTreeMap<(usize, &str, &str), usize> = BTreeMap::new();
    for (_, m, keys) in &paid {
        for (kind, k) in keys.iter().enumerate() {
            if let Some(k) = k {
                *pair_count.entry((kind, m, k.as_str())).or_default() += 1;
            }
        }
    }
    let mut features = vec![
        history_feature("your_last", "candidate.isLast", 1.0, "Your usual"),
        history_feature("share_of_orders", "candidate.usedShare", 1.0, "Your usual"),
        history_feature("times_used", "candidate.usedCount", 10.0, "Your usual"),
        history_feature(
            "days_since_used",
            "candidate.daysSinceUsed",
            365.0,
            "Your usual",
        ),
        history_feature("streak", "candidate.streak", 10.0, "Your usual"),
    ];
    let mut id_column: BTreeMap<&str, u32> = BTreeMap::new();
    for m in &methods {
        id_column.insert(m, features.len() as u32);
        features.push(one_hot("candidate.id", (*m).into(), "Popular"));
    }
    let mut pair_column: BTreeMap<(usize, &str, &str), u32> = BTreeMap::new();
    for (&(kind, m, k), &n) in &pair_count {
        if n < MIN_PAIR_PURCHASES {
            continue;
        }
        let (_, source, label) = PAIRS[kind];
        pair_column.insert((kind, m, k), features.len() as u32);
        features.push(one_hot(source, format!("{m}|{k}"), label));
    }
    // Without a recorded list, the choice set is every method seen (today's behaviour for
    // history from before list records).
    let all: Vec<&str> = methods.iter().copied().collect();
    let mut choices = Vec::new();
    let mut with_offers = 0;
    // Per shopper: uses per method, last method, last use per method, orders in a row
    // paid with the last method.
    type History<'a> = (
        BTreeMap<&'a str, u32>,
        Option<&'a str>,
        BTreeMap<&'a str, i64>,
        u32,
    );
    let mut history: BTreeMap<&str, History> = BTreeMap::new();
    for (p, chosen, keys) in &paid {
        let offered =
            offers_before(offers, &p.user, p.ts).find(|o| o.shown.iter().any(|m| m == chosen));
        let set: Vec<&str> = match offered {
            Some(o) => {
                with_offers += 1;
                let mut s: Vec<&str> = o.shown.iter().map(String::as_str).collect();
                s.dedup();
                s
            }
            None => all.clone(),
        };
        let (counts, last, last_use, streak) = history.entry(p.user.as_str()).or_default();
        let total: u32 = counts.values().sum();
        let mut alts = Vec::with_capacity(set.len());
        let mut taken = 0;
        for (k, m) in set.iter().enumerate() {
            if m == chosen {
                taken = k;
            }
            let mut x: Alt = Vec::with_capacity(8);
            if *last == Some(*m) {
                x.push((0, 1.0));
                x.push((4, f64::from(*streak) / 10.0));
            }
            let used = counts.get(m).copied().unwrap_or(0);
            if total > 0 && used > 0 {
                x.push((1, f64::from(used) / f64::from(total)));
                x.push((2, f64::from(used) / 10.0));
            }
            if let Some(t) = last_use.get(m) {
                x.push((3, (p.ts - t).max(0) as f64 / 86_400_000.0 / 365.0));
            }
            if let Some(&j) = id_column.get(m) {
                x.push((j, 1.0));
            }
            for (kind, k) in keys.iter().enumerate() {
                if let Some(&j) = k.as_deref().and_then(|k| pair_column.get(&(kind, *m, k))) {
                    x.push((j, 1.0));
                }
            }
            alts.push(x);
        }
        if alts.len() > 1 {
            choices.push((alts, taken));
        }
        // The chosen method may be one this shopper's list never held: history still counts it.
        let chosen: &str = methods.get(chosen).copied().unwrap_or_default();
        *counts.entry(chosen).or_default() += 1;
        *streak = if *last == Some(chosen) {
            *streak + 1
        } else {
            1
        };
        *last = Some(chosen);
        last_use.insert(chosen, p.ts);
    }
    (features, choices, with_offers)
}

/// The shopper's ranked payment lists in the window before `ts`, latest first.
fn offers_before<'a>(
    offers: &'a [Offer],
    user: &'a str,
    ts: i64,
) -> impl Iterator<Item = &'a Offer> {
    let end = offers.partition_point(|o| (o.user.as_str(), o.ts) <= (user, ts));
    offers[..end]
        .iter()
        .rev()
        .take_while(move |o| o.user == user && o.ts >= ts - OFFER_WINDOW_MS)
}

/// The purchases' baskets (ids deduplicated), in export order.
pub fn baskets(jsonl: &str) -> Result<Vec<Vec<String>>> {
    Ok(read(jsonl)?
        .0
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

/// The payment head's default L2 penalty (per choice).
pub const DEFAULT_L2: f64 = 1e-4;

pub fn train(jsonl: &str, o: &cooccur::Options, created_ms: i64) -> Result<Trained> {
    train_with(jsonl, o, DEFAULT_L2, created_ms)
}

/// [`train`] with the payment head's L2 penalty `l2` (`--payment-l2`).
pub fn train_with(jsonl: &str, o: &cooccur::Options, l2: f64, created_ms: i64) -> Result<Trained> {
    if !(l2.is_finite() && l2 >= 0.0) {
        return Err(err("train: --payment-l2 must be a number ≥ 0"));
    }
    let (purchases, offers) = read(jsonl)?;
    if purchases.is_empty() {
        return Err(err("train: no purchase events"));
    }
    let mut counts = Counts::default();
    for p in &purchases {
        counts.add_basket(p.items.iter().map(String::as_str));
    }
    let (mut features, mut choices, with_offers) = payment_choices(&purchases, &offers);
    let mut heads = Vec::new();
    let mut payment = None;
    if choices.is_empty() {
        features.clear();
    } else {
        let w = fit_pruned(&mut features, &mut choices, l2);
        heads.push(Head {
            name: "payment".into(),
            kind: HeadKind::Linear(Linear {
                n_features: features.len() as u32,
                link: Link::Logistic,
                intercepts: vec![0.0],
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
        choices: choices.len(),
        with_offers,
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
