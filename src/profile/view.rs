//! What the profile shows: `ProfileView` (what `profile()` returns and decisions read), built
//! from a `SessionProfile` at a given time.

use super::*;

impl SessionProfile {
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
