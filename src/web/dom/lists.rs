//! The reordered lists: payment methods and shipping options, decided from the page's own
//! order and written by moving only the nodes out of place.

use super::*;

/// The lists reordered in place: container marker, child id attribute, child type
/// attribute, which choice.
pub(super) const LISTS: [(&str, &str, &str, Choice); 2] = [
    (
        "payment-methods",
        "data-payment-method",
        "data-payment-type",
        Choice::Payment,
    ),
    (
        "shipping-options",
        "data-shipping-option",
        "data-shipping-type",
        Choice::Shipping,
    ),
];

impl Wiring {
    pub(super) fn apply_list(
        &self,
        inner: &Inner,
        m: &mut Managed,
        (id_attr, type_attr): (&str, &str),
        choice: Choice,
        (late, waiting): (bool, bool),
        why: Why,
    ) {
        let shown: Vec<(Element, String)> = children(&m.el)
            .into_iter()
            .filter_map(|e| attr(&e, id_attr).map(|id| (e, id)))
            .collect();
        if shown.is_empty() {
            return;
        }
        // The page's own order, captured once (again if the page changed which options
        // the list holds).
        let same_set = shown.len() == m.original.len()
            && shown
                .iter()
                .all(|(_, id)| m.original.iter().any(|o| o.id == *id));
        if !same_set {
            m.original = shown
                .iter()
                .map(|(e, id)| PaymentMethod {
                    id: id.clone(),
                    kind: attr(e, type_attr),
                })
                .collect();
        }
        match m.phase {
            Phase::Late => return,
            Phase::Pending if late => {
                m.phase = Phase::Late;
                set_attr_if_changed(&m.el, "data-personalize-state", Some("late"));
                self.late.set(true);
                let now = inner.now();
                if let Some(mut t) = inner.try_tracker() {
                    t.decision_late(choice.surface(), now);
                }
                return;
            }
            Phase::Pending if waiting => return,
            Phase::Shown
                if matches!(why, Why::ModelSettled | Why::Deadline)
                    || why == Why::Observed && same_set
                    || !m.movable() =>
            {
                return
            }
            _ => {}
        }
        let now = inner.now();
        let Some(mut t) = inner.try_tracker() else {
            return;
        };
        let ranking = match choice {
            Choice::Payment => t.rank_payment_methods(&m.original, now),
            Choice::Shipping => t.rank_shipping_options(&m.original, now),
        };
        drop(t);
        if m.phase == Phase::Pending {
            m.phase = Phase::Shown;
            if self.decided_at.get().is_none() {
                self.decided_at.set(Some(since_navigation()));
            }
        }
        write_order(&m.el, &shown, id_attr, &ranking);
    }
}

/// Moves the list's nodes into the ranking's order (only those out of place), then sets
/// eligibility, badges and the state attribute.
pub(super) fn write_order(
    container: &Element,
    shown: &[(Element, String)],
    id_attr: &str,
    r: &Ranking,
) {
    // Ranked ids back to their nodes (duplicates taken in page order).
    let mut unused: Vec<Option<&Element>> = shown.iter().map(|(e, _)| Some(e)).collect();
    let mut ranked = Vec::with_capacity(shown.len());
    for item in &r.items {
        let at = shown
            .iter()
            .enumerate()
            .position(|(k, (_, id))| *id == item.id && unused[k].is_some());
        if let Some(node) = at.and_then(|k| unused[k].take()) {
            ranked.push((node, item));
        }
    }
    if ranked.len() != shown.len() {
        return; // cannot happen (a permutation), but never risk losing a node
    }
    // The desired order: option slots take the ranked nodes, other children stay put.
    let all = children(container);
    let mut next = ranked.iter();
    let desired: Vec<Element> = all
        .iter()
        .map(|e| {
            if attr(e, id_attr).is_some() {
                next.next().map_or_else(|| e.clone(), |(n, _)| (*n).clone())
            } else {
                e.clone()
            }
        })
        .collect();
    if desired != all {
        let document = web_sys::window().and_then(|w| w.document());
        let focused = document.as_ref().and_then(|d| d.active_element());
        for (i, want) in desired.iter().enumerate() {
            let current = container.children().item(i as u32);
            if current.as_ref() != Some(want) {
                let _ = container.insert_before(want, current.as_ref().map(|c| c.as_ref()));
            }
        }
        if let (Some(f), Some(d)) = (focused, document) {
            if d.active_element().as_ref() != Some(&f) && f.is_connected() {
                if let Ok(h) = f.dyn_into::<HtmlElement>() {
                    let o = web_sys::FocusOptions::new();
                    o.set_prevent_scroll(true);
                    let _ = h.focus_with_options(&o);
                }
            }
        }
    }
    for (node, item) in &ranked {
        set_attr_if_changed(
            node,
            "data-personalize-eligible",
            (!item.eligible).then_some("false"),
        );
        let text = reason_text(&item.reasons, &|s| s.to_owned());
        for badge in query_all(node, "[data-personalize-badge]") {
            set_text_if_changed(&badge, &text);
        }
    }
    set_attr_if_changed(
        container,
        "data-personalize-state",
        Some(r.fallback.unwrap_or("ranked")),
    );
}
