//! Feature sources and transforms: how a bundle's features turn a decision's inputs into
//! numbers.
//!
//! `Source` is the closed list of paths a bundle may name (checked when it loads);
//! `Inputs` answers them for one decision. The model knows nothing about shoppers: the
//! answers are put together outside it (`rank::Signals`).

use super::{Feature, Transform};
use std::borrow::Cow;

macro_rules! sources {
    ($($variant:ident = $path:literal, $text:literal;)*) => {
        /// Every path a bundle may read. `text` sources yield strings, the others numbers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Source { $($variant,)* }

        impl Source {
            pub const ALL: &'static [Source] = &[$(Source::$variant,)*];

            pub fn parse(path: &str) -> Option<Source> {
                match path { $($path => Some(Source::$variant),)* _ => None }
            }

            pub fn path(self) -> &'static str {
                match self { $(Source::$variant => $path,)* }
            }

            pub fn is_text(self) -> bool {
                match self { $(Source::$variant => $text,)* }
            }
        }
    };
}

sources! {
    CartValue = "cart.value", false;
    CartQuantity = "cart.quantity", false;
    CartLines = "cart.lines", false;
    CartCurrency = "cart.currency", true;
    OrdersTotal = "orders.total", false;
    Orders30 = "orders.last30Days", false;
    Orders90 = "orders.last90Days", false;
    OrdersAverage = "orders.averageValue", false;
    DaysSinceLastOrder = "orders.daysSinceLast", false;
    Sessions = "sessions", false;
    SessionEvents = "session.events", false;
    Abandonments = "funnel.abandonments", false;
    Stage = "funnel.stage", true;
    LocalHour = "context.localHour", false;
    Weekday = "context.weekday", false;
    Device = "context.device", true;
    Os = "context.os", true;
    Country = "context.country", true;
    Language = "context.language", true;
    TrafficSource = "context.trafficSource", true;
    Browser = "context.browser", true;
    LastPayment = "payment.last", true;
    SessionPayment = "payment.session", true;
    PaymentMethodsUsed = "payment.methodsUsed", false;
    LastShipping = "shipping.last", true;
    CandidateId = "candidate.id", true;
    CandidateType = "candidate.type", true;
    CandidatePosition = "candidate.position", false;
    CandidateUsedCount = "candidate.usedCount", false;
    CandidateUsedShare = "candidate.usedShare", false;
    CandidateIsLast = "candidate.isLast", false;
    CandidateIsSession = "candidate.isSession", false;
    CandidateDaysSinceUsed = "candidate.daysSinceUsed", false;
    CandidateStreak = "candidate.streak", false;
    CandidatePrice = "candidate.price", false;
    CandidateCategory = "candidate.category", true;
    CandidateInterest = "candidate.interest", false;
    CandidateHistory = "candidate.history", false;
    CandidateCategoryInterest = "candidate.categoryInterest", false;
    CandidateCooccur = "candidate.cooccur", false;
    CandidatePopularity = "candidate.popularity", false;
    CandidateInCart = "candidate.inCart", false;
    CandidateIdCountry = "candidate.idCountry", true;
    CandidateIdDevice = "candidate.idDevice", true;
    CandidateIdOs = "candidate.idOs", true;
    CandidateIdBrowser = "candidate.idBrowser", true;
    CandidateIdValueBand = "candidate.idValueBand", true;
    CandidateTypeValueBand = "candidate.typeValueBand", true;
    CandidateIdCountryFirst = "candidate.idCountryFirst", true;
    CandidateIdDeviceFirst = "candidate.idDeviceFirst", true;
    CandidateIdOsFirst = "candidate.idOsFirst", true;
    CandidateIdBrowserFirst = "candidate.idBrowserFirst", true;
    CandidateIdValueBandFirst = "candidate.idValueBandFirst", true;
    TraitLoggedIn = "trait.loggedIn", false;
    TraitLoyaltyTier = "trait.loyaltyTier", true;
    TraitCustomerDays = "trait.customerDays", false;
    TraitLanguage = "trait.preferredLanguage", true;
    TraitB2b = "trait.b2b", false;
}

/// What features and conditions read: the answers of one decision (the shopper's profile,
/// the page context and the candidate, put together by `rank::Signals`). Numbers that are
/// unknown are NaN (missing), texts that are unknown are `None`.
pub trait Inputs {
    fn num(&self, s: Source) -> f64;
    fn text(&self, s: Source) -> Option<Cow<'_, str>>;
    /// A combined source's text in pieces (`["paypal", "|", "DE", "", ""]`), so that a
    /// one-hot lookup builds no string: `Some(None)` when a part is missing, `None` for a
    /// source that is not combined (read `text`).
    fn pieces(&self, _s: Source) -> Option<Option<Pieces<'_>>> {
        None
    }
}

/// A text in up to five pieces (the unused ones empty).
pub type Pieces<'a> = [&'a str; 5];

/// `fnv1a` of the pieces' concatenation.
fn fnv1a_pieces(p: &Pieces) -> u32 {
    p.iter()
        .flat_map(|s| s.bytes())
        .fold(0x811c_9dc5u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        })
}

/// Whether `v` is the pieces' concatenation.
fn is_pieces(v: &str, p: &Pieces) -> bool {
    let mut rest = v.as_bytes();
    for piece in p {
        match rest.strip_prefix(piece.as_bytes()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// 32-bit FNV-1a over the UTF-8 bytes (feature hashing).
pub fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The value of one (validated) feature.
pub fn feature_value(f: &Feature, source: Source, s: &impl Inputs) -> f64 {
    if source.is_text() {
        text_feature(f, s.text(source).as_deref())
    } else {
        num_feature(f, s.num(source))
    }
}

fn num_feature(f: &Feature, x: f64) -> f64 {
    match &f.transform {
        Transform::Raw => x,
        Transform::Standard { mean, std } => (x - mean) / std,
        Transform::MinMax { min, max } => (x - min) / (max - min),
        // Text transforms of a number source: nothing to compare (validation refuses them).
        _ => f64::NAN,
    }
}

fn text_feature(f: &Feature, t: Option<&str>) -> f64 {
    let Some(t) = t else { return f64::NAN };
    match &f.transform {
        Transform::OneHot { value } => flag(t == value.as_str()),
        Transform::Code { values } => values
            .iter()
            .position(|v| v == t)
            .map_or(f64::NAN, |i| i as f64),
        Transform::Hash { buckets, bucket } => flag(fnv1a(t) % buckets == *bucket),
        // A number transform of a text source: missing, as `Signals::num` has no number.
        _ => f64::NAN,
    }
}

/// One source's one-hot features: (FNV-1a of the value, value, feature index).
type Table = Vec<(u32, String, u32)>;

/// The one-hot features of each text source, by value: a vector sets the few that match
/// instead of comparing every one (a trained payment head has a thousand).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OneHots {
    /// Per text source: its one-hot features as (FNV-1a of the value, value, feature
    /// index), sorted: a lookup compares hashes, and strings only on a hash match (string
    /// comparison is a byte loop in wasm).
    by_source: Vec<(Source, Table)>,
    /// The features that are not in `by_source`, in order.
    others: Vec<u32>,
}

impl OneHots {
    pub fn new(features: &[Feature], sources: &[Source]) -> OneHots {
        let mut o = OneHots::default();
        let mut member = vec![false; features.len()];
        for (i, (f, &src)) in features.iter().zip(sources).enumerate() {
            let Transform::OneHot { value } = &f.transform else {
                continue;
            };
            if !src.is_text() {
                continue;
            }
            member[i] = true;
            let at = match o.by_source.iter().position(|(k, _)| *k == src) {
                Some(at) => at,
                None => {
                    o.by_source.push((src, Vec::new()));
                    o.by_source.len() - 1
                }
            };
            o.by_source[at]
                .1
                .push((fnv1a(value), value.clone(), i as u32));
        }
        for (_, table) in &mut o.by_source {
            crate::sort::sort_by(table, |a, b| a.cmp(b));
        }
        o.others = (0..features.len() as u32)
            .filter(|&i| !member[i as usize])
            .collect();
        o
    }
}

/// Fills `out` with the feature vector (cleared first). Each text source is read once
/// (a combined source like `candidate.idCountry` builds its text), however many
/// features encode it; one-hot features are set through `one_hots`.
pub fn vector(
    features: &[Feature],
    sources: &[Source],
    one_hots: &OneHots,
    s: &impl Inputs,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.resize(features.len(), 0.0);
    each_value(features, sources, one_hots, s, true, &mut |j, v| {
        if let Some(x) = out.get_mut(j as usize) {
            *x = v;
        }
    });
}

/// Calls `f` with every feature's value that is not a one-hot 0: each other feature's
/// (0 and missing included), 1 for each one-hot that matches, and with `missing`, NaN for
/// each one-hot whose source has no text (a sparse reader skips those: a thousand
/// features can be missing at once). Features in the order of `features`, then one-hot
/// sources.
fn each_value(
    features: &[Feature],
    sources: &[Source],
    one_hots: &OneHots,
    s: &impl Inputs,
    missing: bool,
    f: &mut dyn FnMut(u32, f64),
) {
    let mut texts: Vec<(Source, Option<Cow<'_, str>>)> = Vec::new();
    for &i in &one_hots.others {
        let (Some(feature), Some(&src)) = (features.get(i as usize), sources.get(i as usize))
        else {
            continue;
        };
        let x = if src.is_text() {
            let at = match texts.iter().position(|(k, _)| *k == src) {
                Some(at) => at,
                None => {
                    texts.push((src, s.text(src)));
                    texts.len() - 1
                }
            };
            text_feature(feature, texts[at].1.as_deref())
        } else {
            num_feature(feature, s.num(src))
        };
        f(i, x);
    }
    for (src, table) in &one_hots.by_source {
        if !each_match(table, *src, s, &mut |j| f(j, 1.0)) && missing {
            // Missing, as `text_feature` has it.
            for &(_, _, j) in table {
                f(j, f64::NAN);
            }
        }
    }
}

/// Calls `f` with each feature of `table` whose value is the source's text; false when
/// the text is missing.
fn each_match(table: &Table, src: Source, s: &impl Inputs, f: &mut dyn FnMut(u32)) -> bool {
    let found = |h: u32, eq: &dyn Fn(&str) -> bool, f: &mut dyn FnMut(u32)| {
        let start = table.partition_point(|e| e.0 < h);
        for e in table[start..].iter().take_while(|e| e.0 == h) {
            if eq(&e.1) {
                f(e.2);
            }
        }
    };
    match s.pieces(src) {
        Some(Some(p)) => found(fnv1a_pieces(&p), &|v| is_pieces(v, &p), f),
        Some(None) => return false,
        None => match s.text(src) {
            Some(t) => found(fnv1a(&t), &|v| v == t, f),
            None => return false,
        },
    }
    true
}

/// The entries of `vector` that are neither 0 nor missing, by feature index: what a linear
/// head reads (a trained payment head has a thousand features, a candidate a dozen set).
pub fn sparse_vector(
    features: &[Feature],
    sources: &[Source],
    one_hots: &OneHots,
    s: &impl Inputs,
    out: &mut Vec<(u32, f64)>,
) {
    out.clear();
    each_value(features, sources, one_hots, s, false, &mut |j, v| {
        if v != 0.0 && !v.is_nan() {
            out.push((j, v));
        }
    });
    // Into feature order: an insertion sort, as the entries come nearly sorted and few
    // (the other features in order, then a match or two per source).
    for i in 1..out.len() {
        let mut k = i;
        while k > 0 && out[k - 1].0 > out[k].0 {
            out.swap(k - 1, k);
            k -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_round_trips() {
        for &s in Source::ALL {
            assert_eq!(Source::parse(s.path()), Some(s));
        }
        assert_eq!(Source::parse("cart.nope"), None);
    }

    /// The indexed vector equals every feature evaluated one by one.
    #[test]
    fn one_hot_index_gives_the_same_vector() {
        struct In(Option<&'static str>, Option<&'static str>);
        impl Inputs for In {
            fn num(&self, _: Source) -> f64 {
                2.0
            }
            fn text(&self, s: Source) -> Option<Cow<'_, str>> {
                match s {
                    Source::CandidateId => self.0.map(Cow::Borrowed),
                    Source::Country => self.1.map(Cow::Borrowed),
                    Source::CandidateIdCountry => self.pieces(s)?.map(|p| Cow::Owned(p.concat())),
                    _ => None,
                }
            }
            fn pieces(&self, s: Source) -> Option<Option<Pieces<'_>>> {
                (s == Source::CandidateIdCountry).then(|| Some([self.0?, "|", self.1?, "", ""]))
            }
        }
        let f = |source: &str, transform: Transform| Feature {
            name: String::new(),
            source: source.into(),
            transform,
            label: None,
        };
        let hot = |v: &str| Transform::OneHot { value: v.into() };
        let features = vec![
            f("candidate.id", hot("card")),
            f("cart.value", Transform::Raw),
            f("candidate.id", hot("paypal")),
            f("context.country", hot("DE")),
            f("candidate.id", hot("card")),
            f(
                "context.country",
                Transform::Code {
                    values: vec!["NL".into(), "DE".into()],
                },
            ),
            f(
                "context.country",
                Transform::Hash {
                    buckets: 4,
                    bucket: fnv1a("DE") % 4,
                },
            ),
            f("cart.value", hot("x")),
            f("candidate.idCountry", hot("card|DE")),
            f("candidate.idCountry", hot("card|D")),
            f("candidate.idCountry", hot("card|DEE")),
            f("candidate.idCountry", hot("klarna|NL")),
        ];
        let sources: Vec<Source> = features
            .iter()
            .map(|f| Source::parse(&f.source).unwrap())
            .collect();
        let index = OneHots::new(&features, &sources);
        for input in [
            In(Some("card"), Some("DE")),
            In(Some("klarna"), None),
            In(None, Some("NL")),
        ] {
            let mut out = Vec::new();
            vector(&features, &sources, &index, &input, &mut out);
            let want: Vec<f64> = features
                .iter()
                .zip(&sources)
                .map(|(f, &s)| feature_value(f, s, &input))
                .collect();
            assert_eq!(format!("{out:?}"), format!("{want:?}"));
            let mut sparse = Vec::new();
            sparse_vector(&features, &sources, &index, &input, &mut sparse);
            let set: Vec<(u32, f64)> = want
                .iter()
                .enumerate()
                .filter(|(_, x)| **x != 0.0 && !x.is_nan())
                .map(|(i, x)| (i as u32, *x))
                .collect();
            assert_eq!(sparse, set);
        }
    }

    #[test]
    fn fnv1a_matches_reference_values() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(fnv1a(""), 0x811c9dc5);
        assert_eq!(fnv1a("a"), 0xe40c292c);
        assert_eq!(fnv1a("foobar"), 0xbf9cf968);
    }
}
