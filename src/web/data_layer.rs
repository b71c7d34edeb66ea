//! The page's GA4 `dataLayer`: one wrapper of its `push` for the whole page, through which
//! this module follows Google Consent Mode (from construction, `consentMode` option) and
//! ingests ecommerce events (while attached), GTM's pushes and gtag.js's `gtag('event', …)`
//! alike (`event::data_layer_event`).
//!
//! Each listener sees every entry exactly once, in order: those already in the array when
//! it starts, then every later push. Re-attaching replays only what it has not seen (no
//! double ingest, nothing pushed meanwhile lost). Whatever a listener does, nothing is
//! thrown into the page's `dataLayer.push`: not an error, not a trapped module.

use super::state::Inner;
use crate::value::Value;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
// The hub lives on the dataLayer array itself: one push wrapper for the page, and per
// listener key (namespace and role) the entries already seen, so a new instance for the
// same namespace (after a trapped one, or a second attach) continues where the last one
// stopped. Ecommerce entries are also kept (with the time they were tracked at) until the
// package's Personalizer knows they are stored: it replays them into a fresh instance.
const TRAPPED = Symbol.for('checkout-personalizer.trapped');
export function listen(w, key, handler) {
  let dl = w.dataLayer;
  if (dl === undefined || dl === null) dl = w.dataLayer = [];
  if (typeof dl.push !== 'function') return null;
  let hub = dl.__checkoutPersonalizer;
  if (!hub) {
    hub = { listeners: [], seen: {}, recent: {} };
    Object.defineProperty(dl, '__checkoutPersonalizer', { value: hub });
    const push = dl.push;
    dl.push = function () {
      const r = push.apply(this, arguments);
      for (let i = 0; i < arguments.length; i++) {
        for (const l of hub.listeners.slice()) l.deliver(arguments[i]);
      }
      return r;
    };
  }
  const seen = (hub.seen[key] ||= new WeakSet());
  const recent = (hub.recent[key] ||= []);
  const l = {
    key,
    deliver(e) {
      if (e === null || typeof e !== 'object' || seen.has(e)) return;
      seen.add(e);
      // gtag() pushes its `arguments` object: hand it over as the array it stands for.
      const v = !Array.isArray(e) && Object.prototype.toString.call(e) === '[object Arguments]'
        ? Array.from(e) : e;
      try {
        const ts = handler(v);
        if (typeof ts === 'number' && ts === ts) {
          recent.push([ts, v]);
          if (recent.length > 200) recent.shift();
        }
      } catch (err) {
        // Never the page's problem; a trapped instance is reported for recovery.
        if (err instanceof WebAssembly.RuntimeError) {
          for (const f of globalThis[TRAPPED] || []) { try { f(err); } catch (_) {} }
        }
      }
    },
    on() {
      // One listener per key: a replaced instance's listener goes.
      hub.listeners = hub.listeners.filter((x) => x.key !== key);
      hub.listeners.push(l);
      if (Array.isArray(dl)) for (const e of Array.from(dl)) l.deliver(e);
    },
    off() {
      const i = hub.listeners.indexOf(l);
      if (i >= 0) hub.listeners.splice(i, 1);
    },
  };
  return l;
}
"#)]
extern "C" {
    type Listener;
    #[wasm_bindgen(catch)]
    fn listen(
        window: &JsValue,
        key: &str,
        handler: &js_sys::Function,
    ) -> Result<Option<Listener>, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn on(this: &Listener) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn off(this: &Listener) -> Result<(), JsValue>;
}

/// What a listener does with each entry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Consent commands (`gtag('consent', …)`).
    Consent,
    /// GA4 ecommerce events (the DOM wiring's auto-tracking: `{event: 'add_to_cart', ecommerce: {…}}`).
    #[cfg_attr(not(feature = "dom"), allow(dead_code))]
    Ecommerce,
}

/// One listener on the page's `dataLayer` (kept alive with its callback).
pub(super) struct DataLayer {
    listener: Listener,
    _handler: Closure<dyn FnMut(JsValue) -> f64>,
}

impl DataLayer {
    /// Starts listening (replaying what is already there). `None` without a window or when
    /// the page's `dataLayer` is not an array-like with `push`.
    pub(super) fn listen(inner: &Rc<Inner>, role: Role) -> Option<DataLayer> {
        let window: JsValue = web_sys::window()?.into();
        let weak: Weak<Inner> = Rc::downgrade(inner);
        let handler = Closure::<dyn FnMut(JsValue) -> f64>::new(move |entry: JsValue| {
            weak.upgrade()
                .and_then(|inner| entry_of(&inner, role, &entry))
                .unwrap_or(f64::NAN)
        });
        let key = format!(
            "{}:{}",
            inner.try_tracker()?.namespace(),
            match role {
                Role::Consent => "consent",
                Role::Ecommerce => "ecommerce",
            }
        );
        let listener = listen(&window, &key, handler.as_ref().unchecked_ref()).ok()??;
        let d = DataLayer {
            listener,
            _handler: handler,
        };
        d.resume();
        Some(d)
    }

    /// Listens again: entries not seen yet (pushed while paused) are delivered now.
    pub(super) fn resume(&self) {
        let _ = self.listener.on();
    }

    pub(super) fn pause(&self) {
        let _ = self.listener.off();
    }
}

impl Drop for DataLayer {
    fn drop(&mut self) {
        self.pause();
    }
}

/// One entry for `role`. Returns the time an ecommerce event was tracked at (the package's
/// recovery replays it with that time, so it is never tracked twice).
fn entry_of(inner: &Rc<Inner>, role: Role, entry: &JsValue) -> Option<f64> {
    let v = super::convert::to_value_lenient(entry).ok()?;
    match role {
        Role::Consent => {
            if !matches!(v, Value::List(_)) {
                return None;
            }
            let now = inner.now();
            let withdrawn = inner.try_tracker()?.consent_command(&v, now);
            if withdrawn {
                inner.consent_withdrawn();
            }
            inner.changed();
            None
        }
        Role::Ecommerce => {
            let event = crate::event::data_layer_event(&v)?;
            let now = inner.now();
            inner.track_quietly(&event, now).then_some(now as f64)
        }
    }
}
