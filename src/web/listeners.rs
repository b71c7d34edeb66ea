//! Page events: a durable flush on `pagehide` and when the page is hidden, and the
//! `storage` event through which other tabs' writes (and erasures) reach this one.
//! Listeners hold a `Weak` to the state and are removed when `Listeners` is dropped.

use super::exports::Inner;
use gloo_events::EventListener;
use std::rc::Rc;
use wasm_bindgen::JsCast;

pub(super) struct Listeners {
    _held: Vec<EventListener>,
}

impl Listeners {
    pub(super) fn attach(inner: &Rc<Inner>, durable: bool) -> Listeners {
        let Some(window) = web_sys::window() else {
            return Listeners { _held: Vec::new() };
        };
        let mut list = Vec::new();
        let weak = Rc::downgrade(inner);
        list.push(EventListener::new(&window, "pagehide", move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.page_hidden();
            }
        }));
        if let Some(document) = window.document() {
            let weak = Rc::downgrade(inner);
            let doc = document.clone();
            list.push(EventListener::new(
                &document,
                "visibilitychange",
                move |_| {
                    if doc.visibility_state() == web_sys::VisibilityState::Hidden {
                        if let Some(inner) = weak.upgrade() {
                            inner.flush();
                        }
                    }
                },
            ));
        }
        if durable {
            let weak = Rc::downgrade(inner);
            let local = window.local_storage().ok().flatten();
            list.push(EventListener::new(&window, "storage", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::StorageEvent>() else {
                    return;
                };
                // Only localStorage concerns us (sessionStorage fires the same event).
                let same_area = match (event.storage_area(), &local) {
                    (Some(area), Some(local)) => js_sys::Object::is(&area, local),
                    _ => false,
                };
                if let (true, Some(inner)) = (same_area, weak.upgrade()) {
                    inner.on_storage_event(event.key(), event.new_value());
                }
            }));
        }
        Listeners { _held: list }
    }
}
