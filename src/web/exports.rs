//! The JS API: `new Personalizer(options)` and its methods. Each method reads the page's
//! arguments, asks the tracker (through `state::Inner`) and converts the result; the
//! behaviour is the core's.

#[cfg(feature = "dom")]
use super::convert::to_value_with;
use super::convert::{to_js, to_value};
use super::data_layer::{DataLayer, Role};
#[cfg(feature = "dom")]
use super::dom::Wiring;
use super::error::{fail, js_error, read_error};
use super::listeners::Listeners;
use super::state::{read_clock, Inner};
use super::{local_storage, page, types};
use crate::consent::Consent;
use crate::context::ContextOverride;
use crate::options::{Options, FUNCTION_OPTIONS};
use crate::rank::{Choice, CrossSellRequest, PaymentMethod};
use crate::tracker::Tracker;
#[cfg(any(feature = "delivery", feature = "model-class"))]
use crate::tracker::{Expect, Offered};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Tracks the shopper's events and keeps the live session profile.
#[wasm_bindgen]
pub struct Personalizer {
    inner: Rc<Inner>,
    #[cfg(feature = "dom")]
    dom: Rc<Wiring>,
    /// The Consent Mode listener on the page's `dataLayer` (`consentMode` option).
    _consent: Option<DataLayer>,
    _listeners: Listeners,
}

fn read_options(options: &JsValue) -> Result<(Options, Option<js_sys::Function>), JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok((Options::default(), None));
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err(fail("config", "options must be an object"));
    }
    let mut entries = Vec::new();
    let mut clock = None;
    let keys = js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>());
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        let value = js_sys::Reflect::get(options, &key).unwrap_or(JsValue::UNDEFINED);
        if FUNCTION_OPTIONS.contains(&name.as_str()) {
            if let Some(f) = value.dyn_ref::<js_sys::Function>() {
                clock = Some(f.clone());
            } else if !value.is_undefined() && !value.is_null() {
                return Err(fail(
                    "config",
                    format_args!("\"{name}\" must be a function"),
                ));
            }
            continue;
        }
        let v = to_value(&value).map_err(|e| read_error("config", e))?;
        entries.push((name, v));
    }
    let options = Options::from_entries(&entries).map_err(js_error)?;
    Ok((options, clock))
}

#[cfg(any(feature = "export", feature = "delivery", feature = "dom"))]
/// A field of an options object the page passed (`undefined` when absent).
fn field(o: &JsValue, k: &str) -> JsValue {
    if o.is_object() {
        js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

#[cfg(feature = "delivery")]
/// `{integrity?, id?}` of `loadModelFromUrl` and `loadSignedModel`.
fn read_expect(o: &JsValue) -> Result<Expect, JsError> {
    let mut e = Expect::default();
    let text = |k: &str| -> Result<Option<String>, JsError> {
        let v = field(o, k);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| fail("model", format_args!("{k} must be a string")))
    };
    if let Some(sri) = text("integrity")? {
        e.integrity = Expect::integrity(&sri).map_err(js_error)?;
    }
    e.id = text("id")?;
    Ok(e)
}

#[wasm_bindgen]
impl Personalizer {
    /// Creates the personalizer for this page view. With `consent: 'granted'` it restores
    /// the stored journal now; with `'denied'` it erases what an earlier page view stored;
    /// with `'pending'` it does not touch storage at all. With `consentMode`, Google Consent
    /// Mode commands in the page's `dataLayer` decide (and keep deciding).
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<types::PersonalizerOptions>) -> Result<Personalizer, JsError> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let (opts, clock) = read_options(&options)?;
        let store = local_storage::open(opts.storage);
        let now = read_clock(clock.as_ref());
        let mut tracker = Tracker::from_options(store, &opts, page::tab(), page::secret(), now);
        tracker.set_signals(page::signals());
        let public_key = opts
            .public_key
            .as_deref()
            .and_then(crate::base64::base64_decode);
        let inner = Rc::new(Inner::new(tracker, clock, opts.flush_delay_ms, public_key));
        let listeners = Listeners::attach(&inner);
        // Consent Mode: replay what the page pushed so far, then decide once.
        let consent = opts
            .consent_mode
            .as_ref()
            .and_then(|_| DataLayer::listen(&inner, Role::Consent));
        let now = inner.now();
        inner.tracker()?.settle_consent(now);
        inner.write_soon();
        Ok(Personalizer {
            #[cfg(feature = "dom")]
            dom: Wiring::new(&inner, opts.decision_deadline_ms),
            inner,
            _consent: consent,
            _listeners: listeners,
        })
    }

    /// Records a GA4-shaped event. Throws `"event: …"` naming the field for an invalid event;
    /// nothing is stored then. The write is batched (see `flushDelayMs`).
    pub fn track(&self, event: types::TrackEvent) -> Result<(), JsError> {
        let value = to_value(&event.into()).map_err(|e| read_error("event", e))?;
        self.inner.track_value(&value).map_err(js_error)
    }

    /// The live session profile, as a plain object.
    pub fn profile(&self) -> Result<types::Profile, JsError> {
        let now = self.inner.now();
        let view = self.inner.tracker()?.profile(now);
        Ok(to_js(&view)?.unchecked_into())
    }

    /// Where events are kept, why, what the journal evicted or discarded, and how the
    /// page's first decision went (`dom`).
    pub fn status(&self) -> Result<types::Status, JsError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Full {
            #[serde(flatten)]
            status: crate::tracker::Status,
            storage_fallback: Option<String>,
            #[cfg(feature = "dom")]
            dom: Option<super::dom::DomStatus>,
        }
        let status = self.inner.tracker()?.status();
        let storage_fallback = match &status.memory_reason {
            Some(crate::storage::MemoryReason::Unavailable(name)) => Some(name.clone()),
            Some(crate::storage::MemoryReason::NotDurable) if web_sys::window().is_none() => {
                Some("no window".into())
            }
            _ => None,
        };
        let full = Full {
            status,
            storage_fallback,
            #[cfg(feature = "dom")]
            dom: self.dom.attached().then(|| self.dom.status()),
        };
        Ok(to_js(&full)?.unchecked_into())
    }

    /// Writes pending events now (they are also written on `pagehide` and when hidden).
    pub fn flush(&self) -> Result<(), JsError> {
        let now = self.inner.now();
        self.inner.tracker()?.flush(now);
        Ok(())
    }

    /// Changes consent. Granting persists what was kept in memory; denying (or leaving
    /// granted) erases every stored key, here and in every other tab. Returns the number of
    /// stored keys erased.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(&self, state: types::ConsentState) -> Result<u32, JsError> {
        let state: JsValue = state.into();
        let name = state
            .as_string()
            .ok_or_else(|| fail("config", "consent must be 'granted', 'denied' or 'pending'"))?;
        let consent = Consent::parse(&name).map_err(js_error)?;
        let now = self.inner.now();
        let erased = {
            let mut t = self.inner.tracker()?;
            let before = t.consent();
            let n = t.set_consent(consent, now);
            if before == Consent::Granted && consent != Consent::Granted
                || consent == Consent::Denied
            {
                self.inner.consent_withdrawn();
            }
            n
        };
        self.inner.changed();
        Ok(erased as u32)
    }

    /// Erases every key this module wrote, here and in every other tab, and everything it
    /// holds in memory; a new, unrelated identity follows. Returns the number of stored
    /// keys removed.
    pub fn forget(&self) -> Result<u32, JsError> {
        let now = self.inner.now();
        let n = self.inner.tracker()?.forget(now) as u32;
        self.inner.changed();
        Ok(n)
    }

    /// Everything kept about this browser, as plain JSON-ready data (right of access).
    #[wasm_bindgen(js_name = exportData)]
    pub fn export_data(&self) -> Result<types::ExportedData, JsError> {
        let now = self.inner.now();
        let t = self.inner.tracker()?;
        Ok(to_js(&t.kept_data(now))?.unchecked_into())
    }
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
        let list = PaymentMethod::list_from_value(&list).map_err(js_error)?;
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

    #[cfg(feature = "delivery")]
    /// Fetches a bundle. With consent, the last good bundle for this URL is used at once,
    /// synchronously, from the local cache (checked against `integrity` first); the
    /// download then replaces it if it is good (and matches `integrity`, a `sha256-…`
    /// string, and `id`, when given). The promise resolves to `info()` of the new model, or
    /// rejects with `"model: …"`, keeping the model in force.
    #[wasm_bindgen(js_name = loadModelFromUrl, unchecked_return_type = "Promise<ModelInfo>")]
    pub fn load_model_from_url(
        &self,
        url: String,
        options: Option<types::LoadOptions>,
    ) -> Result<js_sys::Promise, JsError> {
        let o: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let expect = read_expect(&o)?;
        Ok(super::delivery::load_from_url(&self.inner, url, expect))
    }

    #[cfg(feature = "export")]
    /// Sends the next batch of the consented journal to `url` as JSON Lines (POST, fetch
    /// keepalive, `x-batch-id` header), retrying with backoff; resolves to `{batch, sent}`.
    /// Events are never exported twice; without consent nothing is sent.
    #[wasm_bindgen(js_name = exportEvents, unchecked_return_type = "Promise<ExportResult>")]
    pub fn export_events(&self, options: types::ExportOptions) -> Result<js_sys::Promise, JsError> {
        let options: JsValue = options.into();
        let url = field(&options, "url")
            .as_string()
            .ok_or_else(|| fail("export", "url must be a string"))?;
        let max = field(&options, "batchSize")
            .as_f64()
            .filter(|n| *n >= 1.0 && *n <= 5000.0)
            .unwrap_or(200.0) as usize;
        Ok(super::export::export_events(&self.inner, url, max))
    }

    #[cfg(feature = "export")]
    /// On every `pagehide`, beacons the next batch to `url` (`navigator.sendBeacon`).
    #[wasm_bindgen(js_name = exportOnPageHide)]
    pub fn export_on_page_hide(&self, url: Option<String>) {
        *self.inner.export_url.borrow_mut() = url;
    }

    #[cfg(feature = "dom")]
    /// Wires the page: reorders `[data-personalize="payment-methods"]` and
    /// `"shipping-options"`, fills `[data-personalize="cross-sell"]` slots and message
    /// slots, tracks `[data-track]` clicks, list choices and GA4 `dataLayer` pushes
    /// (options `autoTrack`, `dataLayer`, default true; `root`, default the whole
    /// document). Applies once now (within the decision deadline), then on every change.
    pub fn attach(&self, options: Option<types::AttachOptions>) -> Result<(), JsError> {
        let o: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let flag = |k: &str| field(&o, k).as_bool().unwrap_or(true);
        let root = field(&o, "root").dyn_into::<web_sys::Element>().ok();
        self.dom
            .attach(root, flag("autoTrack"), flag("dataLayer"))
            .map_err(|e| fail("dom", e))
    }

    #[cfg(feature = "dom")]
    /// Stops the DOM wiring (the page keeps its current order). `attach()` again resumes
    /// it without ingesting a `dataLayer` entry twice.
    pub fn detach(&self) {
        self.dom.detach();
    }

    #[cfg(feature = "dom")]
    /// Re-applies the DOM wiring now (it also re-applies by itself on the shopper's
    /// changes). Idempotent; a list the shopper touched never moves.
    pub fn apply(&self) {
        self.dom.apply();
    }

    #[cfg(feature = "dom")]
    /// The catalogue cross-sell slots draw from: `[{item_id, item_name?, price?, currency?,
    /// url?, image?, item_category?}]` (instead of the inline JSON).
    #[wasm_bindgen(js_name = setCatalog)]
    pub fn set_catalog(&self, items: types::CatalogItems) -> Result<(), JsError> {
        let v = to_value_with(&items.into(), crate::catalog::MAX_CATALOG)
            .map_err(|e| read_error("config", e))?;
        let items = crate::catalog::catalog_from_value(&v)
            .ok_or_else(|| fail("config", "the catalogue must be an array"))?;
        if !self.dom.set_catalog(items) {
            return Err(fail("dom", "call attach() before setCatalog()"));
        }
        self.dom.schedule();
        Ok(())
    }

    #[cfg(feature = "delivery")]
    /// Verifies a signed bundle against the configured `publicKey` (WebCrypto), then uses
    /// it. Resolves to `info()`; rejects with `"model: …"` and keeps the model in force.
    #[wasm_bindgen(js_name = loadSignedModel, unchecked_return_type = "Promise<ModelInfo>")]
    pub fn load_signed_model(
        &self,
        bytes: Vec<u8>,
        options: Option<types::LoadOptions>,
    ) -> Result<js_sys::Promise, JsError> {
        let o: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let expect = read_expect(&o)?;
        Ok(super::delivery::load_signed(&self.inner, bytes, expect))
    }

    #[cfg(feature = "model-class")]
    /// Uses an already decoded `Model` (shared, not copied: a decoded model never changes).
    /// Refused when a `publicKey` is configured (use `loadSignedModel`).
    #[wasm_bindgen(js_name = useModel)]
    pub fn use_model(&self, model: &super::model::Model) -> Result<(), JsError> {
        let mut t = self.inner.tracker()?;
        t.offer_model(
            Offered::Decoded(Rc::clone(&model.inner)),
            &Expect::default(),
        )
        .map_err(js_error)?;
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

    #[cfg(feature = "shipping")]
    /// Orders the page's shipping options, with the same guarantees as payment methods.
    #[wasm_bindgen(js_name = rankShippingOptions)]
    pub fn rank_shipping_options(
        &self,
        options: types::PaymentMethods,
        context: Option<types::ContextInput>,
    ) -> Result<types::Ranking, JsError> {
        self.rank_list(Choice::Shipping, options, context)
    }

    #[cfg(feature = "offers")]
    /// Picks at most one of the page's offers `[{id, type?, cost?, percent?}]`: eligible,
    /// within the bundle's budget and frequency cap, with a positive predicted uplift.
    #[wasm_bindgen(js_name = chooseOffer)]
    pub fn choose_offer(&self, offers: types::Offers) -> Result<types::OfferDecision, JsError> {
        let v = to_value(&offers.into()).map_err(|e| read_error("rank", e))?;
        let offers = crate::rank::Offer::list_from_value(&v).map_err(js_error)?;
        let now = self.inner.now();
        let d = self.inner.tracker()?.choose_offer(&offers, now);
        self.inner.schedule_flush();
        Ok(to_js(&d)?.unchecked_into())
    }

    #[cfg(feature = "messages")]
    /// The bundle's message for each slot name, in the shopper's language when translated.
    #[wasm_bindgen(js_name = chooseMessages)]
    pub fn choose_messages(&self, slots: Vec<String>) -> Result<types::Messages, JsError> {
        let now = self.inner.now();
        let m = self.inner.tracker()?.choose_messages(&slots, now);
        Ok(to_js(&m)?.unchecked_into())
    }

    #[cfg(feature = "traits")]
    /// What the storefront knows: `{customer_id?, traits?: {loggedIn, loyaltyTier,
    /// customerSince, preferredLanguage, b2b}}`. The id is kept only as a salted pseudonym;
    /// other traits are dropped. Throws `"identify: …"` for bad values.
    pub fn identify(&self, who: types::Identity) -> Result<(), JsError> {
        let v = to_value(&who.into()).map_err(|e| read_error("identify", e))?;
        let now = self.inner.now();
        self.inner.tracker()?.identify(&v, now).map_err(js_error)?;
        self.inner.changed();
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
        let req = CrossSellRequest::from_value(&v).map_err(js_error)?;
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

    #[cfg(feature = "experiments")]
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
        self.inner.changed();
        Ok(())
    }

    /// For the package's recovery from a trapped instance: tracks each of `events` (with
    /// their `ts`) unless the journal restored an equal one. Returns how many were tracked.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __replay, skip_typescript)]
    pub fn replay(&self, events: JsValue) -> Result<u32, JsError> {
        // Leniently, as the dataLayer entries among them were read.
        let v = super::convert::to_value_lenient(&events).map_err(|e| read_error("event", e))?;
        let now = self.inner.now();
        let mut n = 0;
        if let crate::value::Value::List(list) = v {
            let mut t = self.inner.tracker()?;
            for e in &list {
                n += u32::from(t.replay(e, now).unwrap_or(false));
            }
        }
        self.inner.schedule_flush();
        Ok(n)
    }

    /// Only for tests of the page's recovery (a trapped module): executes `unreachable`.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __trapForTests, skip_typescript)]
    pub fn trap_for_tests(&self) {
        core::arch::wasm32::unreachable()
    }
}

impl Drop for Personalizer {
    fn drop(&mut self) {
        #[cfg(feature = "dom")]
        self.dom.detach();
        self.inner.flush();
    }
}
