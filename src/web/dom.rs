//! DOM auto-wiring: `personalizer.attach()`.
//!
//! - Lists, `[data-personalize="payment-methods"]` with `[data-payment-method]` children and
//!   `[data-personalize="shipping-options"]` with `[data-shipping-option]` children: the
//!   page's own order is captured the first time a list is seen and every decision is made
//!   from it (never from a previous decision), so applying twice equals applying once.
//!   Nodes are moved, never rebuilt (listeners, form state, checked radios and focus
//!   survive), and only when the decided order differs from what is shown.
//! - The first decision of a list is applied only before the decision deadline
//!   (`decisionDeadlineMs` after navigation start); past it the list keeps the page's
//!   order for this page view (`data-personalize-state="late"`). Later, a list moves only
//!   on a change the shopper made (cart, context) and only if the shopper never touched
//!   it (pointer down, focus) and the pointer is not over it. A model that arrives later
//!   changes nothing until then.
//! - Slots (`[data-personalize="cross-sell"]` with a `<template>`, and
//!   `[data-personalize-message]`) render into space the page reserves (see the README's
//!   CSS contract); their first fill may come after the deadline (it moves nothing), later
//!   ones follow the lists' rule. Text goes in as `textContent`; links and images only take
//!   `http(s):` or relative URLs.
//! - Auto-tracking: clicks on `[data-track]` (with `data-item-*`), list choices, and GA4
//!   `dataLayer` pushes (before and after attach, each once).
//!
//! Decisions come from the tracker; this file only reads and writes the DOM, and every
//! fallible browser call is a catching one.

use super::data_layer::{DataLayer, Role};
use super::guard::{after, observer, Listener, Observer};
use super::state::{Change, Inner};
use crate::catalog::{catalog_from_value, safe_url, CatalogItem, MAX_CATALOG};
use crate::rank::score::reason_text;
use crate::rank::{Choice, CrossSellRequest, PaymentMethod, Ranking};
use crate::value::Value;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

#[wasm_bindgen]
extern "C" {
    /// The global `Number(text)`.
    #[wasm_bindgen(js_name = Number)]
    fn js_number(text: &str) -> f64;
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat, catch)]
    fn number_format(locales: &JsValue, options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = performance, js_name = now, catch)]
    fn performance_now() -> Result<f64, JsValue>;
}

/// Delay before re-applying after the page changed a container, in ms.
const DEBOUNCE_MS: u32 = 30;

/// Whether the page's CSS hides `el` now (the contract's `visibility: hidden` while
/// undecided): the shopper has not seen it, whenever it appeared.
fn hidden_by_page(el: &Element) -> bool {
    web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .and_then(|s| s.get_property_value("visibility").ok())
        .is_some_and(|v| v == "hidden")
}

/// Milliseconds since navigation start (`performance.now()`).
pub(super) fn since_navigation() -> f64 {
    performance_now().unwrap_or(f64::INFINITY)
}

/// The lists reordered in place: container marker, child id attribute, child type
/// attribute, which choice.
const LISTS: [(&str, &str, &str, Choice); 2] = [
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

/// Where a container is in its page view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing decided yet (the page's CSS keeps it hidden until the deadline).
    Pending,
    /// A decision was applied.
    Shown,
    /// The deadline passed first: the page's order stays for this page view.
    Late,
}

/// One managed container, as first seen.
struct Managed {
    el: Element,
    /// Lists: the page's own order (ids and types), captured once.
    original: Vec<PaymentMethod>,
    phase: Phase,
    /// The shopper pressed or focused inside it: it never moves again in this page view.
    touched: Rc<Cell<bool>>,
    /// The pointer is over it now.
    hovered: Rc<Cell<bool>>,
    _listeners: Vec<Listener>,
}

impl Managed {
    fn new(el: &Element) -> Managed {
        let touched = Rc::new(Cell::new(false));
        let hovered = Rc::new(Cell::new(false));
        let mut listeners = Vec::new();
        for (event, flag, value) in [
            ("pointerdown", &touched, true),
            ("focusin", &touched, true),
            ("keydown", &touched, true),
            ("pointerover", &hovered, true),
            ("pointerleave", &hovered, false),
        ] {
            let flag = flag.clone();
            listeners.push(Listener::new(el, event, move |_| flag.set(value)));
        }
        Managed {
            el: el.clone(),
            original: Vec::new(),
            phase: Phase::Pending,
            touched,
            hovered,
            _listeners: listeners,
        }
    }

    /// Whether what it shows may change now (no pointer over it, no focus in it, never
    /// touched).
    fn movable(&self) -> bool {
        let focus_inside = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .is_some_and(|a| self.el.contains(Some(&a)));
        !self.touched.get() && !self.hovered.get() && !focus_inside
    }
}

/// What applied: the page asked (`attach`, `apply()`, a shopper's change); the page
/// changed a container we manage (the mutation observer); a model download settled; the
/// decision deadline came. Only the first may change what is shown; the others only decide
/// what is still undecided.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    Asked,
    Observed,
    ModelSettled,
    Deadline,
}

/// `status().dom`: how the first decision went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DomStatus {
    /// `pending` (nothing applied yet), `applied`, or `late` (the deadline passed first).
    pub decision: &'static str,
    /// When the first list was decided (ms since navigation start).
    pub decided_at_ms: Option<f64>,
    pub deadline_ms: u32,
}

struct DomState {
    /// Attached (not detached since).
    active: bool,
    root: Element,
    catalog: RefCell<Vec<CatalogItem>>,
    /// The inline catalogue's text, to read it again only when the page changed it.
    catalog_text: RefCell<Option<String>>,
    catalog_set_by_call: Cell<bool>,
    managed: RefCell<Vec<Managed>>,
    _listeners: Vec<Listener>,
    observer: Option<Observer>,
    data_layer: Option<DataLayer>,
}

impl DomState {
    /// Stops listening (a detach): what was learnt about the lists stays.
    fn deactivate(&mut self) {
        self.active = false;
        if let Some((o, _)) = self.observer.take() {
            o.disconnect();
        }
        self._listeners.clear();
        if let Some(d) = &self.data_layer {
            d.pause();
        }
    }
}

impl Drop for DomState {
    fn drop(&mut self) {
        self.deactivate();
    }
}

/// The DOM wiring of one `Personalizer` (held by it; listeners hold `Weak`s).
pub(super) struct Wiring {
    inner: Weak<Inner>,
    state: RefCell<Option<DomState>>,
    /// A re-apply is scheduled, for this reason (the page asking wins over an observed
    /// change).
    pending: Cell<Option<Why>>,
    deadline_ms: u32,
    decided_at: Cell<Option<f64>>,
    late: Cell<bool>,
}

fn attr(e: &Element, name: &str) -> Option<String> {
    e.get_attribute(name).filter(|s| !s.is_empty())
}

/// A data attribute's number as the page's JavaScript reads it (`Number(text)`), when it is
/// finite: "2.5" and " 3 " count, "1,99", "Infinity", "12 EUR" and blank text (which
/// `Number` reads as 0) do not.
fn number(text: &str) -> Option<f64> {
    if text.trim().is_empty() {
        return None;
    }
    let v = js_number(text);
    v.is_finite().then_some(v)
}

fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

fn children(e: &Element) -> Vec<Element> {
    let c = e.children();
    (0..c.length()).filter_map(|i| c.item(i)).collect()
}

fn set_text_if_changed(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

fn set_attr_if_changed(e: &Element, name: &str, value: Option<&str>) {
    match value {
        Some(v) if e.get_attribute(name).as_deref() != Some(v) => {
            let _ = e.set_attribute(name, v);
        }
        None if e.has_attribute(name) => {
            let _ = e.remove_attribute(name);
        }
        _ => {}
    }
}

/// The inline catalogue's script element, if the page has one.
fn inline_catalog(root: &Element) -> Option<Element> {
    query_all(
        root,
        r#"script[type="application/json"][data-personalize="catalog"]"#,
    )
    .into_iter()
    .next()
}

/// Reads a catalogue's JSON text (up to `MAX_CATALOG` items).
fn parse_catalog(text: &str) -> Option<Vec<CatalogItem>> {
    let v = json_parse(text).ok()?;
    let v = super::convert::to_value_with(&v, MAX_CATALOG).ok()?;
    catalog_from_value(&v)
}

/// A price in the shopper's locale and the item's currency; a plain `2.50 EUR` when `Intl`
/// refuses either (an unknown currency, a locale it cannot read).
fn format_price(price: f64, currency: Option<&str>, locale: Option<&str>) -> String {
    let locales = js_sys::Array::new();
    if let Some(l) = locale {
        locales.push(&JsValue::from_str(l));
    }
    let opts = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&opts, &k.into(), v);
    if let Some(c) = currency {
        let _ = set("style", &"currency".into());
        let _ = set("currency", &c.into());
    } else {
        let _ = set("minimumFractionDigits", &2.into());
    }
    let intl = number_format(&locales, &opts)
        .ok()
        .and_then(|f| {
            let format = js_sys::Reflect::get(&f, &"format".into()).ok()?;
            format
                .dyn_into::<js_sys::Function>()
                .ok()?
                .call1(&f, &JsValue::from_f64(price))
                .ok()
        })
        .and_then(|v| v.as_string());
    intl.unwrap_or_else(|| {
        let plain = js_sys::Number::from(price)
            .to_fixed(2)
            .map(String::from)
            .unwrap_or_default();
        match currency {
            Some(c) => format!("{plain} {c}"),
            None => plain,
        }
    })
}

impl Wiring {
    pub(super) fn new(inner: &Rc<Inner>, deadline_ms: u32) -> Rc<Wiring> {
        Rc::new(Wiring {
            inner: Rc::downgrade(inner),
            state: RefCell::new(None),
            pending: Cell::new(None),
            deadline_ms,
            decided_at: Cell::new(None),
            late: Cell::new(false),
        })
    }

    pub(super) fn status(&self) -> DomStatus {
        DomStatus {
            decision: if self.decided_at.get().is_some() {
                "applied"
            } else if self.late.get() {
                "late"
            } else {
                "pending"
            },
            decided_at_ms: self.decided_at.get(),
            deadline_ms: self.deadline_ms,
        }
    }

    pub(super) fn attached(&self) -> bool {
        self.state
            .try_borrow()
            .is_ok_and(|s| s.as_ref().is_some_and(|s| s.active))
    }

    /// Starts the wiring (again): applies at once, then on every change.
    pub(super) fn attach(
        self: &Rc<Self>,
        root: Option<Element>,
        auto_track: bool,
        data_layer: bool,
    ) -> Result<(), String> {
        let Some(inner) = self.inner.upgrade() else {
            return Err("the personalizer is gone".into());
        };
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("attach needs a browser document")?;
        let root = match root {
            Some(r) => r,
            None => document
                .document_element()
                .ok_or("the document has no root element")?,
        };
        let mut listeners = Vec::new();
        // The contract's CSS reveals an undecided container at its deadline: decide then
        // what is still undecided (it keeps the page's order).
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&root, "animationend", move |e| {
            let reveal = js_sys::Reflect::get(e, &"animationName".into())
                .ok()
                .and_then(|n| n.as_string())
                .is_some_and(|n| n == "cp-reveal");
            if let (true, Some(w)) = (reveal, weak.upgrade()) {
                w.apply_now(Why::Deadline);
            }
        }));
        if auto_track {
            let weak = Rc::downgrade(&inner);
            listeners.push(Listener::new(&root, "click", move |e| {
                if let Some(inner) = weak.upgrade() {
                    on_click(&inner, e);
                }
            }));
            let weak = Rc::downgrade(&inner);
            listeners.push(Listener::new(&root, "change", move |e| {
                if let Some(inner) = weak.upgrade() {
                    on_change(&inner, e);
                }
            }));
        }
        // Containers the parser adds are decided at once (a mutation callback runs before
        // the next frame); changes the page makes inside them are re-read after a pause.
        let weak = Rc::downgrade(self);
        let callback =
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_records: JsValue, _o: JsValue| {
                if let Some(w) = weak.upgrade() {
                    w.observed();
                }
            });
        let observer = observer(callback).map(|(o, callback)| {
            let init = web_sys::MutationObserverInit::new();
            init.set_child_list(true);
            init.set_subtree(true);
            let _ = o.observe_with_options(&root, &init);
            (o, callback)
        });
        // A second attach keeps the catalogue, the dataLayer position and what the lists
        // were first seen as (so nothing is ingested twice and nothing moves again).
        {
            let mut st = self.state.borrow_mut();
            match st.as_mut() {
                Some(s) => {
                    s.deactivate();
                    s.active = true;
                    s.root = root;
                    s._listeners = listeners;
                    s.observer = observer;
                }
                None => {
                    *st = Some(DomState {
                        active: true,
                        root,
                        catalog: RefCell::new(Vec::new()),
                        catalog_text: RefCell::new(None),
                        catalog_set_by_call: Cell::new(false),
                        managed: RefCell::new(Vec::new()),
                        _listeners: listeners,
                        observer,
                        data_layer: None,
                    })
                }
            }
        }
        // Changes the shopper makes (cart, checkout) re-apply; a settled download decides
        // what still waits for it.
        let weak = Rc::downgrade(self);
        *inner.on_change.borrow_mut() = Some(Rc::new(move |change| {
            if let Some(w) = weak.upgrade() {
                match change {
                    Change::Shopper => w.schedule(),
                    Change::ModelSettled => w.apply_now(Why::ModelSettled),
                }
            }
        }));
        // At the deadline, what is still undecided keeps the page's order.
        let left = f64::from(self.deadline_ms) - since_navigation();
        if left > 0.0 {
            let weak = Rc::downgrade(self);
            after(left.ceil() as u32 + 1, move || {
                if let Some(w) = weak.upgrade() {
                    w.apply_now(Why::Deadline);
                }
            });
        }
        self.apply_now(Why::Asked);
        // The dataLayer last: its replay tracks events, which schedule a re-apply.
        if data_layer {
            let resumed = self
                .state
                .borrow()
                .as_ref()
                .and_then(|s| s.data_layer.as_ref().map(DataLayer::resume))
                .is_some();
            if !resumed {
                let dl = DataLayer::listen(&inner, Role::Ecommerce);
                if let Some(s) = self.state.borrow_mut().as_mut() {
                    s.data_layer = dl;
                }
            }
        }
        Ok(())
    }

    /// Stops the wiring; the page keeps what it shows.
    pub(super) fn detach(&self) {
        if let Some(inner) = self.inner.upgrade() {
            *inner.on_change.borrow_mut() = None;
        }
        if let Ok(mut s) = self.state.try_borrow_mut() {
            if let Some(state) = s.as_mut() {
                state.deactivate();
            }
        }
    }

    pub(super) fn set_catalog(&self, items: Vec<CatalogItem>) -> bool {
        match self
            .state
            .try_borrow()
            .ok()
            .as_deref()
            .and_then(Option::as_ref)
        {
            Some(s) if s.active => {
                *s.catalog.borrow_mut() = items;
                s.catalog_set_by_call.set(true);
                true
            }
            _ => false,
        }
    }

    /// Re-applies soon (once per burst of changes).
    pub(super) fn schedule(self: &Rc<Self>) {
        self.later(Why::Asked);
    }

    fn later(self: &Rc<Self>, why: Why) {
        if let Some(p) = self.pending.get() {
            self.pending.set(Some(p.min(why)));
            return;
        }
        self.pending.set(Some(why));
        let weak = Rc::downgrade(self);
        after(DEBOUNCE_MS, move || {
            if let Some(w) = weak.upgrade() {
                if let Some(why) = w.pending.take() {
                    w.apply_now(why);
                }
            }
        });
    }

    /// The mutation observer: new containers are decided now; other changes later.
    fn observed(self: &Rc<Self>) {
        let new_container = self
            .state
            .try_borrow()
            .ok()
            .as_deref()
            .and_then(Option::as_ref)
            .is_some_and(|s| {
                let managed = s.managed.borrow();
                LISTS
                    .iter()
                    .map(|l| l.0)
                    .chain(["cross-sell"])
                    .flat_map(|m| query_all(&s.root, &format!("[data-personalize=\"{m}\"]")))
                    .any(|el| !managed.iter().any(|m| m.el == el))
            });
        if new_container {
            self.apply_now(Why::Observed);
        } else {
            self.later(Why::Observed);
        }
    }

    /// Applies every managed container now (`apply()`). Never throws: the page keeps what
    /// it shows when anything goes wrong.
    pub(super) fn apply(self: &Rc<Self>) {
        self.apply_now(Why::Asked);
    }

    fn apply_now(self: &Rc<Self>, why: Why) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let Ok(state) = self.state.try_borrow() else {
            return;
        };
        let Some(s) = state.as_ref().filter(|s| s.active) else {
            return;
        };
        s.refresh_catalog();
        let past_deadline = since_navigation() > f64::from(self.deadline_ms);
        // A first decision waits for a model download under way (while it may still come).
        let downloading = inner.loads_in_flight.get() > 0
            && inner.try_tracker().is_some_and(|t| t.model().is_none());
        let mut waiting = false;
        for (marker, id_attr, type_attr, choice) in LISTS {
            for el in query_all(&s.root, &format!("[data-personalize=\"{marker}\"]")) {
                // Too late once the shopper may have seen it: the page's CSS no longer
                // hides it (the contract hides an undecided container for the deadline
                // after it appears), and the deadline after navigation passed.
                let late = past_deadline && !hidden_by_page(&el);
                waiting |= downloading && !late;
                let mut managed = s.managed.borrow_mut();
                let m = match managed.iter().position(|m| m.el == el) {
                    Some(i) => &mut managed[i],
                    None => {
                        managed.push(Managed::new(&el));
                        let last = managed.len() - 1;
                        &mut managed[last]
                    }
                };
                let wait = downloading && !late;
                self.apply_list(&inner, m, (id_attr, type_attr), choice, (late, wait), why);
            }
        }
        if waiting {
            return;
        }
        fill_messages(&inner, s, why);
        for el in query_all(&s.root, r#"[data-personalize="cross-sell"]"#) {
            let mut managed = s.managed.borrow_mut();
            let m = match managed.iter().position(|m| m.el == el) {
                Some(i) => &mut managed[i],
                None => {
                    managed.push(Managed::new(&el));
                    let last = managed.len() - 1;
                    &mut managed[last]
                }
            };
            s.fill_cross_sells(&inner, m, why);
        }
        // Our own moves are not the page's changes.
        if let Some((o, _)) = &s.observer {
            let _ = o.take_records();
        }
    }

    fn apply_list(
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
fn write_order(container: &Element, shown: &[(Element, String)], id_attr: &str, r: &Ranking) {
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

impl DomState {
    /// Reads the inline catalogue again when the page changed its text.
    fn refresh_catalog(&self) {
        if self.catalog_set_by_call.get() {
            return;
        }
        let Some(script) = inline_catalog(&self.root) else {
            return;
        };
        let text = script.text_content().unwrap_or_default();
        if self.catalog_text.borrow().as_deref() == Some(text.as_str()) {
            return;
        }
        match parse_catalog(&text) {
            Some(items) => *self.catalog.borrow_mut() = items,
            None => web_sys::console::warn_1(
                &"checkout-personalizer: the inline catalogue is not a JSON array; ignored".into(),
            ),
        }
        *self.catalog_text.borrow_mut() = Some(text);
    }

    fn fill_cross_sells(&self, inner: &Inner, m: &mut Managed, why: Why) {
        let slot = m.el.clone();
        let Some(template) = query_all(&slot, "template")
            .into_iter()
            .next()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTemplateElement>().ok())
        else {
            return;
        };
        let catalog = self.catalog.borrow();
        let now = inner.now();
        let Some(mut t) = inner.try_tracker() else {
            return;
        };
        let in_cart: Vec<String> = t
            .profile(now)
            .cart
            .items
            .iter()
            .map(|l| l.id.clone())
            .collect();
        // Shown cards whose item went into the cart say so (the slot itself may not move).
        for card in query_all(&slot, "[data-personalize-item]") {
            let id = attr(&card, "data-personalize-item").unwrap_or_default();
            set_attr_if_changed(
                &card,
                "data-personalize-in-cart",
                in_cart.contains(&id).then_some("true"),
            );
        }
        if m.phase == Phase::Shown && (why != Why::Asked || !m.movable()) {
            return;
        }
        let limit = attr(&slot, "data-limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(5)
            .min(crate::rank::MAX_CROSS_SELLS);
        let req = CrossSellRequest {
            items: None,
            limit: Some(limit),
            candidates: (!catalog.is_empty())
                .then(|| catalog.iter().map(|c| c.id.clone()).collect()),
        };
        let ranking = t.rank_cross_sells(&req, now);
        let locale = t.locale(now);
        drop(t);
        let name_of = |id: &str| -> String {
            catalog
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.name.clone())
                .or_else(|| {
                    ranking
                        .items
                        .iter()
                        .find(|r| r.id == id)
                        .and_then(|r| r.name.clone())
                })
                .unwrap_or_else(|| id.to_owned())
        };
        // What the slot shows: ids and reasons. Re-render only when it changes.
        let signature: String = ranking
            .items
            .iter()
            .map(|r| format!("{}\u{1f}{}", r.id, reason_text(&r.reasons, &name_of)))
            .collect::<Vec<_>>()
            .join("\u{1e}");
        let shown = query_all(&slot, "[data-personalize-item]");
        m.phase = Phase::Shown;
        if attr(&slot, "data-personalize-rendered").as_deref() == Some(signature.as_str())
            && shown.is_empty() == ranking.items.is_empty()
        {
            return;
        }
        for old in shown {
            old.remove();
        }
        let _ = slot.set_attribute("data-personalize-rendered", &signature);
        for r in &ranking.items {
            let item = catalog.iter().find(|c| c.id == r.id);
            let Ok(fragment) = template.content().clone_node_with_deep(true) else {
                continue;
            };
            let Ok(fragment) = fragment.dyn_into::<web_sys::DocumentFragment>() else {
                continue;
            };
            let elements = fragment.children();
            let tops: Vec<Element> = (0..elements.length())
                .filter_map(|i| elements.item(i))
                .collect();
            for top in &tops {
                fill_card(top, r, item, &name_of, locale.as_deref());
            }
            let _ = slot.append_child(&fragment);
        }
        let _ = slot.set_attribute(
            "data-personalize-state",
            ranking.fallback.unwrap_or("ranked"),
        );
    }
}

/// One card of a cross-sell slot, from the template's `[data-field]`s.
fn fill_card(
    top: &Element,
    r: &crate::rank::Ranked,
    item: Option<&CatalogItem>,
    name_of: &dyn Fn(&str) -> String,
    locale: Option<&str>,
) {
    let _ = top.set_attribute("data-personalize-item", &r.id);
    let _ = top.set_attribute("data-item-id", &r.id);
    let mut fields = query_all(top, "[data-field]");
    if top.has_attribute("data-field") {
        fields.push(top.clone());
    }
    let link = |f: &Element, name: &str, url: Option<&str>| match url.filter(|u| safe_url(u)) {
        Some(u) => {
            let _ = f.set_attribute(name, u);
        }
        None => {
            let _ = f.remove_attribute(name);
        }
    };
    for f in fields {
        match attr(&f, "data-field").as_deref() {
            Some("name") => f.set_text_content(Some(&name_of(&r.id))),
            Some("price") => {
                let p = item.and_then(|i| i.price);
                let currency = item.and_then(|i| i.currency.as_deref());
                f.set_text_content(Some(
                    &p.map(|p| format_price(p, currency, locale))
                        .unwrap_or_default(),
                ));
            }
            Some("category") => f.set_text_content(Some(
                item.and_then(|i| i.category.as_deref())
                    .or(r.category.as_deref())
                    .unwrap_or(""),
            )),
            Some("reason") => f.set_text_content(Some(&reason_text(&r.reasons, name_of))),
            Some("url") => link(&f, "href", item.and_then(|i| i.url.as_deref())),
            Some("image") => link(&f, "src", item.and_then(|i| i.image.as_deref())),
            _ => {}
        }
    }
    // Buttons in the template track the item they belong to.
    for b in query_all(top, "[data-track]") {
        let _ = b.set_attribute("data-item-id", &r.id);
        if let Some(n) = item.and_then(|i| i.name.as_deref()) {
            let _ = b.set_attribute("data-item-name", n);
        }
        if let Some(c) = item.and_then(|i| i.category.as_deref()) {
            let _ = b.set_attribute("data-item-category", c);
        }
        if let Some(p) = item.and_then(|i| i.price) {
            // A JS number's own text: no float formatting in the wasm.
            let text = js_sys::Number::from(p)
                .to_string_with_radix(10)
                .map(String::from)
                .unwrap_or_default();
            let _ = b.set_attribute("data-item-price", &text);
        }
        if let Some(c) = item.and_then(|i| i.currency.as_deref()) {
            if !b.has_attribute("data-currency") {
                let _ = b.set_attribute("data-currency", c);
            }
        }
    }
}

fn closest(e: &web_sys::Event, selector: &str) -> Option<Element> {
    e.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()?
}

fn on_click(inner: &Rc<Inner>, e: &web_sys::Event) {
    let Some(el) = closest(e, "[data-track]") else {
        return;
    };
    let Some(kind) = attr(&el, "data-track") else {
        return;
    };
    let mut fields = vec![("type".to_owned(), Value::Str(kind))];
    if let Some(id) = attr(&el, "data-item-id") {
        let mut item = vec![("item_id".to_owned(), Value::Str(id))];
        for (a, k) in [
            ("data-item-name", "item_name"),
            ("data-item-category", "item_category"),
            ("data-item-brand", "item_brand"),
        ] {
            if let Some(v) = attr(&el, a) {
                item.push((k.to_owned(), Value::Str(v)));
            }
        }
        for (a, k) in [
            ("data-item-price", "price"),
            ("data-item-quantity", "quantity"),
        ] {
            if let Some(v) = attr(&el, a).and_then(|v| number(&v)) {
                item.push((k.to_owned(), Value::Num(v)));
            }
        }
        fields.push(("items".to_owned(), Value::List(vec![Value::Map(item)])));
    }
    if let Some(c) = attr(&el, "data-currency") {
        fields.push(("currency".to_owned(), Value::Str(c)));
    }
    if let Some(p) = attr(&el, "data-payment-method") {
        fields.push(("payment_type".to_owned(), Value::Str(p)));
    }
    inner.track_quietly(&Value::Map(fields), inner.now());
}

fn on_change(inner: &Rc<Inner>, e: &web_sys::Event) {
    let checked = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_none_or(|i| i.type_() != "radio" && i.type_() != "checkbox" || i.checked());
    if !checked {
        return;
    }
    for (marker, id_attr, _, choice) in LISTS {
        let Some(el) = closest(e, &format!("[data-personalize=\"{marker}\"] [{id_attr}]")) else {
            continue;
        };
        let Some(id) = attr(&el, id_attr) else {
            continue;
        };
        let (kind, field) = match choice {
            Choice::Payment => ("select_payment_method", "payment_type"),
            Choice::Shipping => ("add_shipping_info", "shipping_tier"),
        };
        let v = Value::Map(vec![
            ("type".to_owned(), Value::Str(kind.into())),
            (field.to_owned(), Value::Str(id)),
        ]);
        inner.track_quietly(&v, inner.now());
        return;
    }
}

/// `[data-personalize-message="<slot>"]` elements get their slot's message as text (or are
/// emptied when none applies); once shown, a message changes only while nobody touches it.
fn fill_messages(inner: &Inner, s: &DomState, why: Why) {
    let els = query_all(&s.root, "[data-personalize-message]");
    if els.is_empty() {
        return;
    }
    let slots: Vec<String> = els
        .iter()
        .filter_map(|e| attr(e, "data-personalize-message"))
        .collect();
    let now = inner.now();
    let Some(t) = inner.try_tracker() else { return };
    let chosen = t.choose_messages(&slots, now);
    drop(t);
    let mut managed = s.managed.borrow_mut();
    for e in els {
        let Some(slot) = attr(&e, "data-personalize-message") else {
            continue;
        };
        let m = match managed.iter().position(|m| m.el == e) {
            Some(i) => &mut managed[i],
            None => {
                managed.push(Managed::new(&e));
                let last = managed.len() - 1;
                &mut managed[last]
            }
        };
        if m.phase == Phase::Shown && (why != Why::Asked || !m.movable()) {
            continue;
        }
        m.phase = Phase::Shown;
        let chosen = chosen.iter().find(|c| c.slot == slot);
        set_text_if_changed(&e, chosen.and_then(|c| c.text.as_deref()).unwrap_or(""));
        set_attr_if_changed(&e, "data-message-id", chosen.and_then(|c| c.id.as_deref()));
        set_attr_if_changed(&e, "data-personalize-state", Some("ranked"));
    }
}
