//! Small catching reads and writes of elements, and the few JS globals the wiring calls.

use super::*;

#[wasm_bindgen]
extern "C" {
    /// The global `Number(text)`.
    #[wasm_bindgen(js_name = Number)]
    pub(super) fn js_number(text: &str) -> f64;
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat, catch)]
    pub(super) fn number_format(locales: &JsValue, options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(super) fn json_parse(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = performance, js_name = now, catch)]
    pub(super) fn performance_now() -> Result<f64, JsValue>;
}

/// Whether the page's CSS hides `el` now (the contract's `visibility: hidden` while
/// undecided): the shopper has not seen it, whenever it appeared.
pub(super) fn hidden_by_page(el: &Element) -> bool {
    web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .and_then(|s| s.get_property_value("visibility").ok())
        .is_some_and(|v| v == "hidden")
}

/// Milliseconds since navigation start (`performance.now()`).
pub(super) fn since_navigation() -> f64 {
    performance_now().unwrap_or(f64::INFINITY)
}

pub(super) fn attr(e: &Element, name: &str) -> Option<String> {
    e.get_attribute(name).filter(|s| !s.is_empty())
}

/// A data attribute's number as the page's JavaScript reads it (`Number(text)`), when it is
/// finite: "2.5" and " 3 " count, "1,99", "Infinity", "12 EUR" and blank text (which
/// `Number` reads as 0) do not.
pub(super) fn number(text: &str) -> Option<f64> {
    if text.trim().is_empty() {
        return None;
    }
    let v = js_number(text);
    v.is_finite().then_some(v)
}

pub(super) fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

pub(super) fn children(e: &Element) -> Vec<Element> {
    let c = e.children();
    (0..c.length()).filter_map(|i| c.item(i)).collect()
}

pub(super) fn set_text_if_changed(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

pub(super) fn set_attr_if_changed(e: &Element, name: &str, value: Option<&str>) {
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

pub(super) fn closest(e: &web_sys::Event, selector: &str) -> Option<Element> {
    e.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()?
}
