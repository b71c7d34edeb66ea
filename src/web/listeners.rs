//! Page events: a durable flush on `pagehide` and when the page is hidden (with the export
//! beacon, if configured); the `storage` event, through which other tabs' writes and
//! erasures reach this one; and a `BroadcastChannel` through which a consent withdrawal in
//! one tab reaches every other tab of the origin (a withdrawal writes nothing, so no
//! `storage` event can carry it). Listeners hold a `Weak` to the state and are removed
//! when `Listeners` is dropped.

use super::guard::Listener;
use super::state::{Inner, WITHDRAWN};
use crate::consent::Consent;
use std::rc::Rc;
use wasm_bindgen::JsCast;

pub(super) struct Listeners {
    _held: Vec<Listener>,
    channel: Option<web_sys::BroadcastChannel>,
}

impl Drop for Listeners {
    fn drop(&mut self) {
        if let Some(c) = &self.channel {
            c.close();
        }
    }
}

/// On `pagehide`: the export beacon (if configured), then the durable write.
fn page_hidden(inner: &Inner) {
    #[cfg(feature = "export")]
    let url = inner.export_url.borrow().clone();
    #[cfg(feature = "export")]
    if let Some(url) = url {
        super::export::beacon(inner, &url);
    }
    inner.flush();
}

impl Listeners {
    pub(super) fn attach(inner: &Rc<Inner>) -> Listeners {
        let Some(window) = web_sys::window() else {
            return Listeners {
                _held: Vec::new(),
                channel: None,
            };
        };
        let mut list = Vec::new();
        let weak = Rc::downgrade(inner);
        list.push(Listener::new(&window, "pagehide", move |_| {
            if let Some(inner) = weak.upgrade() {
                page_hidden(&inner);
            }
        }));
        if let Some(document) = window.document() {
            let weak = Rc::downgrade(inner);
            let doc = document.clone();
            list.push(Listener::new(&document, "visibilitychange", move |_| {
                if doc.visibility_state() == web_sys::VisibilityState::Hidden {
                    if let Some(inner) = weak.upgrade() {
                        inner.flush();
                    }
                }
            }));
        }
        let weak = Rc::downgrade(inner);
        list.push(Listener::new(&window, "storage", move |event| {
            let Some(event) = event.dyn_ref::<web_sys::StorageEvent>() else {
                return;
            };
            // Only localStorage concerns us (sessionStorage fires the same event). Reading
            // `window.localStorage` here is no storage access: the event reports a write
            // that already happened, and the tracker ignores it without consent.
            let local = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
            let same_area = match (event.storage_area(), &local) {
                (Some(area), Some(local)) => js_sys::Object::is(&area, local),
                _ => false,
            };
            if let (true, Some(inner)) = (same_area, weak.upgrade()) {
                let now = inner.now();
                if let Some(mut t) = inner.try_tracker() {
                    t.on_storage_event(event.key().as_deref(), event.new_value().as_deref(), now);
                }
                inner.changed();
            }
        }));
        let channel = inner.channel.clone();
        if let Some(c) = &channel {
            let weak = Rc::downgrade(inner);
            list.push(Listener::new(c, "message", move |event| {
                let Some(inner) = weak.upgrade() else { return };
                let data = event
                    .dyn_ref::<web_sys::MessageEvent>()
                    .and_then(|m| m.data().as_string());
                if data.as_deref() == Some(WITHDRAWN) {
                    let now = inner.now();
                    if let Some(mut t) = inner.try_tracker() {
                        t.set_consent(Consent::Denied, now);
                    }
                    inner.changed();
                }
            }));
        }
        Listeners {
            _held: list,
            channel,
        }
    }
}
