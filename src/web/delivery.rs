//! Model delivery: `loadModelFromUrl(url, { integrity? })`.
//!
//! Synchronously first: with consent, the last good bundle for this URL is taken from the
//! local cache, so the first decision needs no network (no flicker). Then the download:
//! checked against a `sha256-…` integrity string with WebCrypto when given, decoded, used
//! and cached. A failed or rejected download keeps whatever model was in force.

use super::error::js_error;
use super::exports::{to_js, Inner};
use crate::base64::base64_encode;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn fail(why: impl std::fmt::Display) -> JsValue {
    JsError::new(&format!("model: {why}")).into()
}

fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
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

/// Checks `bytes` against an SRI string `sha256-<base64>`.
async fn verify(bytes: &[u8], integrity: &str) -> Result<(), JsValue> {
    let want = integrity
        .strip_prefix("sha256-")
        .ok_or_else(|| fail("integrity must be \"sha256-<base64>\""))?
        .trim_end_matches('=');
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or_else(|| fail("integrity checks need WebCrypto (a secure context)"))?;
    let data = js_sys::Uint8Array::from(bytes);
    let digest = subtle
        .digest_with_str_and_buffer_source("SHA-256", &data)
        .map_err(|e| fail(format_args!("integrity check failed ({})", js_text(&e))))?;
    let digest = JsFuture::from(digest)
        .await
        .map_err(|e| fail(format_args!("integrity check failed ({})", js_text(&e))))?;
    let got = base64_encode(&js_sys::Uint8Array::new(&digest).to_vec());
    if got != want {
        return Err(fail(
            "integrity mismatch: the bundle was not the one expected",
        ));
    }
    Ok(())
}

/// Checks a signed envelope against the configured P-256 key with WebCrypto; returns the
/// inner bundle bytes. An unsigned bundle is refused.
pub(super) async fn verify_signature(bytes: &[u8], key: &[u8]) -> Result<Vec<u8>, JsValue> {
    let env = crate::model::format::read_envelope(bytes)
        .ok_or_else(|| fail("unsigned bundle refused: a public key is configured"))?;
    if env.alg != crate::model::format::SIGNATURE_ALG {
        return Err(fail(format_args!(
            "unsupported signature algorithm \"{}\"",
            env.alg
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
    Ok(env.bundle.to_vec())
}

pub(super) fn load_from_url(
    inner: &Rc<Inner>,
    url: String,
    integrity: Option<String>,
) -> js_sys::Promise {
    let key = inner.public_key.clone();
    // Synchronous part: the cached bundle decides the first ranking (when no signature has
    // to be checked first: WebCrypto is asynchronous).
    if key.is_none() {
        if let Ok(mut t) = inner.tracker_mut() {
            t.load_cached_model(&url);
        }
    }
    let inner = inner.clone();
    wasm_bindgen_futures::future_to_promise(async move {
        if let Some(k) = &key {
            // The cached copy is checked like a download before it is used.
            let cached = inner
                .tracker_mut()
                .ok()
                .and_then(|t| t.cached_model_bytes(&url));
            if let Some(bytes) = cached {
                if let Ok(bundle) = verify_signature(&bytes, k).await {
                    if let Ok(mut t) = inner.tracker_mut() {
                        let _ = t.load_verified_model(&bundle);
                    }
                }
            }
        }
        let bytes = download(&url).await?;
        if let Some(i) = &integrity {
            verify(&bytes, i).await?;
        }
        let verified = match &key {
            Some(k) => {
                verify_signature(&bytes, k).await?;
                true
            }
            None => false,
        };
        let now = inner.now();
        let mut t = inner.tracker_mut().map_err(JsValue::from)?;
        let m = t
            .load_downloaded_model(&url, &bytes, now, verified)
            .map_err(|e| JsValue::from(js_error(e)))?;
        to_js(&m.info()).map_err(JsValue::from)
    })
}
