//! `exportEvents({url, batchSize?})`: the consented journal to the store's collector, as
//! JSON Lines, one batch per call, with retries; and a beacon on `pagehide` once
//! `exportOnPageHide(url)` was called. See `crate::export` for the idempotence rules.
//!
//! Each line: `{"batch": "<id>", "user": "<pseudonymous id>", "record": "<record id>",
//! "type": "...", "ts": ..., "items": [...], ...}` (the GA4 export shape of the event).

use super::convert::to_js;
use super::error::{fail, reject};
use super::state::Inner;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Serialize)]
struct Line<'a> {
    batch: &'a str,
    user: &'a str,
    record: String,
    #[serde(flatten)]
    event: crate::event::Ga4Event<'a>,
}

/// The next batch as JSON Lines: `(batch id, record ids, body)`.
fn next(inner: &Inner, max: usize) -> Result<Option<(String, Vec<u64>, String)>, JsError> {
    let t = inner.tracker()?;
    let Some(batch) = t.export_batch(max) else {
        return Ok(None);
    };
    let mut body = String::new();
    for (id, e) in &batch.events {
        let line = Line {
            batch: &batch.id,
            user: t.user_id(),
            record: id.to_string(),
            event: e.to_ga4(),
        };
        let text = js_sys::JSON::stringify(&to_js(&line)?)
            .map_err(|_| fail("export", "could not encode an event"))?;
        body.push_str(&String::from(text));
        body.push('\n');
    }
    let ids = batch.events.iter().map(|(id, _)| *id).collect();
    Ok(Some((batch.id, ids, body)))
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let global: JsValue = js_sys::global().into();
        if let Ok(f) = js_sys::Reflect::get(&global, &"setTimeout".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = f.call2(&global, &resolve, &JsValue::from(ms));
        }
    });
    let _ = JsFuture::from(p).await;
}

pub(super) fn export_events(inner: &Rc<Inner>, url: String, max: usize) -> js_sys::Promise {
    let inner = inner.clone();
    wasm_bindgen_futures::future_to_promise(async move {
        let Some((batch, ids, body)) = next(&inner, max)? else {
            return Ok(to_js(&sent(None, 0))?);
        };
        let window = web_sys::window().ok_or_else(|| reject("export", "needs a browser window"))?;
        let mut delay = 250;
        let mut last = String::new();
        for _ in 0..4 {
            let init = web_sys::RequestInit::new();
            init.set_method("POST");
            init.set_body(&JsValue::from_str(&body));
            let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
            let headers = web_sys::Headers::new().map_err(|_| reject("export", "headers"))?;
            let _ = headers.set("content-type", "application/x-ndjson");
            let _ = headers.set("x-batch-id", &batch);
            init.set_headers(&headers);
            match JsFuture::from(window.fetch_with_str_and_init(&url, &init)).await {
                Ok(r) => {
                    let r: web_sys::Response = r.unchecked_into();
                    if r.ok() {
                        let now = inner.now();
                        inner.tracker()?.mark_exported(&ids, now);
                        return Ok(to_js(&sent(Some(&batch), ids.len()))?);
                    }
                    last = format!("HTTP {}", r.status());
                }
                Err(e) => last = e.as_string().unwrap_or_else(|| "network error".into()),
            }
            sleep(delay).await;
            delay *= 2;
        }
        Err(reject(
            "export",
            format_args!("batch {batch} not delivered after 4 tries ({last}); it will be sent again with the same id"),
        ))
    })
}

/// On `pagehide`: one beacon with the next batch (marked sent: the collector drops a
/// duplicate by its batch id if it was already received).
pub(super) fn beacon(inner: &Inner, url: &str) {
    let Ok(Some((batch, ids, body))) = next(inner, 500) else {
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let sent = window
        .navigator()
        .send_beacon_with_opt_str(
            &format!(
                "{url}{}batch={batch}",
                if url.contains('?') { '&' } else { '?' }
            ),
            Some(&body),
        )
        .unwrap_or(false);
    if sent {
        let now = inner.now();
        if let Some(mut t) = inner.try_tracker() {
            t.mark_exported(&ids, now);
        }
    }
}

#[derive(Serialize)]
struct Sent<'a> {
    batch: Option<&'a str>,
    sent: usize,
}

fn sent(batch: Option<&str>, count: usize) -> Sent<'_> {
    Sent { batch, sent: count }
}
