//! The JS `Model` class: decode a bundle once, inspect it, score feature vectors.

use super::error::js_error;
use super::exports::to_js;
use super::types;
use crate::model::{decode, Model as CoreModel};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A decoded, validated model bundle.
#[wasm_bindgen]
pub struct Model {
    pub(super) inner: CoreModel,
}

#[wasm_bindgen(module = "/src/web/tape.js")]
extern "C" {
    #[wasm_bindgen(js_name = featureVector)]
    fn feature_vector(v: &JsValue) -> Option<Vec<f64>>;
}

fn features_of(v: &JsValue) -> Result<Vec<f64>, JsError> {
    // The common cases in one call; the slow path below only to name what is wrong.
    if let Some(x) = feature_vector(v) {
        return Ok(x);
    }
    if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        // null / undefined are missing (NaN); anything else must be a number.
        return a
            .iter()
            .enumerate()
            .map(|(i, x)| match x.as_f64() {
                Some(n) => Ok(n),
                None if x.is_null() || x.is_undefined() => Ok(f64::NAN),
                None => Err(JsError::new(&format!(
                    "model: features[{i}] must be a number"
                ))),
            })
            .collect();
    }
    Err(JsError::new(
        "model: features must be a Float64Array or an array of numbers",
    ))
}

#[wasm_bindgen]
impl Model {
    /// Decodes and validates a `.cpm` bundle. Throws `"model: …"` for anything malformed.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, JsError> {
        Ok(Model {
            inner: decode(bytes).map_err(js_error)?,
        })
    }

    /// Id, version, dates, features, heads, segments, experiments.
    pub fn info(&self) -> Result<types::ModelInfo, JsError> {
        Ok(to_js(&self.inner.info())?.unchecked_into())
    }

    /// Output 0 of `head` after its link (the probability for a binary classifier).
    /// `features`: NaN, null or undefined = missing.
    pub fn predict(&self, head: &str, features: JsValue) -> Result<f64, JsError> {
        let x = features_of(&features)?;
        let p = self.inner.predict(head, &x).map_err(js_error)?;
        match p.as_slice() {
            [one] => Ok(*one),
            many => Err(JsError::new(&format!(
                "model: head \"{head}\" has {} outputs: use predictAll",
                many.len()
            ))),
        }
    }

    /// Every output of `head` after its link (class probabilities for multiclass heads).
    #[wasm_bindgen(js_name = predictAll)]
    pub fn predict_all(&self, head: &str, features: JsValue) -> Result<Vec<f64>, JsError> {
        let x = features_of(&features)?;
        self.inner.predict(head, &x).map_err(js_error)
    }

    /// Output 0 of `head` before its link (the margin).
    #[wasm_bindgen(js_name = predictRaw)]
    pub fn predict_raw(&self, head: &str, features: JsValue) -> Result<f64, JsError> {
        let x = features_of(&features)?;
        let m = self.inner.predict_raw(head, &x).map_err(js_error)?;
        Ok(m.first().copied().unwrap_or(f64::NAN))
    }
}
