//! Reads the page signals (`navigator`, viewport, time zone, referrer) for `context::Context`.
//! Every read is optional: in Node or a worker most of them are simply missing.

use crate::context::PageSignals;
use wasm_bindgen::JsValue;

pub fn signals() -> PageSignals {
    let date = js_sys::Date::new_0();
    let time_zone =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
            .resolved_options();
    let time_zone = js_sys::Reflect::get(&time_zone, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|z| z.as_string());
    let mut s = PageSignals {
        tz_offset_min: Some(date.get_timezone_offset()),
        time_zone,
        ..PageSignals::default()
    };
    if let Some(window) = web_sys::window() {
        let nav = window.navigator();
        s.user_agent = nav.user_agent().unwrap_or_default();
        s.language = nav.language();
        s.touch = nav.max_touch_points() > 0;
        s.viewport_width = window.inner_width().ok().and_then(|w| w.as_f64());
        s.page_url = window.location().href().ok();
        s.referrer = window.document().map(|d| d.referrer());
    }
    s
}
