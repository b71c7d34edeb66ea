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

mod elements;
mod lists;
mod slots;
mod tracking;

use elements::*;
use lists::LISTS;
use slots::*;
use tracking::*;

/// Delay before re-applying after the page changed a container, in ms.
const DEBOUNCE_MS: u32 = 30;

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

    /// The managed entry of `el`, added (as first seen) when there is none yet.
    fn find_or_add<'a>(managed: &'a mut Vec<Managed>, el: &Element) -> &'a mut Managed {
        match managed.iter().position(|m| &m.el == el) {
            Some(i) => &mut managed[i],
            None => {
                managed.push(Managed::new(el));
                let last = managed.len() - 1;
                &mut managed[last]
            }
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
                let m = Managed::find_or_add(&mut managed, &el);
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
            let m = Managed::find_or_add(&mut managed, &el);
            s.fill_cross_sells(&inner, m, why);
        }
        // Our own moves are not the page's changes.
        if let Some((o, _)) = &s.observer {
            let _ = o.take_records();
        }
    }
}
