//! DOM auto-wiring: `personalizer.attach()`.
//!
//! - `[data-personalize="payment-methods"]`: its `[data-payment-method="<id>"]` children are
//!   reordered in place, by moving the existing nodes (listeners, form state and checked
//!   radios survive; focus is restored). `[data-personalize-badge]` slots inside get the top
//!   reason as text. Ineligible methods get `data-personalize-eligible="false"`, never hidden.
//! - `[data-personalize="cross-sell"]` with a `<template>`: filled with up to `data-limit`
//!   items from the page's catalogue (`<script type="application/json"
//!   data-personalize="catalog">` or `setCatalog`). Text goes in as `textContent`; links and
//!   images only take `http(s):` or relative URLs.
//! - Auto-tracking: clicks on `[data-track]` (with `data-item-*`), payment method changes, and
//!   GA4 `window.dataLayer` pushes, before and after load.
//! - Re-applies (debounced) when the cart changes or the page changes the containers.
//!
//! Decisions come from the tracker; this file only reads and writes the DOM.

use super::exports::Inner;
use crate::rank::{Choice, CrossSellRequest, PaymentMethod, Reason};
use crate::value::Value;
use gloo_events::EventListener;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

#[wasm_bindgen(inline_js = "
export function wrap_push(dl, ingest) {
  if (!dl || typeof dl.push !== 'function' || dl.__cpWrapped) return false;
  const orig = dl.push;
  dl.push = function () {
    const r = orig.apply(this, arguments);
    for (let i = 0; i < arguments.length; i++) { try { ingest(arguments[i]); } catch (e) { /* never the page's problem */ } }
    return r;
  };
  Object.defineProperty(dl, '__cpWrapped', { value: true });
  return true;
}
")]
extern "C" {
    fn wrap_push(data_layer: &JsValue, ingest: &js_sys::Function) -> bool;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: u32) -> JsValue;
    /// The global `Number(text)`.
    #[wasm_bindgen(js_name = Number)]
    fn js_number(text: &str) -> f64;
}

/// Most catalogue items read from the page.
pub const MAX_CATALOG: usize = 5000;
/// Delay before re-applying after a change, in ms.
const DEBOUNCE_MS: u32 = 30;

/// One item of the page's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    pub id: String,
    pub name: Option<String>,
    pub price: Option<f64>,
    pub currency: Option<String>,
    pub url: Option<String>,
    pub image: Option<String>,
    pub category: Option<String>,
}

/// Reads `[{item_id, item_name?, price?, currency?, url?, image?, item_category?}]`.
pub fn catalog_from_value(v: &Value) -> Vec<CatalogItem> {
    let Value::List(items) = v else {
        return Vec::new();
    };
    let text = |x: &Value, k: &str| match x.field(k) {
        Some(Value::Str(s)) if !s.is_empty() && s.len() <= 2000 => Some(s.clone()),
        Some(Value::Num(n)) if k == "item_id" && n.fract() == 0.0 => Some((*n as i64).to_string()),
        _ => None,
    };
    items
        .iter()
        .take(MAX_CATALOG)
        .filter_map(|x| {
            Some(CatalogItem {
                id: text(x, "item_id").or_else(|| text(x, "id"))?,
                name: text(x, "item_name").or_else(|| text(x, "name")),
                price: match x.field("price") {
                    Some(Value::Num(n)) if n.is_finite() => Some(*n),
                    _ => None,
                },
                currency: text(x, "currency"),
                url: text(x, "url"),
                image: text(x, "image"),
                category: text(x, "item_category").or_else(|| text(x, "category")),
            })
        })
        .collect()
}

/// `http:`/`https:` URLs and relative ones; never `javascript:`, `data:` or other schemes.
pub fn safe_url(u: &str) -> bool {
    let t = u.trim_start();
    if t.is_empty() || t.chars().any(|c| c.is_control()) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    // Relative: no scheme before the first '/', '?' or '#'.
    let head = t.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':') && !t.starts_with("//") && !t.starts_with("\\")
}

/// A short shopper-facing text for a ranked entry: the first labelled reason.
pub fn reason_text(reasons: &[Reason], names: &dyn Fn(&str) -> String) -> String {
    for r in reasons {
        match r {
            Reason::Rule { label: Some(l), .. } | Reason::Feature { label: Some(l), .. } => {
                return l.clone()
            }
            Reason::BoughtWith { items } if !items.is_empty() => {
                let n: Vec<String> = items.iter().take(2).map(|i| names(i)).collect();
                return format!("Often bought with {}", n.join(" and "));
            }
            Reason::CategoryAffinity { category } => return format!("More {category}"),
            Reason::Popular => return "Popular right now".into(),
            _ => {}
        }
    }
    String::new()
}

/// The observer and the callback it calls (kept alive together).
type Observer = (
    web_sys::MutationObserver,
    Closure<dyn FnMut(JsValue, JsValue)>,
);

pub(super) struct DomState {
    root: web_sys::Element,
    catalog: RefCell<Vec<CatalogItem>>,
    catalog_set_by_call: Cell<bool>,
    pending: Cell<bool>,
    _listeners: Vec<EventListener>,
    observer: Option<Observer>,
    _ingest: Option<Closure<dyn FnMut(JsValue)>>,
}

impl Drop for DomState {
    fn drop(&mut self) {
        if let Some((o, _)) = &self.observer {
            o.disconnect();
        }
    }
}

fn attr(e: &Element, name: &str) -> Option<String> {
    e.get_attribute(name).filter(|s| !s.is_empty())
}

/// A data attribute's number as the page's JavaScript reads it (`Number(text)`), when it is
/// finite: "2.5" and " 3 " count, "1,99", "Infinity", "12 EUR" and blank text (which
/// `Number` reads as 0) do not. JS parses it, so the module carries no decimal-to-float
/// parser (about 15 KB gzip of code and tables).
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

/// Reads the inline catalogue, if the page has one.
fn read_inline_catalog(root: &Element) -> Vec<CatalogItem> {
    let Some(script) = query_all(
        root,
        r#"script[type="application/json"][data-personalize="catalog"]"#,
    )
    .into_iter()
    .next() else {
        return Vec::new();
    };
    let text = script.text_content().unwrap_or_default();
    match js_sys::JSON::parse(&text)
        .ok()
        .and_then(|v| super::convert::to_value(&v).ok())
    {
        Some(v) => catalog_from_value(&v),
        None => {
            web_sys::console::warn_1(
                &"checkout-personalizer: the inline catalogue is not valid JSON; ignored".into(),
            );
            Vec::new()
        }
    }
}

impl DomState {
    pub(super) fn attach(
        inner: &Rc<Inner>,
        root: Option<Element>,
        auto_track: bool,
        data_layer: bool,
    ) -> Result<DomState, JsError> {
        let window =
            web_sys::window().ok_or_else(|| JsError::new("dom: attach needs a browser window"))?;
        let document = window
            .document()
            .ok_or_else(|| JsError::new("dom: attach needs a document"))?;
        let root = match root {
            Some(r) => r,
            None => document
                .document_element()
                .ok_or_else(|| JsError::new("dom: the document has no root element"))?,
        };
        let catalog = read_inline_catalog(&root);
        let mut listeners = Vec::new();
        if auto_track {
            let weak = Rc::downgrade(inner);
            listeners.push(EventListener::new(&root, "click", move |e| {
                if let Some(inner) = weak.upgrade() {
                    on_click(&inner, e);
                }
            }));
            let weak = Rc::downgrade(inner);
            listeners.push(EventListener::new(&root, "change", move |e| {
                if let Some(inner) = weak.upgrade() {
                    on_change(&inner, e);
                }
            }));
        }
        // Re-read when the page changes what we manage (debounced; applying is idempotent,
        // so our own moves settle after one round).
        let weak = Rc::downgrade(inner);
        let callback =
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_records: JsValue, _o: JsValue| {
                if let Some(inner) = weak.upgrade() {
                    schedule(&inner);
                }
            });
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref())
            .ok()
            .map(|o| {
                let init = web_sys::MutationObserverInit::new();
                init.set_child_list(true);
                init.set_subtree(true);
                let _ = o.observe_with_options(&root, &init);
                (o, callback)
            });
        let mut ingest = None;
        if data_layer {
            let weak: Weak<Inner> = Rc::downgrade(inner);
            let f = Closure::<dyn FnMut(JsValue)>::new(move |entry: JsValue| {
                if let Some(inner) = weak.upgrade() {
                    ingest_data_layer(&inner, &entry);
                }
            });
            let global: JsValue = window.clone().into();
            let key = JsValue::from_str("dataLayer");
            let mut dl = js_sys::Reflect::get(&global, &key).unwrap_or(JsValue::UNDEFINED);
            if dl.is_undefined() {
                // The GA4 convention (`window.dataLayer = window.dataLayer || []`).
                dl = js_sys::Array::new().into();
                let _ = js_sys::Reflect::set(&global, &key, &dl);
            }
            if let Some(arr) = dl.dyn_ref::<js_sys::Array>() {
                for entry in arr.iter() {
                    ingest_data_layer(inner, &entry);
                }
            }
            wrap_push(&dl, f.as_ref().unchecked_ref());
            ingest = Some(f);
        }
        Ok(DomState {
            root,
            catalog: RefCell::new(catalog),
            catalog_set_by_call: Cell::new(false),
            pending: Cell::new(false),
            _listeners: listeners,
            observer,
            _ingest: ingest,
        })
    }

    pub(super) fn set_catalog(&self, items: Vec<CatalogItem>) {
        *self.catalog.borrow_mut() = items;
        self.catalog_set_by_call.set(true);
    }
}

/// Re-applies soon (once per burst of changes).
pub(super) fn schedule(inner: &Rc<Inner>) {
    let Ok(dom) = inner.dom.try_borrow() else {
        return;
    };
    let Some(state) = dom.as_ref() else { return };
    if state.pending.replace(true) {
        return;
    }
    let weak = Rc::downgrade(inner);
    let cb = Closure::once_into_js(move || {
        if let Some(inner) = weak.upgrade() {
            if let Ok(dom) = inner.dom.try_borrow() {
                if let Some(s) = dom.as_ref() {
                    s.pending.set(false);
                }
            }
            apply(&inner);
        }
    });
    set_timeout(&cb, DEBOUNCE_MS);
}

/// Applies every managed container now. Never throws: the page keeps whatever order it has
/// when anything goes wrong.
pub(super) fn apply(inner: &Rc<Inner>) {
    let Ok(dom) = inner.dom.try_borrow() else {
        return;
    };
    let Some(state) = dom.as_ref() else { return };
    if !state.catalog_set_by_call.get() {
        // The inline catalogue may have been replaced by the page.
        let fresh = read_inline_catalog(&state.root);
        if !fresh.is_empty() {
            *state.catalog.borrow_mut() = fresh;
        }
    }
    for list in LISTS {
        for container in query_all(&state.root, &format!("[data-personalize=\"{}\"]", list.0)) {
            reorder(inner, &container, list);
        }
    }
    fill_messages(inner, &state.root);
    for slot in query_all(&state.root, r#"[data-personalize="cross-sell"]"#) {
        fill_cross_sells(inner, state, &slot);
    }
}

/// The lists reordered in place: container marker, child id attribute, child type
/// attribute, what they are.
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

fn reorder(inner: &Inner, container: &Element, list: (&str, &str, &str, Choice)) {
    let (_, id_attr, type_attr, choice) = list;
    let all = children(container);
    let methods: Vec<(usize, Element, String)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, e)| attr(e, id_attr).map(|id| (i, e.clone(), id)))
        .collect();
    if methods.is_empty() {
        return;
    }
    let input: Vec<PaymentMethod> = methods
        .iter()
        .map(|(_, e, id)| PaymentMethod {
            id: id.clone(),
            kind: attr(e, type_attr),
        })
        .collect();
    let now = inner.now();
    let Ok(mut t) = inner.tracker_mut() else {
        return;
    };
    let ranking = match choice {
        Choice::Payment => t.rank_payment_methods(&input, now),
        Choice::Shipping => t.rank_shipping_options(&input, now),
    };
    drop(t);
    // Map ranked ids back to their nodes (duplicates taken in page order).
    let mut unused: Vec<Option<Element>> =
        methods.iter().map(|(_, e, _)| Some(e.clone())).collect();
    let mut ranked_nodes = Vec::with_capacity(methods.len());
    for r in &ranking.items {
        if let Some(pos) = methods
            .iter()
            .enumerate()
            .position(|(k, (_, _, id))| *id == r.id && unused[k].is_some())
        {
            if let Some(node) = unused[pos].take() {
                ranked_nodes.push((node, r));
            }
        }
    }
    if ranked_nodes.len() != methods.len() {
        return; // cannot happen (a permutation), but never risk losing a node
    }
    // The desired order: method slots take the ranked nodes, other children stay put.
    let mut next = ranked_nodes.iter();
    let desired: Vec<Element> = all
        .iter()
        .map(|e| {
            if attr(e, id_attr).is_some() {
                next.next().map_or_else(|| e.clone(), |(n, _)| n.clone())
            } else {
                e.clone()
            }
        })
        .collect();
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
    for (node, r) in &ranked_nodes {
        set_attr_if_changed(
            node,
            "data-personalize-eligible",
            (!r.eligible).then_some("false"),
        );
        let text = reason_text(&r.reasons, &|s| s.to_owned());
        for badge in query_all(node, "[data-personalize-badge]") {
            set_text_if_changed(&badge, &text);
        }
    }
    let state = ranking.fallback.unwrap_or("ranked");
    set_attr_if_changed(container, "data-personalize-state", Some(state));
}

fn format_price(price: f64, currency: Option<&str>) -> String {
    let locales = js_sys::Array::new();
    if let Some(l) = web_sys::window().and_then(|w| w.navigator().language()) {
        locales.push(&JsValue::from_str(&l));
    }
    let opts = js_sys::Object::new();
    if let Some(c) = currency {
        let _ = js_sys::Reflect::set(&opts, &"style".into(), &"currency".into());
        let _ = js_sys::Reflect::set(&opts, &"currency".into(), &c.into());
    } else {
        let _ = js_sys::Reflect::set(&opts, &"minimumFractionDigits".into(), &2.into());
    }
    let fmt = js_sys::Intl::NumberFormat::new(&locales, &opts);
    fmt.format()
        .call1(&fmt, &JsValue::from_f64(price))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn fill_cross_sells(inner: &Inner, state: &DomState, slot: &Element) {
    let Some(template) = query_all(slot, "template")
        .into_iter()
        .next()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTemplateElement>().ok())
    else {
        return;
    };
    let limit = attr(slot, "data-limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(5)
        .min(crate::rank::MAX_CROSS_SELLS);
    let catalog = state.catalog.borrow();
    let req = CrossSellRequest {
        items: None,
        limit: Some(limit),
        candidates: (!catalog.is_empty()).then(|| catalog.iter().map(|c| c.id.clone()).collect()),
    };
    let now = inner.now();
    let Ok(mut t) = inner.tracker_mut() else {
        return;
    };
    let ranking = t.rank_cross_sells(&req, now);
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
    // What the slot shows: ids and reasons. Re-render only when it changes (so our own
    // DOM writes do not loop through the mutation observer).
    let signature: String = ranking
        .items
        .iter()
        .map(|r| format!("{}\u{1f}{}", r.id, reason_text(&r.reasons, &name_of)))
        .collect::<Vec<_>>()
        .join("\u{1e}");
    let shown = query_all(slot, "[data-personalize-item]");
    if attr(slot, "data-personalize-rendered").as_deref() == Some(signature.as_str())
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
            let _ = top.set_attribute("data-personalize-item", &r.id);
            let _ = top.set_attribute("data-item-id", &r.id);
            let mut fields = query_all(top, "[data-field]");
            if top.has_attribute("data-field") {
                fields.push(top.clone());
            }
            for f in fields {
                match attr(&f, "data-field").as_deref() {
                    Some("name") => f.set_text_content(Some(&name_of(&r.id))),
                    Some("price") => {
                        let p = item.and_then(|i| i.price);
                        f.set_text_content(Some(
                            &p.map(|p| format_price(p, item.and_then(|i| i.currency.as_deref())))
                                .unwrap_or_default(),
                        ));
                    }
                    Some("category") => f.set_text_content(Some(
                        item.and_then(|i| i.category.as_deref())
                            .or(r.category.as_deref())
                            .unwrap_or(""),
                    )),
                    Some("reason") => f.set_text_content(Some(&reason_text(&r.reasons, &name_of))),
                    Some("url") => {
                        match item.and_then(|i| i.url.as_deref()).filter(|u| safe_url(u)) {
                            Some(u) => {
                                let _ = f.set_attribute("href", u);
                            }
                            None => {
                                let _ = f.remove_attribute("href");
                            }
                        }
                    }
                    Some("image") => match item
                        .and_then(|i| i.image.as_deref())
                        .filter(|u| safe_url(u))
                    {
                        Some(u) => {
                            let _ = f.set_attribute("src", u);
                        }
                        None => {
                            let _ = f.remove_attribute("src");
                        }
                    },
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
            }
        }
        let _ = slot.append_child(&fragment);
    }
    let _ = slot.set_attribute(
        "data-personalize-state",
        ranking.fallback.unwrap_or("ranked"),
    );
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
    inner.track_quietly(&Value::Map(fields));
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
        inner.track_quietly(&Value::Map(vec![
            ("type".to_owned(), Value::Str(kind.into())),
            (field.to_owned(), Value::Str(id)),
        ]));
        return;
    }
}

/// `[data-personalize-message="<slot>"]` elements get their slot's message as text
/// (or are emptied when none applies).
fn fill_messages(inner: &Inner, root: &Element) {
    let els = query_all(root, "[data-personalize-message]");
    if els.is_empty() {
        return;
    }
    let slots: Vec<String> = els
        .iter()
        .filter_map(|e| attr(e, "data-personalize-message"))
        .collect();
    let now = inner.now();
    let Ok(t) = inner.tracker_mut() else { return };
    let chosen = t.choose_messages(&slots, now);
    drop(t);
    for e in els {
        let Some(slot) = attr(&e, "data-personalize-message") else {
            continue;
        };
        let m = chosen.iter().find(|m| m.slot == slot);
        set_text_if_changed(&e, m.and_then(|m| m.text.as_deref()).unwrap_or(""));
        set_attr_if_changed(&e, "data-message-id", m.and_then(|m| m.id.as_deref()));
    }
}

/// A GA4 dataLayer entry: `{event: 'add_to_cart', ecommerce: {...}}`. Anything else (GTM's
/// own entries, `{ecommerce: null}` resets, consent commands) is ignored.
fn ingest_data_layer(inner: &Rc<Inner>, entry: &JsValue) {
    if !entry.is_object() {
        return;
    }
    let Some(name) = js_sys::Reflect::get(entry, &"event".into())
        .ok()
        .and_then(|v| v.as_string())
    else {
        return;
    };
    if crate::event::EventType::from_name(&name)
        .is_none_or(|t| t == crate::event::EventType::Exposure)
    {
        return;
    }
    if let Ok(v) = super::convert::to_value(entry) {
        inner.track_quietly(&v);
    }
}
