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

pub(super) fn load_from_url(
    inner: &Rc<Inner>,
    url: String,
    integrity: Option<String>,
) -> js_sys::Promise {
    // Synchronous part: the cached bundle decides the first ranking.
    if let Ok(mut t) = inner.tracker_mut() {
        t.load_cached_model(&url);
    }
    let inner = inner.clone();
    wasm_bindgen_futures::future_to_promise(async move {
        let bytes = download(&url).await?;
        if let Some(i) = &integrity {
            verify(&bytes, i).await?;
        }
        let now = inner.now();
        let mut t = inner.tracker_mut().map_err(JsValue::from)?;
        let m = t
            .load_downloaded_model(&url, &bytes, now)
            .map_err(|e| JsValue::from(js_error(e)))?;
        to_js(&m.info()).map_err(JsValue::from)
    })
}
