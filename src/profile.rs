//! The live session profile: a pure fold over events.
//!
//! `SessionProfile::apply(&Event)` updates the state one event at a time (events may arrive
//! slightly out of order: interest is decayed relative to the newest event seen);
//! `SessionProfile::view(now, context)` reads it at a moment in time as the plain
//! `ProfileView` that `profile()` returns. The profile is rebuilt from the journal on load,
//! so it is never stored itself. No storage, no JS, no clock: `now` always comes in.

use crate::context::Context;
use crate::event::{Event, EventType};
use crate::sorted_map::SortedMap;
use serde::Serialize;
use std::collections::VecDeque;

/// Interest entries kept per map; the weakest long-term ones go first.
pub const MAX_INTEREST: usize = 1000;
/// Orders kept for the purchase aggregates.
pub const MAX_ORDERS: usize = 200;
/// Lines kept in the cart.
pub const MAX_CART_LINES: usize = 200;
/// Entries shown per interest list in the view.
pub const TOP_INTEREST: usize = 20;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileConfig {
    /// Inactivity that ends a session (default 30 min).
    pub session_timeout_ms: i64,
    /// Half-life of in-session intent (default 5 min).
    pub short_half_life_ms: f64,
    /// Half-life of historic interest (default 30 days).
    pub long_half_life_ms: f64,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            session_timeout_ms: 30 * 60 * 1000,
            short_half_life_ms: 5.0 * 60.0 * 1000.0,
            long_half_life_ms: 30.0 * DAY_MS as f64,
        }
    }
}

/// How far a session got towards an order. Ordered: a later stage is further along.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum FunnelStage {
    #[default]
    None,
    Browsing,
    ViewedItem,
    Cart,
    Checkout,
    Shipping,
    Payment,
    Purchased,
}

impl FunnelStage {
    pub fn name(self) -> &'static str {
        match self {
            FunnelStage::None => "none",
            FunnelStage::Browsing => "browsing",
            FunnelStage::ViewedItem => "viewed_item",
            FunnelStage::Cart => "cart",
            FunnelStage::Checkout => "checkout",
            FunnelStage::Shipping => "shipping",
            FunnelStage::Payment => "payment",
            FunnelStage::Purchased => "purchased",
        }
    }

    fn of(kind: EventType) -> FunnelStage {
        use EventType::*;
        match kind {
            PageView | ViewItemList => FunnelStage::Browsing,
            ViewItem | SelectItem => FunnelStage::ViewedItem,
            AddToCart | RemoveFromCart | ViewCart => FunnelStage::Cart,
            BeginCheckout => FunnelStage::Checkout,
            AddShippingInfo => FunnelStage::Shipping,
            AddPaymentInfo | SelectPaymentMethod => FunnelStage::Payment,
            Purchase => FunnelStage::Purchased,
            Exposure => FunnelStage::None,
        }
    }
}

crate::context::serialize_by_name!(FunnelStage);

/// How much one event says about interest in each of its items.
fn interest_weight(kind: EventType) -> f64 {
    use EventType::*;
    match kind {
        ViewItemList => 0.1,
        ViewItem | SelectItem => 1.0,
        AddToCart => 3.0,
        RemoveFromCart => -1.5,
        ViewCart | AddShippingInfo | AddPaymentInfo => 0.5,
        BeginCheckout => 2.0,
        Purchase => 5.0,
        PageView | SelectPaymentMethod | Exposure => 0.0,
    }
}

/// An exponentially decayed score with two half-lives, held relative to time `at`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Decayed {
    short: f64,
    long: f64,
    at: i64,
}

fn decay(dt_ms: i64, half_life_ms: f64) -> f64 {
    if half_life_ms <= 0.0 {
        return if dt_ms == 0 { 1.0 } else { 0.0 };
    }
    (-(dt_ms as f64) / half_life_ms).exp2()
}

impl Decayed {
    fn add(&mut self, w: f64, ts: i64, cfg: &ProfileConfig) {
        if ts >= self.at {
            let dt = ts - self.at;
            self.short *= decay(dt, cfg.short_half_life_ms);
            self.long *= decay(dt, cfg.long_half_life_ms);
            self.at = ts;
            self.short += w;
            self.long += w;
        } else {
            // An older event: its weight has already decayed by the time we hold.
            let dt = self.at - ts;
            self.short += w * decay(dt, cfg.short_half_life_ms);
            self.long += w * decay(dt, cfg.long_half_life_ms);
        }
        self.short = self.short.max(0.0);
        self.long = self.long.max(0.0);
    }

    fn at_time(&self, now: i64, cfg: &ProfileConfig) -> (f64, f64) {
        let dt = (now - self.at).max(0);
        (
            self.short * decay(dt, cfg.short_half_life_ms),
            self.long * decay(dt, cfg.long_half_life_ms),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CartLine {
    pub id: String,
    pub quantity: u32,
    pub price: Option<f64>,
    pub category: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Order {
    ts: i64,
    value: Option<f64>,
    payment: Option<String>,
}

/// The profile state. Build it with `SessionProfile::new`, feed it with `apply`.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionProfile {
    cfg: ProfileConfig,
    events: u64,
    last_ts: Option<i64>,
    sessions: u32,
    session_start: i64,
    session_events: u32,
    session_stage: FunnelStage,
    session_payment: Option<String>,
    session_shipping: Option<String>,
    abandonments: u32,
    items: SortedMap<String, Decayed>,
    categories: SortedMap<String, Decayed>,
    cart: Vec<CartLine>,
    currency: Option<String>,
    orders: VecDeque<Order>,
    order_count: u32,
    order_value_sum: f64,
    order_value_count: u32,
    payments: SortedMap<String, u32>,
    last_payment: Option<String>,
    shipping: SortedMap<String, u32>,
    last_shipping: Option<String>,
}

impl SessionProfile {
    pub fn new(cfg: ProfileConfig) -> SessionProfile {
        SessionProfile {
            cfg,
            events: 0,
            last_ts: None,
            sessions: 0,
            session_start: 0,
            session_events: 0,
            session_stage: FunnelStage::None,
            session_payment: None,
            session_shipping: None,
            abandonments: 0,
            items: SortedMap::new(),
            categories: SortedMap::new(),
            cart: Vec::new(),
            currency: None,
            orders: VecDeque::new(),
            order_count: 0,
            order_value_sum: 0.0,
            order_value_count: 0,
            payments: SortedMap::new(),
            last_payment: None,
            shipping: SortedMap::new(),
            last_shipping: None,
        }
    }

    /// A profile rebuilt from events in any order (they are applied oldest first).
    pub fn rebuild<'a>(cfg: ProfileConfig, events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut sorted: Vec<&Event> = events.into_iter().collect();
        crate::sort::sort_by(&mut sorted, |a, b| a.ts.cmp(&b.ts));
        let mut p = SessionProfile::new(cfg);
        for e in sorted {
            p.apply(e);
        }
        p
    }

    pub fn config(&self) -> &ProfileConfig {
        &self.cfg
    }

    fn session_abandoned(&self) -> bool {
        self.session_stage >= FunnelStage::Checkout && self.session_stage < FunnelStage::Purchased
    }

    pub fn apply(&mut self, e: &Event) {
        // Exposures are the module's own records, not shopper activity.
        if e.kind == EventType::Exposure {
            return;
        }
        match self.last_ts {
            Some(last) if e.ts - last <= self.cfg.session_timeout_ms => {}
            Some(last) if e.ts < last => {}
            prev => {
                if prev.is_some() && self.session_abandoned() {
                    self.abandonments += 1;
                }
                self.sessions += 1;
                self.session_start = e.ts;
                self.session_events = 0;
                self.session_stage = FunnelStage::None;
                self.session_payment = None;
                self.session_shipping = None;
            }
        }
        self.last_ts = Some(self.last_ts.map_or(e.ts, |l| l.max(e.ts)));
        self.events += 1;
        self.session_events += 1;
        self.session_stage = self.session_stage.max(FunnelStage::of(e.kind));

        let w = interest_weight(e.kind);
        if w != 0.0 {
            for item in &e.items {
                bump(&mut self.items, &item.id, w, e.ts, &self.cfg);
                if let Some(c) = &item.category {
                    bump(&mut self.categories, c, w, e.ts, &self.cfg);
                }
            }
        }
        if let Some(c) = &e.currency {
            self.currency = Some(c.clone());
        }

        match e.kind {
            EventType::AddToCart => {
                for item in &e.items {
                    self.cart_add(item.id.as_str(), item.quantity as i64, item);
                }
            }
            EventType::RemoveFromCart => {
                for item in &e.items {
                    self.cart_add(item.id.as_str(), -(item.quantity as i64), item);
                }
            }
            // These events carry the whole cart in GA4: take it as the truth.
            EventType::ViewCart | EventType::BeginCheckout if !e.items.is_empty() => {
                self.cart.clear();
                for item in &e.items {
                    self.cart_add(item.id.as_str(), item.quantity as i64, item);
                }
            }
            EventType::SelectPaymentMethod | EventType::AddPaymentInfo => {
                if let Some(p) = &e.payment_type {
                    self.session_payment = Some(p.clone());
                }
            }
            EventType::AddShippingInfo => {
                if let Some(s) = &e.shipping_tier {
                    self.session_shipping = Some(s.clone());
                }
            }
            EventType::Purchase => self.purchase(e),
            _ => {}
        }
    }

    fn cart_add(&mut self, id: &str, delta: i64, item: &crate::event::Item) {
        match self.cart.iter().position(|l| l.id == id) {
            Some(i) => {
                let line = &mut self.cart[i];
                let q = i64::from(line.quantity) + delta;
                if q <= 0 {
                    self.cart.remove(i);
                } else {
                    line.quantity = q.min(i64::from(u32::MAX)) as u32;
                    line.price = item.price.or(line.price);
                    line.category = item.category.clone().or(line.category.take());
                }
            }
            None if delta > 0 && self.cart.len() < MAX_CART_LINES => self.cart.push(CartLine {
                id: id.to_owned(),
                quantity: delta as u32,
                price: item.price,
                category: item.category.clone(),
            }),
            None => {}
        }
    }

    fn cart_value(&self) -> f64 {
        self.cart
            .iter()
            .map(|l| l.price.unwrap_or(0.0) * f64::from(l.quantity))
            .sum()
    }

    fn purchase(&mut self, e: &Event) {
        let value = e.value.or_else(|| {
            let from_items: f64 = e
                .items
                .iter()
                .filter_map(|i| i.price.map(|p| p * f64::from(i.quantity)))
                .sum();
            if !e.items.is_empty() {
                Some(from_items)
            } else if !self.cart.is_empty() {
                Some(self.cart_value())
            } else {
                None
            }
        });
        // The shipping option actually used is the one chosen when the order is placed.
        if let Some(s) = e
            .shipping_tier
            .clone()
            .or_else(|| self.session_shipping.clone())
        {
            *self.shipping.entry_or_default(s.clone()) += 1;
            self.last_shipping = Some(s);
        }
        let payment = e
            .payment_type
            .clone()
            .or_else(|| self.session_payment.clone());
        if let Some(p) = &payment {
            *self.payments.entry_or_default(p.clone()) += 1;
            self.last_payment = Some(p.clone());
        }
        if let Some(v) = value {
            self.order_value_sum += v;
            self.order_value_count += 1;
        }
        self.order_count += 1;
        if self.orders.len() == MAX_ORDERS {
            self.orders.pop_front();
        }
        self.orders.push_back(Order {
            ts: e.ts,
            value,
            payment,
        });
        self.cart.clear();
    }

    /// In-session and historic interest in an item at `now` (0 when unknown).
    pub fn item_interest(&self, id: &str, now: i64) -> (f64, f64) {
        self.items
            .get(id)
            .map_or((0.0, 0.0), |d| d.at_time(now, &self.cfg))
    }

    /// In-session and historic interest in a category at `now` (0 when unknown).
    pub fn category_interest(&self, category: &str, now: i64) -> (f64, f64) {
        self.categories
            .get(category)
            .map_or((0.0, 0.0), |d| d.at_time(now, &self.cfg))
    }

    /// The profile as seen at `now` (ms), with the page's context.
    pub fn view(&self, now: i64, context: Option<&Context>) -> ProfileView {
        self.view_with(now, context, true)
    }

    /// `view` without the top-interest lists (left empty), for decisions: no feature or
    /// rule reads them (a candidate's interest comes from `item_interest` and
    /// `category_interest`), and decaying and sorting every entry is the costliest part
    /// of a view.
    pub fn decision_view(&self, now: i64, context: Option<&Context>) -> ProfileView {
        self.view_with(now, context, false)
    }

    fn view_with(&self, now: i64, context: Option<&Context>, interest: bool) -> ProfileView {
        let cfg = &self.cfg;
        let active = self
            .last_ts
            .is_some_and(|l| now - l <= cfg.session_timeout_ms);
        let abandonments = self.abandonments
            + u32::from(self.last_ts.is_some() && !active && self.session_abandoned());
        let last_order = self.orders.iter().map(|o| o.ts).max();
        let orders_since = |ms: i64| self.orders.iter().filter(|o| now - o.ts <= ms).count() as u32;
        ProfileView {
            events: self.events,
            sessions: self.sessions,
            session: SessionView {
                number: self.sessions,
                active,
                started_at: self.last_ts.map(|_| self.session_start),
                last_event_at: self.last_ts,
                events: if self.last_ts.is_some() {
                    self.session_events
                } else {
                    0
                },
                stage: self.session_stage,
            },
            interest: if interest {
                InterestView {
                    items: top(&self.items, now, cfg),
                    categories: top(&self.categories, now, cfg),
                }
            } else {
                InterestView::default()
            },
            cart: CartView {
                quantity: self.cart.iter().map(|l| l.quantity).sum(),
                value: self.cart_value(),
                currency: self.currency.clone(),
                items: self.cart.clone(),
            },
            orders: OrdersView {
                total: self.order_count,
                last_30_days: orders_since(30 * DAY_MS),
                last_90_days: orders_since(90 * DAY_MS),
                average_value: (self.order_value_count > 0)
                    .then(|| self.order_value_sum / f64::from(self.order_value_count)),
                days_since_last: last_order.map(|t| ((now - t).max(0) as f64) / DAY_MS as f64),
                last_at: last_order,
            },
            payment: UsageView {
                counts: self.payments.clone(),
                last: self.last_payment.clone(),
                session: self.session_payment.clone().filter(|_| active),
            },
            shipping: UsageView {
                counts: self.shipping.clone(),
                last: self.last_shipping.clone(),
                session: self.session_shipping.clone().filter(|_| active),
            },
            funnel: FunnelView {
                stage: if active {
                    self.session_stage
                } else {
                    FunnelStage::None
                },
                abandonments,
            },
            context: context.cloned(),
            traits: None,
        }
    }
}

fn bump(map: &mut SortedMap<String, Decayed>, key: &str, w: f64, ts: i64, cfg: &ProfileConfig) {
    if let Some(d) = map.get_mut(key) {
        d.add(w, ts, cfg);
        return;
    }
    if w <= 0.0 {
        return;
    }
    if map.len() >= MAX_INTEREST {
        // Make room: forget the entry with the least long-term interest at this time.
        let weakest = map
            .iter()
            .map(|(k, d)| (k, d.at_time(ts, cfg).1))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k.clone());
        if let Some(k) = weakest {
            map.remove(&k);
        }
    }
    let mut d = Decayed {
        at: ts,
        ..Decayed::default()
    };
    d.add(w, ts, cfg);
    map.insert(key.to_owned(), d);
}

fn top(map: &SortedMap<String, Decayed>, now: i64, cfg: &ProfileConfig) -> Vec<InterestEntry> {
    // Ids are copied only for the entries kept.
    let mut scored: Vec<(f64, f64, &String)> = map
        .iter()
        .map(|(k, d)| {
            let (session, history) = d.at_time(now, cfg);
            (session, history, k)
        })
        .filter(|e| e.0 > 1e-6 || e.1 > 1e-6)
        .collect();
    crate::sort::sort_by(&mut scored, |a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then_with(|| a.2.cmp(b.2))
    });
    scored
        .into_iter()
        .take(TOP_INTEREST)
        .map(|(session, history, k)| InterestEntry {
            id: k.clone(),
            session,
            history,
        })
        .collect()
}

/// What `profile()` returns (camelCase in JS).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub events: u64,
    pub sessions: u32,
    pub session: SessionView,
    pub interest: InterestView,
    pub cart: CartView,
    pub orders: OrdersView,
    pub payment: UsageView,
    pub shipping: UsageView,
    pub funnel: FunnelView,
    pub context: Option<Context>,
    /// What the storefront told us (`identify`), if anything.
    pub traits: Option<crate::traits::Traits>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub number: u32,
    pub active: bool,
    pub started_at: Option<i64>,
    pub last_event_at: Option<i64>,
    pub events: u32,
    pub stage: FunnelStage,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterestEntry {
    pub id: String,
    /// Decayed with the short (in-session) half-life.
    pub session: f64,
    /// Decayed with the long (history) half-life.
    pub history: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct InterestView {
    pub items: Vec<InterestEntry>,
    pub categories: Vec<InterestEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CartView {
    pub items: Vec<CartLine>,
    pub quantity: u32,
    pub value: f64,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersView {
    pub total: u32,
    pub last_30_days: u32,
    pub last_90_days: u32,
    pub average_value: Option<f64>,
    pub days_since_last: Option<f64>,
    pub last_at: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UsageView {
    pub counts: SortedMap<String, u32>,
    pub last: Option<String>,
    /// Chosen in the current session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelView {
    pub stage: FunnelStage,
    pub abandonments: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Item;

    const MIN: i64 = 60_000;

    fn ev(kind: EventType, ts: i64) -> Event {
        Event::new(kind, ts)
    }

    fn item(id: &str, cat: &str, price: f64, qty: u32) -> Item {
        Item {
            id: id.into(),
            name: None,
            category: Some(cat.into()),
            brand: None,
            price: Some(price),
            quantity: qty,
        }
    }

    fn with_items(mut e: Event, items: Vec<Item>) -> Event {
        e.items = items;
        e
    }

    #[test]
    fn sessions_split_after_thirty_idle_minutes() {
        let mut p = SessionProfile::new(ProfileConfig::default());
        for ts in [0, 10 * MIN, 39 * MIN, 70 * MIN] {
            p.apply(&ev(EventType::PageView, ts));
        }
        let v = p.view(70 * MIN, None);
        assert_eq!((v.sessions, v.session.number, v.session.events), (2, 2, 1));
        assert_eq!(v.session.started_at, Some(70 * MIN));
        assert!(v.session.active);
        assert!(!p.view(101 * MIN, None).session.active);
    }

    #[test]
    fn a_decision_view_is_the_view_without_its_interest_lists() {
        let mut p = SessionProfile::new(ProfileConfig::default());
        p.apply(&with_items(
            ev(EventType::AddToCart, 0),
            vec![item("a", "dairy", 2.0, 1), item("b", "bakery", 1.0, 3)],
        ));
        p.apply(&ev(EventType::PageView, 3 * MIN));
        let full = p.view(5 * MIN, None);
        let decision = p.decision_view(5 * MIN, None);
        assert_eq!(full.interest.items.len(), 2);
        assert_eq!(decision.interest, InterestView::default());
        // Everything else is the same view.
        let mut without = full.clone();
        without.interest = InterestView::default();
        assert_eq!(decision, without);
        assert_eq!(decision.cart.items.len(), 2);
    }

    #[test]
    fn interest_decays_with_each_half_life() {
        let mut p = SessionProfile::new(ProfileConfig::default());
        p.apply(&with_items(
            ev(EventType::ViewItem, 0),
            vec![item("a", "dairy", 1.0, 1)],
        ));
        let v = p.view(5 * MIN, None);
        let a = &v.interest.items[0];
        assert!((a.session - 0.5).abs() < 1e-12, "{a:?}");
        assert!((a.history - (-(5.0 * MIN as f64) / (30.0 * DAY_MS as f64)).exp2()).abs() < 1e-12);
        assert_eq!(v.interest.categories[0].id, "dairy");
        // Out of order: an event older than the newest one adds its already-decayed weight.
        p.apply(&with_items(
            ev(EventType::ViewItem, 10 * MIN),
            vec![item("b", "x", 1.0, 1)],
        ));
        p.apply(&with_items(
            ev(EventType::ViewItem, 5 * MIN),
            vec![item("b", "x", 1.0, 1)],
        ));
        let b = p.view(10 * MIN, None).interest.items[0].clone();
        assert_eq!(b.id, "b");
        assert!((b.session - 1.5).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn cart_follows_adds_removes_and_purchase() {
        let mut p = SessionProfile::new(ProfileConfig::default());
        p.apply(&with_items(
            ev(EventType::AddToCart, 0),
            vec![item("a", "c", 2.0, 2), item("b", "c", 5.0, 1)],
        ));
        p.apply(&with_items(
            ev(EventType::RemoveFromCart, MIN),
            vec![item("a", "c", 2.0, 1)],
        ));
        p.apply(&with_items(
            ev(EventType::RemoveFromCart, MIN),
            vec![item("b", "c", 5.0, 3)],
        ));
        let v = p.view(2 * MIN, None);
        assert_eq!(v.cart.items.len(), 1);
        assert_eq!((v.cart.quantity, v.cart.value), (1, 2.0));
        let mut pay = ev(EventType::SelectPaymentMethod, 3 * MIN);
        pay.payment_type = Some("paypal".into());
        p.apply(&pay);
        p.apply(&ev(EventType::Purchase, 4 * MIN));
        let v = p.view(5 * MIN, None);
        assert!(v.cart.items.is_empty());
        assert_eq!(v.orders.total, 1);
        assert_eq!(v.orders.average_value, Some(2.0));
        assert_eq!(v.payment.last.as_deref(), Some("paypal"));
        assert_eq!(v.funnel.stage, FunnelStage::Purchased);
    }

    #[test]
    fn abandonment_counts_only_ended_sessions() {
        let mut p = SessionProfile::new(ProfileConfig::default());
        p.apply(&ev(EventType::BeginCheckout, 0));
        assert_eq!(p.view(MIN, None).funnel.abandonments, 0);
        assert_eq!(p.view(31 * MIN, None).funnel.abandonments, 1);
        p.apply(&ev(EventType::PageView, 60 * MIN));
        p.apply(&ev(EventType::BeginCheckout, 61 * MIN));
        p.apply(&ev(EventType::Purchase, 62 * MIN));
        assert_eq!(p.view(200 * MIN, None).funnel.abandonments, 1);
    }

    #[test]
    fn interest_maps_stay_bounded() {
        let mut p = SessionProfile::new(ProfileConfig::default());
        for i in 0..(MAX_INTEREST + 50) {
            p.apply(&with_items(
                ev(EventType::ViewItem, i as i64),
                vec![item(&format!("i{i}"), "c", 1.0, 1)],
            ));
        }
        assert_eq!(p.items.len(), MAX_INTEREST);
        assert!(p.items.contains_key(&format!("i{}", MAX_INTEREST + 49)));
        assert_eq!(p.view(0, None).interest.items.len(), TOP_INTEREST);
    }

    #[test]
    fn rebuild_is_order_independent() {
        let events = vec![
            with_items(
                ev(EventType::AddToCart, 3 * MIN),
                vec![item("a", "c", 2.0, 1)],
            ),
            ev(EventType::PageView, 0),
            ev(EventType::Purchase, 90 * MIN),
        ];
        let mut rev = events.clone();
        rev.reverse();
        let a = SessionProfile::rebuild(ProfileConfig::default(), &events);
        let b = SessionProfile::rebuild(ProfileConfig::default(), &rev);
        assert_eq!(a.view(100 * MIN, None), b.view(100 * MIN, None));
        assert_eq!(a.view(100 * MIN, None).sessions, 2);
    }
}
