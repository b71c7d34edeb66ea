//! The JS API: `new Personalizer(options)` and its methods.
//!
//! State lives in an `Rc<Inner>` shared with the page listeners and the flush timer (they
//! hold `Weak`s, so dropping the `Personalizer` ends them). Every entry point borrows the
//! tracker with `try_borrow_mut`: a re-entrant call (a `now` clock that calls back into us)
//! gets an error, never a panic. The clock is read before borrowing.

use super::convert::to_value;
use super::error::{js_error, read_error};
use super::listeners::Listeners;
use super::types;
use super::{local_storage, page};
use crate::context::ContextOverride;
use crate::options::{Options, FUNCTION_OPTIONS};
use crate::rank::{Choice, CrossSellRequest, PaymentMethod};
use crate::store::Store;
use crate::tracker::{Consent, Tracker};
use crate::value::Value;
use serde::Serialize;
use std::cell::{Cell, RefCell, RefMut};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: u32) -> JsValue;
}

pub(super) struct Inner {
    tracker: RefCell<Tracker<Box<dyn Store>>>,
    clock: Option<js_sys::Function>,
    flush_delay_ms: u32,
    flush_pending: Cell<bool>,
    /// Why localStorage was asked for but could not be used.
    fallback: Option<String>,
    /// Where `pagehide` beacons the next export batch (`exportOnPageHide`).
    pub(super) export_url: RefCell<Option<String>>,
    /// DOM auto-wiring, once `attach()` was called.
    pub(super) dom: RefCell<Option<super::dom::DomState>>,
    /// Raw P-256 key bundles must be signed with (`publicKey` option).
    pub(super) public_key: Option<Vec<u8>>,
}

/// The page's clock (`now` option) when it returns a sane timestamp, else `Date.now()`.
fn read_clock(clock: Option<&js_sys::Function>) -> i64 {
    let from_clock = clock
        .and_then(|f| f.call0(&JsValue::UNDEFINED).ok())
        .and_then(|v| v.as_f64())
        .filter(|t| t.is_finite() && *t >= 0.0 && *t <= 9.0e15);
    from_clock.unwrap_or_else(js_sys::Date::now) as i64
}

impl Inner {
    pub(super) fn now(&self) -> i64 {
        read_clock(self.clock.as_ref())
    }

    pub(super) fn tracker_mut(&self) -> Result<RefMut<'_, Tracker<Box<dyn Store>>>, JsError> {
        self.tracker()
    }

    fn tracker(&self) -> Result<RefMut<'_, Tracker<Box<dyn Store>>>, JsError> {
        self.tracker
            .try_borrow_mut()
            .map_err(|_| JsError::new("personalizer: busy (called from inside its own callback)"))
    }

    /// On `pagehide`: the export beacon (if configured), then the durable write.
    pub(super) fn page_hidden(&self) {
        let url = self.export_url.borrow().clone();
        if let Some(url) = url {
            super::export::beacon(self, &url);
        }
        self.flush();
    }

    /// Writes pending events now. Never throws: faults are in `status()`.
    pub(super) fn flush(&self) {
        let now = self.now();
        if let Ok(mut t) = self.tracker.try_borrow_mut() {
            t.flush(now);
        }
    }

    pub(super) fn on_storage_event(&self, key: Option<String>, new_value: Option<String>) {
        let now = self.now();
        if let Ok(mut t) = self.tracker.try_borrow_mut() {
            t.on_storage_event(key.as_deref(), new_value.as_deref(), now);
        }
    }

    /// Tracks an event the module picked up itself (DOM, dataLayer): a bad one is reported
    /// on the console, never thrown into the page.
    pub(super) fn track_quietly(self: &Rc<Self>, v: &Value) {
        if let Err(e) = self.track_value(v) {
            web_sys::console::warn_1(&format!("checkout-personalizer: {e}").into());
        }
    }

    /// Validates and records one event; schedules the write and, for cart changes, a
    /// re-apply of the DOM wiring.
    pub(super) fn track_value(self: &Rc<Self>, v: &Value) -> Result<(), String> {
        let now = self.now();
        let kind = {
            let mut t = self
                .tracker
                .try_borrow_mut()
                .map_err(|_| "personalizer: busy".to_owned())?;
            t.track(v, now).map_err(|e| e.to_string())?;
            t.events().last().map(|e| e.kind)
        };
        self.schedule_flush();
        use crate::event::EventType::*;
        if matches!(
            kind,
            Some(
                AddToCart
                    | RemoveFromCart
                    | ViewCart
                    | BeginCheckout
                    | Purchase
                    | SelectPaymentMethod
                    | AddPaymentInfo
            )
        ) {
            super::dom::schedule(self);
        }
        Ok(())
    }

    /// Batches writes: one timer per burst of `track()` calls.
    fn schedule_flush(self: &Rc<Self>) {
        if self.flush_pending.replace(true) {
            return;
        }
        let weak: Weak<Inner> = Rc::downgrade(self);
        // `once_into_js` frees the closure after its single call.
        let callback = Closure::once_into_js(move || {
            if let Some(inner) = weak.upgrade() {
                inner.flush_pending.set(false);
                inner.flush();
            }
        });
        set_timeout(&callback, self.flush_delay_ms);
    }
}

/// Tracks the shopper's events and keeps the live session profile.
#[wasm_bindgen]
pub struct Personalizer {
    inner: Rc<Inner>,
    _listeners: Listeners,
}

pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    super::convert::to_js(value)
        .map_err(|e| JsError::new(&format!("personalizer: could not build the result ({e})")))
}

fn read_options(options: &JsValue) -> Result<(Options, Option<js_sys::Function>), JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok((Options::default(), None));
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err(JsError::new("config: options must be an object"));
    }
    let mut entries = Vec::new();
    let mut clock = None;
    for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
        let name = key.as_string().unwrap_or_default();
        let value = js_sys::Reflect::get(options, &key).unwrap_or(JsValue::UNDEFINED);
        if FUNCTION_OPTIONS.contains(&name.as_str()) {
            if let Some(f) = value.dyn_ref::<js_sys::Function>() {
                clock = Some(f.clone());
            } else if !value.is_undefined() && !value.is_null() {
                return Err(JsError::new(&format!(
                    "config: \"{name}\" must be a function"
                )));
            }
            continue;
        }
        let v = to_value(&value).map_err(|e| read_error("config", e))?;
        entries.push((name, v));
    }
    let options = Options::from_entries(&entries).map_err(js_error)?;
    Ok((options, clock))
}

#[wasm_bindgen]
impl Personalizer {
    /// Creates the personalizer for this page view. With `consent: 'granted'` it restores
    /// the stored journal now; otherwise it does not touch storage at all.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<types::PersonalizerOptions>) -> Result<Personalizer, JsError> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let (opts, clock) = read_options(&options)?;
        let (store, fallback) = local_storage::open(opts.storage);
        let durable = store.durable();
        // A random tab id: it names this page view's journal segment.
        let tab = (js_sys::Math::random() * 4_294_967_296.0) as u32;
        let now = read_clock(clock.as_ref());
        let mut tracker = Tracker::from_options(store, &opts, tab, now);
        tracker.set_signals(page::signals());
        let inner = Rc::new(Inner {
            tracker: RefCell::new(tracker),
            clock,
            flush_delay_ms: opts.flush_delay_ms,
            flush_pending: Cell::new(false),
            fallback,
            dom: RefCell::new(None),
            export_url: RefCell::new(None),
            public_key: opts
                .public_key
                .as_deref()
                .and_then(crate::base64::base64_decode),
        });
        let listeners = Listeners::attach(&inner, durable);
        Ok(Personalizer {
            inner,
            _listeners: listeners,
        })
    }

    /// Records a GA4-shaped event. Throws `"event: …"` naming the field for an invalid event;
    /// nothing is stored then. The write is batched (see `flushDelayMs`).
    pub fn track(&self, event: types::TrackEvent) -> Result<(), JsError> {
        let value = to_value(&event.into()).map_err(|e| read_error("event", e))?;
        self.inner.track_value(&value).map_err(|e| JsError::new(&e))
    }

    /// The live session profile, as a plain object.
    pub fn profile(&self) -> Result<types::Profile, JsError> {
        let now = self.inner.now();
        let view = self.inner.tracker()?.profile(now);
        Ok(to_js(&view)?.unchecked_into())
    }

    /// Where events are kept, why, and what the journal evicted or discarded.
    pub fn status(&self) -> Result<types::Status, JsError> {
        let status = to_js(&self.inner.tracker()?.status())?;
        let fallback = self
            .inner
            .fallback
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str);
        js_sys::Reflect::set(&status, &JsValue::from_str("storageFallback"), &fallback)
            .map_err(|_| JsError::new("personalizer: could not build the result"))?;
        Ok(status.unchecked_into())
    }

    /// Writes pending events now (they are also written on `pagehide` and when hidden).
    pub fn flush(&self) -> Result<(), JsError> {
        let now = self.inner.now();
        self.inner.tracker()?.flush(now);
        Ok(())
    }

    /// Changes consent. Granting persists what was kept in memory; denying after granting
    /// erases every stored key. Returns the number of stored keys erased.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(&self, state: types::ConsentState) -> Result<u32, JsError> {
        let state: JsValue = state.into();
        let name = state.as_string().ok_or_else(|| {
            JsError::new("config: consent must be 'granted', 'denied' or 'pending'")
        })?;
        let consent = Consent::parse(&name).map_err(js_error)?;
        let now = self.inner.now();
        Ok(self.inner.tracker()?.set_consent(consent, now) as u32)
    }

    /// Erases every key this module wrote and everything it holds in memory. Returns the
    /// number of stored keys removed.
    pub fn forget(&self) -> Result<u32, JsError> {
        let now = self.inner.now();
        Ok(self.inner.tracker()?.forget(now) as u32)
    }

    /// Everything kept about this browser, as plain JSON-ready data (right of access).
    #[wasm_bindgen(js_name = exportData)]
    pub fn export_data(&self) -> Result<types::ExportedData, JsError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Export<'a> {
            namespace: &'a str,
            exported_at: i64,
            consent: Consent,
            events: Vec<crate::event::Ga4Event<'a>>,
        }
        let now = self.inner.now();
        let t = self.inner.tracker()?;
        let export = Export {
            namespace: &t.journal().config().namespace,
            exported_at: now,
            consent: t.consent(),
            events: t.events().map(|e| e.to_ga4()).collect(),
        };
        Ok(to_js(&export)?.unchecked_into())
    }
}

fn rank_error(e: crate::rank::RankError) -> JsError {
    js_error(e)
}

impl Personalizer {
    /// Payment methods and shipping options: the same parsing, context and ranking.
    fn rank_list(
        &self,
        choice: Choice,
        list: types::PaymentMethods,
        context: Option<types::ContextInput>,
    ) -> Result<types::Ranking, JsError> {
        let list = to_value(&list.into()).map_err(|e| read_error("rank", e))?;
        let list = PaymentMethod::list_from_value(&list).map_err(rank_error)?;
        let context = match context {
            Some(c) => {
                let v = to_value(&c.into()).map_err(|e| read_error("config", e))?;
                Some(ContextOverride::from_value(&v).map_err(js_error)?)
            }
            None => None,
        };
        let now = self.inner.now();
        let ranking = self
            .inner
            .tracker()?
            .with_context(context.as_ref(), |t| match choice {
                Choice::Payment => t.rank_payment_methods(&list, now),
                Choice::Shipping => t.rank_shipping_options(&list, now),
            });
        self.inner.schedule_flush();
        Ok(to_js(&ranking)?.unchecked_into())
    }
}

#[wasm_bindgen]
impl Personalizer {
    /// Decodes a `.cpm` bundle and uses it for every later decision. On any error the
    /// previous model (or the page's default order) stays in force. Returns `model.info()`.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&self, bytes: &[u8]) -> Result<types::ModelInfo, JsError> {
        let mut t = self.inner.tracker()?;
        let m = t.load_model(bytes).map_err(js_error)?;
        Ok(to_js(&m.info())?.unchecked_into())
    }

    /// Fetches a bundle. With consent, the last good bundle for this URL is used at once,
    /// synchronously, from the local cache; the download then replaces it if it is good
    /// (and matches `integrity`, a `sha256-…` string, when given). The promise resolves to
    /// `info()` of the new model, or rejects with `"model: …"`, keeping the model in force.
    #[wasm_bindgen(js_name = loadModelFromUrl)]
    pub fn load_model_from_url(
        &self,
        url: String,
        options: Option<types::LoadOptions>,
    ) -> Result<js_sys::Promise, JsError> {
        let integrity = match options {
            Some(o) => {
                let o: JsValue = o.into();
                match js_sys::Reflect::get(&o, &JsValue::from_str("integrity")).ok() {
                    Some(v) if v.is_undefined() || v.is_null() => None,
                    Some(v) => Some(
                        v.as_string()
                            .ok_or_else(|| JsError::new("model: integrity must be a string"))?,
                    ),
                    None => None,
                }
            }
            None => None,
        };
        Ok(super::delivery::load_from_url(&self.inner, url, integrity))
    }

    /// Sends the next batch of the consented journal to `url` as JSON Lines (POST, fetch
    /// keepalive, `x-batch-id` header), retrying with backoff; resolves to `{batch, sent}`.
    /// Events are never exported twice; without consent nothing is sent.
    #[wasm_bindgen(js_name = exportEvents)]
    pub fn export_events(&self, options: JsValue) -> Result<js_sys::Promise, JsError> {
        let get = |k: &str| {
            js_sys::Reflect::get(&options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        };
        let url = get("url")
            .as_string()
            .ok_or_else(|| JsError::new("export: url must be a string"))?;
        let max = get("batchSize")
            .as_f64()
            .filter(|n| *n >= 1.0 && *n <= 5000.0)
            .unwrap_or(200.0) as usize;
        Ok(super::export::export_events(&self.inner, url, max))
    }

    /// On every `pagehide`, beacons the next batch to `url` (`navigator.sendBeacon`).
    #[wasm_bindgen(js_name = exportOnPageHide)]
    pub fn export_on_page_hide(&self, url: Option<String>) {
        *self.inner.export_url.borrow_mut() = url;
    }

    /// Wires the page: reorders `[data-personalize="payment-methods"]`, fills
    /// `[data-personalize="cross-sell"]` slots, tracks `[data-track]` clicks, payment method
    /// changes and GA4 `dataLayer` pushes (options `autoTrack`, `dataLayer`, default true;
    /// `root`, default the whole document). Applies once now, then on every change.
    pub fn attach(&self, options: Option<types::AttachOptions>) -> Result<(), JsError> {
        let o: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let get = |k: &str| {
            if o.is_object() {
                js_sys::Reflect::get(&o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            }
        };
        let flag = |k: &str| get(k).as_bool().unwrap_or(true);
        let root = get("root").dyn_into::<web_sys::Element>().ok();
        let state =
            super::dom::DomState::attach(&self.inner, root, flag("autoTrack"), flag("dataLayer"))?;
        *self
            .inner
            .dom
            .try_borrow_mut()
            .map_err(|_| JsError::new("personalizer: busy"))? = Some(state);
        super::dom::apply(&self.inner);
        Ok(())
    }

    /// Stops the DOM wiring (the page keeps its current order).
    pub fn detach(&self) -> Result<(), JsError> {
        *self
            .inner
            .dom
            .try_borrow_mut()
            .map_err(|_| JsError::new("personalizer: busy"))? = None;
        Ok(())
    }

    /// Re-applies the DOM wiring now (it also re-applies by itself on changes).
    pub fn apply(&self) {
        super::dom::apply(&self.inner);
    }

    /// The catalogue cross-sell slots draw from: `[{item_id, item_name?, price?, currency?,
    /// url?, image?, item_category?}]` (instead of the inline JSON).
    #[wasm_bindgen(js_name = setCatalog)]
    pub fn set_catalog(&self, items: JsValue) -> Result<(), JsError> {
        let v = to_value(&items).map_err(|e| read_error("config", e))?;
        if !matches!(v, Value::List(_)) {
            return Err(JsError::new("config: the catalogue must be an array"));
        }
        let items = super::dom::catalog_from_value(&v);
        match self
            .inner
            .dom
            .try_borrow()
            .map_err(|_| JsError::new("personalizer: busy"))?
            .as_ref()
        {
            Some(state) => state.set_catalog(items),
            None => return Err(JsError::new("dom: call attach() before setCatalog()")),
        }
        super::dom::schedule(&self.inner);
        Ok(())
    }

    /// Verifies a signed bundle against the configured `publicKey` (WebCrypto), then uses
    /// it. Resolves to `info()`; rejects with `"model: …"` and keeps the model in force.
    #[wasm_bindgen(js_name = loadSignedModel)]
    pub fn load_signed_model(&self, bytes: Vec<u8>) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let key = inner
                .public_key
                .clone()
                .ok_or_else(|| JsValue::from(JsError::new("model: no publicKey is configured")))?;
            let bundle = super::delivery::verify_signature(&bytes, &key).await?;
            let mut t = inner.tracker_mut().map_err(JsValue::from)?;
            let m = t
                .load_verified_model(&bundle)
                .map_err(|e| JsValue::from(js_error(e)))?;
            to_js(&m.info()).map_err(JsValue::from)
        })
    }

    /// Uses an already decoded `Model` (it is copied).
    #[wasm_bindgen(js_name = useModel)]
    pub fn use_model(&self, model: &super::model::Model) -> Result<(), JsError> {
        let mut t = self.inner.tracker()?;
        if t.requires_signatures() {
            return Err(JsError::new(
                "model: a public key is configured: use loadSignedModel",
            ));
        }
        t.set_model((*model.inner).clone());
        Ok(())
    }

    /// Orders the page's payment methods: every method exactly once, with `score`,
    /// `eligible` and `reasons`. Without a usable model: the page's order, `fallback` set.
    /// `context` overrides context fields for this decision only.
    #[wasm_bindgen(js_name = rankPaymentMethods)]
    pub fn rank_payment_methods(
        &self,
        methods: types::PaymentMethods,
        context: Option<types::ContextInput>,
    ) -> Result<types::Ranking, JsError> {
        self.rank_list(Choice::Payment, methods, context)
    }

    /// Orders the page's shipping options, with the same guarantees as payment methods.
    #[wasm_bindgen(js_name = rankShippingOptions)]
    pub fn rank_shipping_options(
        &self,
        options: types::PaymentMethods,
        context: Option<types::ContextInput>,
    ) -> Result<types::Ranking, JsError> {
        self.rank_list(Choice::Shipping, options, context)
    }

    /// Picks at most one of the page's offers `[{id, type?, cost?, percent?}]`: eligible,
    /// within the bundle's budget and frequency cap, with a positive predicted uplift.
    #[wasm_bindgen(js_name = chooseOffer)]
    pub fn choose_offer(&self, offers: JsValue) -> Result<types::OfferDecision, JsError> {
        let v = to_value(&offers).map_err(|e| read_error("rank", e))?;
        let offers = crate::rank::Offer::list_from_value(&v).map_err(rank_error)?;
        let now = self.inner.now();
        let d = self.inner.tracker()?.choose_offer(&offers, now);
        self.inner.schedule_flush();
        Ok(to_js(&d)?.unchecked_into())
    }

    /// The bundle's message for each slot name, in the shopper's language when translated.
    #[wasm_bindgen(js_name = chooseMessages)]
    pub fn choose_messages(&self, slots: Vec<String>) -> Result<types::Messages, JsError> {
        let now = self.inner.now();
        let m = self.inner.tracker()?.choose_messages(&slots, now);
        Ok(to_js(&m)?.unchecked_into())
    }

    /// What the storefront knows: `{customer_id?, traits?: {loggedIn, loyaltyTier,
    /// customerSince, preferredLanguage, b2b}}`. The id is kept only as a salted pseudonym;
    /// other traits are dropped. Throws `"identify: …"` for bad values.
    pub fn identify(&self, who: JsValue) -> Result<(), JsError> {
        let v = to_value(&who).map_err(|e| read_error("identify", e))?;
        self.inner.tracker()?.identify(&v).map_err(js_error)?;
        super::dom::schedule(&self.inner);
        Ok(())
    }

    /// Up to `limit` (default 5) items to offer with the cart (`items`, default the
    /// profile's cart), never one in the cart; only `candidates` when given.
    #[wasm_bindgen(js_name = rankCrossSells)]
    pub fn rank_cross_sells(
        &self,
        request: Option<types::CrossSellRequest>,
    ) -> Result<types::Ranking, JsError> {
        let v = to_value(&request.map_or(JsValue::NULL, Into::into))
            .map_err(|e| read_error("rank", e))?;
        let req = CrossSellRequest::from_value(&v).map_err(rank_error)?;
        let now = self.inner.now();
        let ranking = self.inner.tracker()?.rank_cross_sells(&req, now);
        self.inner.schedule_flush();
        Ok(to_js(&ranking)?.unchecked_into())
    }

    /// Names of the model's segments the shopper is in now.
    pub fn segments(&self) -> Result<Vec<String>, JsError> {
        let now = self.inner.now();
        Ok(self.inner.tracker()?.segments(now))
    }

    /// The shopper's arm of experiment `key`, without logging an exposure; `null` when the
    /// shopper is outside it or there is no such experiment.
    pub fn assignment(&self, key: &str) -> Result<types::AssignmentOrNull, JsError> {
        let a = self.inner.tracker()?.assignment(key);
        Ok(match a {
            Some(a) => to_js(&a)?,
            None => JsValue::NULL,
        }
        .unchecked_into())
    }

    /// Sets context fields over what was derived (country, device, os, language,
    /// trafficSource, localHour, weekday): e.g. a geo-IP country from the server. Replaces
    /// the previous call's fields; a field left out is derived from the browser again.
    #[wasm_bindgen(js_name = setContext)]
    pub fn set_context(&self, context: types::ContextInput) -> Result<(), JsError> {
        let v = to_value(&context.into()).map_err(|e| read_error("config", e))?;
        let o = ContextOverride::from_value(&v).map_err(js_error)?;
        self.inner.tracker()?.set_context_override(o);
        super::dom::schedule(&self.inner);
        Ok(())
    }
}

impl Drop for Personalizer {
    fn drop(&mut self) {
        self.inner.flush();
    }
}
