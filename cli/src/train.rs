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

use crate::choice::Choices;
use crate::cooccur::{self, Counts};
use crate::{err, Result};
use checkout_personalizer::event::PAYMENT_LIST;
use checkout_personalizer::model::features::fnv1a;
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
    pub payment_fit: Option<PaymentFit>,
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
    /// The page's type of each shown id (`""`: none), or empty.
    types: Vec<String>,
}

/// The context pairs, in `pair_keys` order: source, label. The first five for every
/// shopper; their `…First` twins only for a shopper's first payment (no history yet), so
/// the head learns how much more context matters before a habit exists; the last is the
/// method's type (not the method) by basket-value band.
const PAIRS: [(&str, &str); 11] = [
    ("candidate.idCountry", "Popular in your country"),
    ("candidate.idOs", "Popular on your device"),
    ("candidate.idDevice", "Popular on your device"),
    ("candidate.idBrowser", "Works in your browser"),
    ("candidate.idValueBand", "Popular for baskets like yours"),
    ("candidate.idCountryFirst", "Popular in your country"),
    ("candidate.idOsFirst", "Popular on your device"),
    ("candidate.idDeviceFirst", "Popular on your device"),
    ("candidate.idBrowserFirst", "Works in your browser"),
    (
        "candidate.idValueBandFirst",
        "Popular for baskets like yours",
    ),
    ("candidate.typeValueBand", "Popular for baskets like yours"),
];
/// The `PAIRS` entry of method type × basket-value band (keyed by type, not method).
const TYPE_VALUE: usize = 10;

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
                let texts = |k: &str| -> Vec<String> {
                    x[k].as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|i| i.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (shown, mut types) = (texts("shown"), texts("types"));
                if types.len() != shown.len() {
                    types.clear();
                }
                if !shown.is_empty() {
                    offers.push(Offer {
                        user: l.user().to_owned(),
                        ts: l.ts().unwrap_or(0),
                        shown,
                        types,
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

/// The history features, first in the feature list: isLast, usedShare, usedCount,
/// daysSinceUsed, streak.
const N_HISTORY: usize = 5;

/// A context pair whose weight stays below this after a first fit is dropped (and the rest
/// refitted): most pairs say nothing the method's own weight does not, and each costs
/// bundle bytes in every shopper's browser.
pub const PRUNE_BELOW: f64 = 0.1;

/// Choices of shoppers in this group (of ten, by a hash of the pseudonymous id) are held
/// out to choose the habit scales.
pub(crate) const HELD_OUT: u32 = 0;
/// The habit scales tried: the weights of `candidate.isLast` and `candidate.streak` (the
/// last method) and of the usage history (share, count, days since) are multiplied by
/// these, and the pair whose ranking puts the taken method first most often on held-out
/// shoppers is kept. A conditional logit fits likelihood, not the first place; and a
/// habit (repeat the last method, whatever else is on offer) is a mixture a logit can
/// only approximate, so its fitted habit weights tend to be too modest for top-1.
const LAST_SCALES: [f64; 6] = [0.75, 1.0, 1.25, 1.5, 2.0, 3.0];
const HISTORY_SCALES: [f64; 4] = [0.5, 0.75, 1.0, 1.5];

/// What the payment fit chose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaymentFit {
    pub last_scale: f64,
    pub history_scale: f64,
    /// Top-1 on the held-out shoppers' choices with those scales, and with none.
    pub held_out_top1: f64,
    pub held_out_top1_unscaled: f64,
}

fn scaled(w: &[f64], last: f64, history: f64) -> Vec<f64> {
    let mut w = w.to_vec();
    for (j, x) in w.iter_mut().enumerate().take(N_HISTORY) {
        *x *= if j == 0 || j == 4 { last } else { history };
    }
    w
}

/// Fits on nine shoppers in ten, drops the context pairs with |weight| <
/// [`PRUNE_BELOW`], refits, chooses the habit scales on the tenth, and refits on everyone
/// with the features kept. History features and the methods' own weights always stay.
fn fit_payment(
    features: &mut Vec<Feature>,
    choices: &mut Choices,
    l2: f64,
) -> (Vec<f64>, PaymentFit) {
    let fitted = |g: u32| g != HELD_OUT;
    let held = |g: u32| g == HELD_OUT;
    let w = choices.fit(features.len(), l2, &fitted);
    let keep: Vec<bool> = features
        .iter()
        .zip(&w)
        .map(|(f, w)| !PAIRS.iter().any(|p| p.0 == f.source) || w.abs() >= PRUNE_BELOW)
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
    choices.remap(&column);
    let w = choices.fit(features.len(), l2, &fitted);
    let unscaled = choices.top1(&w, &held);
    let mut best = PaymentFit {
        last_scale: 1.0,
        history_scale: 1.0,
        held_out_top1: unscaled,
        held_out_top1_unscaled: unscaled,
    };
    for last in LAST_SCALES {
        for history in HISTORY_SCALES {
            let t = choices.top1(&scaled(&w, last, history), &held);
            if t > best.held_out_top1 + 1e-12 {
                (best.last_scale, best.history_scale, best.held_out_top1) = (last, history, t);
            }
        }
    }
    let w = choices.fit(features.len(), l2, &|_| true);
    (scaled(&w, best.last_scale, best.history_scale), best)
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
fn payment_choices(purchases: &[Purchase], offers: &[Offer]) -> (Vec<Feature>, Choices, usize) {
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
    debug_assert_eq!(features.len(), N_HISTORY);
    let mut id_column: BTreeMap<&str, u32> = BTreeMap::new();
    for m in &methods {
        id_column.insert(m, features.len() as u32);
        features.push(one_hot("candidate.id", (*m).into(), "Popular"));
    }
    // Method types, as the pages' list records give them: a type's weight and its
    // basket-value bands carry over to methods of that type the data has little of.
    let mut type_of: BTreeMap<&str, &str> = BTreeMap::new();
    for o in offers {
        for (m, t) in o.shown.iter().zip(&o.types) {
            if !t.is_empty() {
                type_of.entry(m.as_str()).or_insert(t.as_str());
            }
        }
    }
    let mut type_column: BTreeMap<&str, u32> = BTreeMap::new();
    for t in type_of.values().copied().collect::<BTreeSet<&str>>() {
        type_column.insert(t, features.len() as u32);
        features.push(one_hot("candidate.type", t.into(), "Popular"));
    }
    for (_, m, keys) in &paid {
        if let (Some(t), Some(k)) = (type_of.get(m), &keys[4]) {
            *pair_count.entry((TYPE_VALUE, t, k.as_str())).or_default() += 1;
        }
    }
    let mut pair_column: BTreeMap<(usize, &str, &str), u32> = BTreeMap::new();
    for (&(kind, m, k), &n) in &pair_count {
        if n < MIN_PAIR_PURCHASES {
            continue;
        }
        let (source, label) = PAIRS[kind];
        pair_column.insert((kind, m, k), features.len() as u32);
        features.push(one_hot(source, format!("{m}|{k}"), label));
    }
    // Without a recorded list, the choice set is every method seen (today's behaviour for
    // history from before list records).
    let all: Vec<&str> = methods.iter().copied().collect();
    let mut choices = Choices::default();
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
            let kind = offered
                .and_then(|o| o.types.get(k))
                .map(String::as_str)
                .filter(|t| !t.is_empty())
                .or_else(|| type_of.get(m).copied());
            if let Some(t) = kind {
                if let Some(&j) = type_column.get(t) {
                    x.push((j, 1.0));
                }
                if let Some(&j) = keys[4]
                    .as_deref()
                    .and_then(|k| pair_column.get(&(TYPE_VALUE, t, k)))
                {
                    x.push((j, 1.0));
                }
            }
            for (kind, k) in keys.iter().enumerate() {
                if let Some(&j) = k.as_deref().and_then(|k| pair_column.get(&(kind, *m, k))) {
                    x.push((j, 1.0));
                }
            }
            alts.push(x);
        }
        if alts.len() > 1 {
            choices.push(&alts, taken, fnv1a(&p.user) % 10);
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

/// How the payment head is learned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaymentOptions {
    /// The conditional logit's L2 penalty (per choice).
    pub l2: f64,
    /// Hand the same choice sets to LightGBM's lambdarank (Python `lightgbm` must be
    /// installed) and ship its trees instead of the logit.
    pub lightgbm: bool,
}

impl Default for PaymentOptions {
    fn default() -> Self {
        PaymentOptions {
            l2: 1e-4,
            lightgbm: false,
        }
    }
}

pub fn train(jsonl: &str, o: &cooccur::Options, created_ms: i64) -> Result<Trained> {
    train_with(jsonl, o, &PaymentOptions::default(), created_ms)
}

/// [`train`] with the payment head's options.
pub fn train_with(
    jsonl: &str,
    o: &cooccur::Options,
    po: &PaymentOptions,
    created_ms: i64,
) -> Result<Trained> {
    let l2 = po.l2;
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
    let mut payment_fit = None;
    if choices.is_empty() {
        features.clear();
    } else {
        let (w, fit) = fit_payment(&mut features, &mut choices, l2);
        payment_fit = Some(fit);
        let kind = if po.lightgbm {
            HeadKind::Trees(choices.lambdarank(features.len(), HELD_OUT, false)?.0)
        } else {
            HeadKind::Linear(Linear {
                n_features: features.len() as u32,
                link: Link::Logistic,
                intercepts: vec![0.0],
                weights: w,
            })
        };
        heads.push(Head {
            name: "payment".into(),
            kind,
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
        payment_fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkout_personalizer::rank::PaymentMethod;
    use checkout_personalizer::{MemoryStore, Options, Tracker, Value};

    /// Purchases join the list the shopper was offered (six hours back at most); the
    /// basket's value decides between card and BNPL, and the trained bundle ranks so in the
    /// module.
    #[test]
    fn offered_lists_and_basket_value_are_learned() {
        let mut s = String::new();
        let mut listed = 0;
        for u in 0..300 {
            for k in 0..3i64 {
                let ts = 10_000_000_000 + k * 100_000_000 + u;
                let value = [20.0, 60.0, 400.0, 900.0][((u + k) % 4) as usize];
                let method = if value > 200.0 { "klarna" } else { "card" };
                // Every third shopper's first list is older than the window: not joined.
                let list_ts = if k == 0 && u % 3 == 0 {
                    ts - 7 * 3_600_000
                } else {
                    ts - 60_000
                };
                listed += usize::from(!(k == 0 && u % 3 == 0));
                s += &format!(
                    "{{\"user\":\"u{u}\",\"type\":\"exposure\",\"ts\":{list_ts},\"exposure\":{{\"experiment\":\"payment_methods\",\"arm\":\"\",\"variation\":0,\"shown\":[\"card\",\"klarna\"],\"types\":[\"card\",\"bnpl\"]}}}}\n"
                );
                s += &format!(
                    "{{\"user\":\"u{u}\",\"type\":\"purchase\",\"ts\":{ts},\"currency\":\"EUR\",\"value\":{value},\"payment_type\":\"{method}\",\"country\":\"DE\"}}\n"
                );
            }
        }
        // A third method, bought elsewhere and never offered here, is in the fallback sets only.
        s += "{\"user\":\"x\",\"type\":\"purchase\",\"ts\":5,\"payment_type\":\"paypal\"}\n";
        let t = train(&s, &cooccur::Options::default(), 7).unwrap();
        assert_eq!((t.choices, t.with_offers), (901, listed));
        assert!(t
            .bundle
            .features
            .iter()
            .any(|f| f.source == "candidate.idValueBand" || f.source == "candidate.typeValueBand"));
        let bytes = crate::encode_checked(&t.bundle).unwrap();
        let rank = |value: f64| {
            let mut tr = Tracker::for_replay(MemoryStore::new(), &Options::default(), 1, 0);
            tr.load_model(&bytes).unwrap();
            let basket: Value = serde_json::from_value(serde_json::json!({"type": "begin_checkout",
                "currency": "EUR", "value": value, "items": [{"item_id": "b", "price": value, "quantity": 1}]}))
            .unwrap();
            tr.track(&basket, 10).unwrap();
            let methods = [("card", "card"), ("klarna", "bnpl")].map(|(id, kind)| PaymentMethod {
                id: id.into(),
                kind: Some(kind.into()),
            });
            tr.rank_payment_methods(&methods, 20).items[0].id.clone()
        };
        assert_eq!(rank(500.0), "klarna");
        assert_eq!(rank(30.0), "card");
    }

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
