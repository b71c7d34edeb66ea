//! The live session profile: a pure fold over events.
//!
//! `SessionProfile::apply(&Event)` updates the state one event at a time (events may arrive
//! slightly out of order: interest is decayed relative to the newest event seen);
//! `SessionProfile::view(now, context)` reads it at a moment in time as the plain
//! `ProfileView` that `profile()` returns. The profile is rebuilt from the journal on load,
//! so it is never stored itself. No storage, no JS, no clock: `now` always comes in.

mod view;

pub use view::*;

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

    /// Days from the last order paid with `method` (among the recent orders kept) to `now`.
    pub fn payment_days_since(&self, method: &str, now: i64) -> Option<f64> {
        self.orders
            .iter()
            .rev()
            .find(|o| o.payment.as_deref() == Some(method))
            .map(|o| (now - o.ts).max(0) as f64 / 86_400_000.0)
    }

    /// How many of the latest orders in a row were paid with `method` (0 when the last was
    /// not): how set in their habit the shopper is.
    pub fn payment_streak(&self, method: &str) -> u32 {
        self.orders
            .iter()
            .rev()
            .filter(|o| o.payment.is_some())
            .take_while(|o| o.payment.as_deref() == Some(method))
            .count() as u32
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

#[cfg(test)]
mod tests;
