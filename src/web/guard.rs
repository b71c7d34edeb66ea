//! How the browser calls into the module: event listeners, timers and the mutation
//! observer, each through `guard.js`, which catches whatever is thrown and reports a
//! trapped instance to the package's recovery. A `Listener` removes itself when dropped.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/guard.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = on)]
    fn on_js(
        target: &web_sys::EventTarget,
        kind: &str,
        cb: &js_sys::Function,
    ) -> Result<js_sys::Function, JsValue>;
    #[wasm_bindgen(catch, js_name = after)]
    fn after_js(ms: u32, cb: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = observer)]
    fn observer_js(cb: &js_sys::Function) -> Result<web_sys::MutationObserver, JsValue>;
}

/// An event listener; removed when dropped.
pub(super) struct Listener {
    remove: Option<js_sys::Function>,
    _cb: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    pub(super) fn new(
        target: &web_sys::EventTarget,
        kind: &str,
        f: impl FnMut(&web_sys::Event) + 'static,
    ) -> Listener {
        let mut f = f;
        let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| f(&e));
        let remove = on_js(target, kind, cb.as_ref().unchecked_ref()).ok();
        Listener { remove, _cb: cb }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(r) = &self.remove {
            let _ = r.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Runs `f` after `ms` (once; the closure is freed after its call).
pub(super) fn after(ms: u32, f: impl FnOnce() + 'static) {
    let _ = after_js(ms, &Closure::once_into_js(f));
}

#[cfg(feature = "dom")]
/// A mutation observer and the callback it calls (kept alive together).
pub(super) type Observer = (
    web_sys::MutationObserver,
    Closure<dyn FnMut(JsValue, JsValue)>,
);

#[cfg(feature = "dom")]
/// A mutation observer calling `cb`.
pub(super) fn observer(cb: Closure<dyn FnMut(JsValue, JsValue)>) -> Option<Observer> {
    let o = observer_js(cb.as_ref().unchecked_ref()).ok()?;
    Some((o, cb))
}
