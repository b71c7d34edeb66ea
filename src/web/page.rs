//! Reads of the page outside storage: the signals the context is derived from (`navigator`,
//! viewport, time zone, referrer) and random bits. Every read is optional and catches what
//! a browser throws: in Node or a worker most of them are simply missing.

use crate::context::PageSignals;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat, catch)]
    fn date_time_format() -> Result<JsValue, JsValue>;
}

pub fn signals() -> PageSignals {
    let date = js_sys::Date::new_0();
    let time_zone = date_time_format()
        .ok()
        .and_then(|f| {
            js_sys::Reflect::get(&f, &"resolvedOptions".into())
                .ok()
                .map(|m| (f, m))
        })
        .and_then(|(f, m)| m.dyn_into::<js_sys::Function>().ok()?.call0(&f).ok())
        .and_then(|o| js_sys::Reflect::get(&o, &JsValue::from_str("timeZone")).ok())
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

/// 128 random bits from the platform's CSPRNG (`crypto.getRandomValues`), else from
/// `Math.random` (no crypto object at all).
pub fn secret() -> [u8; 16] {
    let mut buf = [0u8; 16];
    if get_random_values(&mut buf).is_err() {
        for b in &mut buf {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    buf
}

/// A random page-view id (names this page view's journal segment).
pub fn tab() -> u32 {
    let mut buf = [0u8; 4];
    if get_random_values(&mut buf).is_err() {
        return (js_sys::Math::random() * 4_294_967_296.0) as u32;
    }
    u32::from_le_bytes(buf)
}
