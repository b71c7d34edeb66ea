//! What a decision reads: the shopper's profile view, the page context, traits and the
//! candidate being scored, answered for the model's feature sources (`Inputs`).
//!
//! This is where shoppers meet models: the model names sources (`model::features::Source`)
//! and never sees a profile.

use crate::model::features::{Inputs, Pieces, Source};
use crate::profile::{ProfileView, SessionProfile, UsageView};
use std::borrow::Cow;

/// Whose use `candidate.isLast`, `usedCount`, `usedShare` and `isSession` read: the
/// shopper's payment methods, shipping options, or nothing (items, offers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Usage {
    Payment,
    Shipping,
    #[default]
    None,
}

/// What is being scored: a payment method, a shipping option, an offer or an item.
#[derive(Debug, Clone, Default)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub usage: Usage,
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

/// Everything one decision can read.
pub struct Signals<'a> {
    pub view: &'a ProfileView,
    pub profile: &'a SessionProfile,
    pub now: i64,
    pub candidate: Option<&'a Candidate<'a>>,
}

/// The basket-value band of `candidate.idValueBand`: `"<currency>:<b>"` with `b` =
/// ⌊log2 value⌋ clamped to 0..=24 (`EUR:5` is 32–63.99 euros), bands per currency so no
/// exchange rate is needed (`:5` when the currency is unknown). `None` for an empty basket.
/// `personalizer train` builds the same text from purchases with this function.
pub fn value_band(value: f64, currency: Option<&str>) -> Option<String> {
    let (cur, band) = value_band_parts(value, currency)?;
    Some(format!("{cur}:{band}"))
}

/// `value_band` as (currency, band number as text), without building the string.
fn value_band_parts(value: f64, currency: Option<&str>) -> Option<(&str, &'static str)> {
    const BANDS: [&str; 25] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
        "17", "18", "19", "20", "21", "22", "23", "24",
    ];
    if !(value.is_finite() && value > 0.0) {
        return None;
    }
    let band = value.log2().floor().clamp(0.0, 24.0) as usize;
    Some((currency.unwrap_or(""), BANDS[band]))
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
            Source::Browser => ctx.map(|c| c.browser.name()),
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

impl Inputs for Signals<'_> {
    fn num(&self, s: Source) -> f64 {
        let v = self.view;
        let c = self.candidate;
        let none = UsageView::default();
        let usage = match c.map(|c| c.usage) {
            Some(Usage::Shipping) => &v.shipping,
            Some(Usage::Payment) => &v.payment,
            _ => &none,
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
            Source::CandidateDaysSinceUsed => opt(c
                .filter(|c| c.usage == Usage::Payment)
                .and_then(|c| self.profile.payment_days_since(c.id, self.now))),
            Source::CandidateStreak => opt(c
                .filter(|c| c.usage == Usage::Payment)
                .map(|c| f64::from(self.profile.payment_streak(c.id)))),
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
    /// linear head learn per-country, per-device or per-basket-value preferences for each
    /// candidate (`candidate.idValueBand` = `"<id>|<currency>:<band>"`, see [`value_band`];
    /// `candidate.typeValueBand` the same for the page's method type, `"bnpl|EUR:8"`).
    fn text(&self, s: Source) -> Option<Cow<'_, str>> {
        match self.pieces(s) {
            Some(p) => p.map(|p| Cow::Owned(p.concat())),
            None => self.plain_text(s).map(Cow::Borrowed),
        }
    }

    fn pieces(&self, s: Source) -> Option<Option<Pieces<'_>>> {
        let ctx = self.view.context.as_ref();
        let id = self.candidate.map(|c| c.id);
        fn pair<'s>(a: Option<&'s str>, b: Option<&'s str>) -> Option<Option<Pieces<'s>>> {
            Some((|| Some([a?, "|", b?, "", ""]))())
        }
        // The `…First` twins answer only for a shopper with no payment history: a linear
        // head learns how much more context matters before a habit exists.
        let first = self.view.payment.counts.is_empty();
        let base = match s {
            Source::CandidateIdCountryFirst if first => Source::CandidateIdCountry,
            Source::CandidateIdDeviceFirst if first => Source::CandidateIdDevice,
            Source::CandidateIdOsFirst if first => Source::CandidateIdOs,
            Source::CandidateIdBrowserFirst if first => Source::CandidateIdBrowser,
            Source::CandidateIdValueBandFirst if first => Source::CandidateIdValueBand,
            Source::CandidateIdCountryFirst
            | Source::CandidateIdDeviceFirst
            | Source::CandidateIdOsFirst
            | Source::CandidateIdBrowserFirst
            | Source::CandidateIdValueBandFirst => return Some(None),
            s => s,
        };
        match base {
            Source::CandidateIdCountry => pair(id, ctx.and_then(|c| c.country.as_deref())),
            Source::CandidateIdDevice => pair(id, ctx.map(|c| c.device.name())),
            Source::CandidateIdOs => pair(id, ctx.map(|c| c.os.name())),
            Source::CandidateIdBrowser => pair(id, ctx.map(|c| c.browser.name())),
            Source::CandidateIdValueBand | Source::CandidateTypeValueBand => {
                let who = if base == Source::CandidateIdValueBand {
                    id
                } else {
                    self.candidate.and_then(|c| c.kind)
                };
                let band =
                    value_band_parts(self.view.cart.value, self.view.cart.currency.as_deref());
                Some((|| Some([who?, "|", band?.0, ":", band?.1]))())
            }
            _ => None,
        }
    }
}
