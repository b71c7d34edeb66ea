//! Feature sources: how a bundle's features and conditions read the profile, the page
//! context and the candidate being scored.
//!
//! `Source` is the closed list of paths a bundle may name (checked when it loads);
//! `Signals` answers them for one decision. Numbers that are unknown are NaN (missing),
//! texts that are unknown are `None`. Pure: reads a `ProfileView`, never the page.

use super::{Feature, Transform};
use crate::profile::{ProfileView, SessionProfile};
use std::borrow::Cow;

/// Whose history `candidate.isLast`, `usedCount`, `usedShare`, `isSession` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum History {
    #[default]
    Payment,
    Shipping,
}

/// What is being scored: a payment method, a shipping option, an offer or an item.
#[derive(Debug, Clone, Default)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub history: History,
    /// Payment methods: the page's `type` (`card`, `wallet`, `bnpl`, …).
    pub kind: Option<&'a str>,
    /// Position in the page's own order (0-based).
    pub position: usize,
    pub price: Option<f64>,
    pub category: Option<&'a str>,
    /// Co-occurrence score with the cart (cross-sells).
    pub cooccur: Option<f64>,
    /// Share of baskets with the item (cross-sells).
    pub popularity: Option<f64>,
}

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
    TraitLoggedIn = "trait.loggedIn", false;
    TraitLoyaltyTier = "trait.loyaltyTier", true;
    TraitCustomerDays = "trait.customerDays", false;
    TraitLanguage = "trait.preferredLanguage", true;
    TraitB2b = "trait.b2b", false;
}

/// Everything one decision can read.
pub struct Signals<'a> {
    pub view: &'a ProfileView,
    pub profile: &'a SessionProfile,
    pub now: i64,
    pub candidate: Option<&'a Candidate<'a>>,
}

fn opt(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

impl<'a> Signals<'a> {
    pub fn with_candidate(&self, c: &'a Candidate<'a>) -> Signals<'a> {
        Signals {
            view: self.view,
            profile: self.profile,
            now: self.now,
            candidate: Some(c),
        }
    }

    pub fn num(&self, s: Source) -> f64 {
        let v = self.view;
        let c = self.candidate;
        let usage = match c.map(|c| c.history) {
            Some(History::Shipping) => &v.shipping,
            _ => &v.payment,
        };
        let used = |id: &str| f64::from(usage.counts.get(id).copied().unwrap_or(0));
        match s {
            Source::CartValue => v.cart.value,
            Source::CartQuantity => f64::from(v.cart.quantity),
            Source::CartLines => v.cart.items.len() as f64,
            Source::OrdersTotal => f64::from(v.orders.total),
            Source::Orders30 => f64::from(v.orders.last_30_days),
            Source::Orders90 => f64::from(v.orders.last_90_days),
            Source::OrdersAverage => opt(v.orders.average_value),
            Source::DaysSinceLastOrder => opt(v.orders.days_since_last),
            Source::Sessions => f64::from(v.sessions),
            Source::SessionEvents => f64::from(v.session.events),
            Source::Abandonments => f64::from(v.funnel.abandonments),
            Source::LocalHour => opt(v.context.as_ref().map(|c| f64::from(c.local_hour))),
            Source::Weekday => opt(v.context.as_ref().map(|c| f64::from(c.weekday))),
            Source::PaymentMethodsUsed => v.payment.counts.len() as f64,
            Source::TraitLoggedIn => opt(v.traits.as_ref().and_then(|t| t.logged_in).map(flag)),
            Source::TraitB2b => opt(v.traits.as_ref().and_then(|t| t.b2b).map(flag)),
            Source::TraitCustomerDays => opt(v
                .traits
                .as_ref()
                .and_then(|t| t.customer_since)
                .map(|s| (self.now - s).max(0) as f64 / 86_400_000.0)),
            Source::CandidatePosition => opt(c.map(|c| c.position as f64)),
            Source::CandidateUsedCount => opt(c.map(|c| used(c.id))),
            Source::CandidateUsedShare => opt(c.map(|c| {
                let total: u32 = usage.counts.iter().map(|(_, n)| *n).sum();
                if total == 0 {
                    0.0
                } else {
                    used(c.id) / f64::from(total)
                }
            })),
            Source::CandidateIsLast => opt(c.map(|c| flag(usage.last.as_deref() == Some(c.id)))),
            Source::CandidateIsSession => {
                opt(c.map(|c| flag(usage.session.as_deref() == Some(c.id))))
            }
            Source::CandidatePrice => opt(c.and_then(|c| c.price)),
            Source::CandidateInterest => {
                opt(c.map(|c| self.profile.item_interest(c.id, self.now).0))
            }
            Source::CandidateHistory => {
                opt(c.map(|c| self.profile.item_interest(c.id, self.now).1))
            }
            Source::CandidateCategoryInterest => opt(c.map(|c| {
                c.category
                    .map_or(0.0, |cat| self.profile.category_interest(cat, self.now).0)
            })),
            Source::CandidateCooccur => opt(c.and_then(|c| c.cooccur)),
            Source::CandidatePopularity => opt(c.and_then(|c| c.popularity)),
            Source::CandidateInCart => {
                opt(c.map(|c| flag(v.cart.items.iter().any(|l| l.id == c.id))))
            }
            // Text sources have no number.
            _ => f64::NAN,
        }
    }

    /// Text sources. Combined sources (`candidate.idCountry` = `"<id>|<country>"`) let a
    /// linear head learn per-country or per-device preferences for each candidate.
    pub fn text(&self, s: Source) -> Option<Cow<'a, str>> {
        let pair = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => Some(Cow::Owned(format!("{a}|{b}"))),
            _ => None,
        };
        let ctx = self.view.context.as_ref();
        let id = self.candidate.map(|c| c.id);
        match s {
            Source::CandidateIdCountry => pair(id, ctx.and_then(|c| c.country.as_deref())),
            Source::CandidateIdDevice => pair(id, ctx.map(|c| c.device.name())),
            Source::CandidateIdOs => pair(id, ctx.map(|c| c.os.name())),
            _ => self.plain_text(s).map(Cow::Borrowed),
        }
    }

    fn plain_text(&self, s: Source) -> Option<&'a str> {
        let v = self.view;
        let ctx = v.context.as_ref();
        match s {
            Source::CartCurrency => v.cart.currency.as_deref(),
            Source::Stage => Some(v.funnel.stage.name()),
            Source::Device => ctx.map(|c| c.device.name()),
            Source::Os => ctx.map(|c| c.os.name()),
            Source::Country => ctx.and_then(|c| c.country.as_deref()),
            Source::Language => ctx.and_then(|c| c.language.as_deref()),
            Source::TrafficSource => ctx.map(|c| c.traffic_source.name()),
            Source::LastPayment => v.payment.last.as_deref(),
            Source::SessionPayment => v.payment.session.as_deref(),
            Source::LastShipping => v.shipping.last.as_deref(),
            Source::TraitLoyaltyTier => v.traits.as_ref().and_then(|t| t.loyalty_tier.as_deref()),
            Source::TraitLanguage => v
                .traits
                .as_ref()
                .and_then(|t| t.preferred_language.as_deref()),
            Source::CandidateId => self.candidate.map(|c| c.id),
            Source::CandidateType => self.candidate.and_then(|c| c.kind),
            Source::CandidateCategory => self.candidate.and_then(|c| c.category),
            _ => None,
        }
    }
}

/// 32-bit FNV-1a over the UTF-8 bytes (feature hashing).
pub fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The value of one (validated) feature.
pub fn feature_value(f: &Feature, source: Source, s: &Signals) -> f64 {
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
pub fn vector(features: &[Feature], sources: &[Source], s: &Signals, out: &mut Vec<f64>) {
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
