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
