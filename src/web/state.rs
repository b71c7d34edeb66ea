//! The state one `Personalizer` shares with its listeners, timers and DOM wiring: the
//! tracker behind a `RefCell`, the clock, and the write batching.
//!
//! Everything borrows the tracker with `try_borrow_mut`: a re-entrant call (a `now` clock
//! that calls back into us) gets `personalizer: busy`, never a panic. The clock is read
//! before borrowing. Listeners and timers hold `Weak`s, so dropping the `Personalizer`
//! ends them.

use super::error::busy;
use super::guard::after;
use crate::event::EventType;
use crate::store::Store;
use crate::tracker::Tracker;
use crate::value::Value;
use std::cell::{Cell, RefCell, RefMut};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

pub(super) struct Inner {
    tracker: RefCell<Tracker<Box<dyn Store>>>,
    clock: Option<js_sys::Function>,
    flush_delay_ms: u32,
    flush_pending: Cell<bool>,
    /// Where `pagehide` beacons the next export batch (`exportOnPageHide`).
    #[cfg(feature = "export")]
    pub(super) export_url: RefCell<Option<String>>,
    /// Raw P-256 key bundles must be signed with (`publicKey` option).
    #[cfg_attr(not(feature = "delivery"), allow(dead_code))]
    pub(super) public_key: Option<Vec<u8>>,
    /// Tells the DOM wiring (if attached) that what it shows may have to change.
    pub(super) on_change: RefCell<Option<Hook>>,
    /// Model downloads under way (`loadModelFromUrl`): a list's first decision waits for
    /// them, until the decision deadline.
    #[cfg_attr(not(feature = "delivery"), allow(dead_code))]
    pub(super) loads_in_flight: Cell<u32>,
    /// Every tab of the namespace listens here (a withdrawal writes nothing to storage, so
    /// no `storage` event can carry it).
    pub(super) channel: Option<web_sys::BroadcastChannel>,
}

/// What the DOM wiring is called with.
pub(super) type Hook = Rc<dyn Fn(Change)>;

/// Why the DOM wiring is told.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// The shopper (or the page for them) changed something: cart, context, consent.
    Shopper,
    /// A model download settled (used or refused): only undecided containers may use it.
    #[cfg_attr(not(feature = "delivery"), allow(dead_code))]
    ModelSettled,
}

/// What a tab posts on the channel when consent is withdrawn there.
pub(super) const WITHDRAWN: &str = "consent:denied";

/// The page's clock (`now` option) when it returns a sane timestamp, else `Date.now()`.
pub(super) fn read_clock(clock: Option<&js_sys::Function>) -> i64 {
    let from_clock = clock
        .and_then(|f| f.call0(&JsValue::UNDEFINED).ok())
        .and_then(|v| v.as_f64())
        .filter(|t| t.is_finite() && *t >= 0.0 && *t <= 9.0e15);
    from_clock.unwrap_or_else(js_sys::Date::now) as i64
}

impl Inner {
    pub(super) fn new(
        tracker: Tracker<Box<dyn Store>>,
        clock: Option<js_sys::Function>,
        flush_delay_ms: u32,
        public_key: Option<Vec<u8>>,
    ) -> Inner {
        let namespace = tracker.namespace().to_owned();
        Inner {
            // Other tabs exist only under a window. Elsewhere (Node, a worker) an open
            // channel would only keep the process alive.
            channel: web_sys::window().and_then(|_| {
                web_sys::BroadcastChannel::new(&format!("checkout-personalizer:{namespace}")).ok()
            }),
            tracker: RefCell::new(tracker),
            clock,
            flush_delay_ms,
            flush_pending: Cell::new(false),
            #[cfg(feature = "export")]
            export_url: RefCell::new(None),
            public_key,
            on_change: RefCell::new(None),
            loads_in_flight: Cell::new(0),
        }
    }

    pub(super) fn now(&self) -> i64 {
        read_clock(self.clock.as_ref())
    }

    pub(super) fn tracker(&self) -> Result<RefMut<'_, Tracker<Box<dyn Store>>>, JsError> {
        self.tracker.try_borrow_mut().map_err(|_| busy())
    }

    /// The tracker, unless a call is under way (for listeners: never an error).
    pub(super) fn try_tracker(&self) -> Option<RefMut<'_, Tracker<Box<dyn Store>>>> {
        self.tracker.try_borrow_mut().ok()
    }

    /// Writes pending events now. Never throws: faults are in `status()`.
    pub(super) fn flush(&self) {
        let now = self.now();
        if let Some(mut t) = self.try_tracker() {
            t.flush(now);
        }
    }

    /// Tracks an event the module picked up itself (DOM, dataLayer) at `now`, leniently: a
    /// bad field costs that field (counted in `status()` and named on the console), and a
    /// refused event is named on the console, never thrown into the page. Returns whether
    /// it was tracked.
    pub(super) fn track_quietly(self: &Rc<Self>, v: &Value, now: i64) -> bool {
        let Some(mut t) = self.try_tracker() else {
            return false;
        };
        match t.track_lenient(v, now) {
            Ok((_, kind, dropped)) => {
                drop(t);
                if !dropped.is_empty() {
                    web_sys::console::warn_1(
                        &format!(
                            "checkout-personalizer: tracked {} without {} (not valid)",
                            kind.name(),
                            dropped.join(", ")
                        )
                        .into(),
                    );
                }
                self.tracked(kind);
                true
            }
            Err(e) => {
                drop(t);
                web_sys::console::warn_1(
                    &format!("checkout-personalizer: not tracked: {e}").into(),
                );
                false
            }
        }
    }

    /// Validates and records one event from `track()` (strictly: a bad field is an error).
    pub(super) fn track_value(self: &Rc<Self>, v: &Value) -> Result<(), String> {
        let now = self.now();
        let (_, kind) = self
            .try_tracker()
            .ok_or_else(|| "personalizer: busy (called from inside its own callback)".to_owned())?
            .track(v, now)
            .map_err(|e| e.to_string())?;
        self.tracked(kind);
        Ok(())
    }

    /// After an event: schedules the write and, for cart and checkout changes, a re-apply
    /// of the DOM wiring.
    fn tracked(self: &Rc<Self>, kind: EventType) {
        self.schedule_flush();
        use EventType::*;
        if matches!(
            kind,
            AddToCart
                | RemoveFromCart
                | ViewCart
                | BeginCheckout
                | Purchase
                | SelectPaymentMethod
                | AddPaymentInfo
        ) {
            self.changed();
        }
    }

    /// Consent was withdrawn in this tab: every other tab erases and stops writing too.
    pub(super) fn consent_withdrawn(&self) {
        if let Some(c) = &self.channel {
            let _ = c.post_message(&WITHDRAWN.into());
        }
    }

    /// Tells the DOM wiring (if any) that the shopper or consent changed something, and
    /// writes soon what the journal holds beyond storage (consent may just have opened it).
    pub(super) fn changed(self: &Rc<Self>) {
        self.write_soon();
        self.tell(Change::Shopper);
    }

    /// Schedules the batched write if storage is open and behind the journal: opening it
    /// adopts other tabs' segments without writing, so the first decision never waits.
    pub(super) fn write_soon(self: &Rc<Self>) {
        if self.try_tracker().is_some_and(|t| t.pending_write()) {
            self.schedule_flush();
        }
    }

    pub(super) fn tell(&self, change: Change) {
        let hook = self.on_change.try_borrow().ok().and_then(|h| h.clone());
        if let Some(f) = hook {
            f(change);
        }
    }

    /// Batches writes: one timer per burst of `track()` calls.
    pub(super) fn schedule_flush(self: &Rc<Self>) {
        if self.flush_pending.replace(true) {
            return;
        }
        let weak: Weak<Inner> = Rc::downgrade(self);
        after(self.flush_delay_ms, move || {
            if let Some(inner) = weak.upgrade() {
                inner.flush_pending.set(false);
                inner.flush();
            }
        });
    }
}
