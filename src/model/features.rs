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

/// Fills `out` with the feature vector (cleared first). Each text source is read once
/// (a combined source like `candidate.idCountry` builds its text), however many
/// features one-hot encode it.
pub fn vector(features: &[Feature], sources: &[Source], s: &impl Inputs, out: &mut Vec<f64>) {
    out.clear();
    let mut texts: Vec<(Source, Option<Cow<'_, str>>)> = Vec::new();
    for (f, &src) in features.iter().zip(sources) {
        if !src.is_text() {
            out.push(num_feature(f, s.num(src)));
            continue;
        }
        let at = match texts.iter().position(|(k, _)| *k == src) {
            Some(at) => at,
            None => {
                texts.push((src, s.text(src)));
                texts.len() - 1
            }
        };
        out.push(text_feature(f, texts[at].1.as_deref()));
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

    #[test]
    fn fnv1a_matches_reference_values() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(fnv1a(""), 0x811c9dc5);
        assert_eq!(fnv1a("a"), 0xe40c292c);
        assert_eq!(fnv1a("foobar"), 0xbf9cf968);
    }
}
