//! Model delivery: `loadModelFromUrl(url, {integrity?, id?})` and `loadSignedModel`.
//!
//! Synchronously first: with consent, the last good bundle for this URL is taken from the
//! local cache and checked against `integrity` (SHA-256 in the module), so the first
//! decision needs no network. Then the download, checked the same way, decoded, used and
//! cached. With a `publicKey`, every bundle (cached or downloaded) is verified with
//! WebCrypto first; this file is the only one that may attest a verified bundle. A failed
//! or rejected download keeps whatever model was in force.

use super::convert::to_js;
use super::error::{js_error, js_text, reject};
use super::state::{Change, Inner};
use crate::model::format::{read_envelope, SIGNATURE_ALG};
use crate::tracker::{Expect, VerifiedBundle};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn fail(why: impl std::fmt::Display) -> JsValue {
    reject("model", why)
}

async fn download(url: &str) -> Result<Vec<u8>, JsValue> {
    let window = web_sys::window().ok_or_else(|| fail("downloads need a browser window"))?;
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoCache);
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| fail(format_args!("download failed ({})", js_text(&e))))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| fail("download failed"))?;
    if !resp.ok() {
        return Err(fail(format_args!(
            "download failed (HTTP {})",
            resp.status()
        )));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(|_| fail("download failed"))?)
        .await
        .map_err(|e| fail(format_args!("download failed ({})", js_text(&e))))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Checks a signed envelope against the configured P-256 key with WebCrypto. An unsigned
/// bundle is refused.
pub(super) async fn verify_signature(raw: &[u8], key: &[u8]) -> Result<VerifiedBundle, JsValue> {
    let env = read_envelope(raw)
        .ok_or_else(|| fail("unsigned bundle refused: a public key is configured"))?;
    if env.alg != SIGNATURE_ALG {
        return Err(fail(format_args!(
            "unsupported signature algorithm \"{}\"",
            env.alg.chars().take(20).collect::<String>()
        )));
    }
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or_else(|| fail("signature checks need WebCrypto (a secure context)"))?;
    let alg = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&alg, &JsValue::from_str(k), v);
    let _ = set("name", &"ECDSA".into());
    let _ = set("namedCurve", &"P-256".into());
    let usages = js_sys::Array::of1(&"verify".into());
    let imported = subtle
        .import_key_with_object("raw", &js_sys::Uint8Array::from(key), &alg, false, &usages)
        .map_err(|e| fail(format_args!("bad public key ({})", js_text(&e))))?;
    let key = JsFuture::from(imported)
        .await
        .map_err(|e| fail(format_args!("bad public key ({})", js_text(&e))))?;
    let _ = set("hash", &"SHA-256".into());
    let ok = subtle
        .verify_with_object_and_buffer_source_and_buffer_source(
            &alg,
            key.unchecked_ref(),
            &js_sys::Uint8Array::from(env.signature),
            &js_sys::Uint8Array::from(env.bundle),
        )
        .map_err(|e| fail(format_args!("signature check failed ({})", js_text(&e))))?;
    let ok = JsFuture::from(ok)
        .await
        .map_err(|e| fail(format_args!("signature check failed ({})", js_text(&e))))?;
    if ok.as_bool() != Some(true) {
        return Err(fail(
            "bad signature: the bundle was not signed with the configured key",
        ));
    }
    Ok(VerifiedBundle::attest(raw.to_vec()))
}

pub(super) fn load_from_url(inner: &Rc<Inner>, url: String, expect: Expect) -> js_sys::Promise {
    let key = inner.public_key.clone();
    // Synchronous part: the cached bundle decides the first ranking (when no signature has
    // to be checked first: WebCrypto is asynchronous).
    if key.is_none() {
        let now = inner.now();
        if let Some(mut t) = inner.try_tracker() {
            t.load_cached_model(&url, &expect, now);
        }
    }
    let inner = inner.clone();
    inner.loads_in_flight.set(inner.loads_in_flight.get() + 1);
    wasm_bindgen_futures::future_to_promise(async move {
        let result = download_and_use(&inner, &url, key.as_deref(), &expect).await;
        inner
            .loads_in_flight
            .set(inner.loads_in_flight.get().saturating_sub(1));
        inner.tell(Change::ModelSettled);
        result
    })
}

async fn download_and_use(
    inner: &Rc<Inner>,
    url: &str,
    key: Option<&[u8]>,
    expect: &Expect,
) -> Result<JsValue, JsValue> {
    let url = url.to_owned();
    {
        if let Some(k) = key {
            // The cached copy is checked like a download before it is used.
            let now = inner.now();
            let cached = inner
                .try_tracker()
                .and_then(|t| t.cached_model_bytes(&url, now));
            if let Some(raw) = cached {
                if let Ok(v) = verify_signature(&raw, k).await {
                    if let Some(mut t) = inner.try_tracker() {
                        let _ = t.load_verified_cached_model(&url, &v, &raw, expect);
                    }
                    // A verified cached bundle decides the first ranking now.
                    inner.tell(Change::ModelSettled);
                }
            }
        }
    }
    let raw = download(&url).await?;
    let verified = match key {
        Some(k) => Some(verify_signature(&raw, k).await?),
        None => None,
    };
    let now = inner.now();
    let mut t = inner.tracker().map_err(JsValue::from)?;
    let m = t
        .load_downloaded_model(&url, &raw, verified.as_ref(), expect, now)
        .map_err(|e| JsValue::from(js_error(e)))?;
    to_js(&m.info()).map_err(JsValue::from)
}

/// `loadSignedModel(bytes, {id?})`: verifies, then uses.
pub(super) fn load_signed(inner: &Rc<Inner>, raw: Vec<u8>, expect: Expect) -> js_sys::Promise {
    let inner = inner.clone();
    wasm_bindgen_futures::future_to_promise(async move {
        let key = inner
            .public_key
            .clone()
            .ok_or_else(|| fail("no publicKey is configured"))?;
        let v = verify_signature(&raw, &key).await?;
        let mut t = inner.tracker().map_err(JsValue::from)?;
        let m = t
            .offer_model(crate::tracker::Offered::Verified(&v), &expect)
            .map_err(|e| JsValue::from(js_error(e)))?;
        to_js(&m.info()).map_err(JsValue::from)
    })
}
