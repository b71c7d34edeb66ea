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
    #[wasm_bindgen(js_name = fillFeatures)]
    fn fill_features(v: &JsValue, out: &mut [f64]) -> bool;
}

/// The page's feature vector for `head`: the common cases in one call to the glue; the
/// slow path only to name what is wrong.
fn features_of(model: &CoreModel, head: &str, v: &JsValue) -> Result<Vec<f64>, JsError> {
    let mut x = vec![0.0; model.head(head).map_or(0, |h| h.n_features())];
    if fill_features(v, &mut x) {
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
        let x = features_of(&self.inner, head, &features)?;
        match self.inner.predict_single(head, &x).map_err(js_error)? {
            Some(p) => Ok(p),
            None => Err(JsError::new(&format!(
                "model: head \"{head}\" has {} outputs: use predictAll",
                self.inner.head(head).map_or(0, |h| h.n_outputs())
            ))),
        }
    }

    /// Every output of `head` after its link (class probabilities for multiclass heads).
    #[wasm_bindgen(js_name = predictAll)]
    pub fn predict_all(&self, head: &str, features: JsValue) -> Result<Vec<f64>, JsError> {
        let x = features_of(&self.inner, head, &features)?;
        self.inner.predict(head, &x).map_err(js_error)
    }

    /// Output 0 of `head` before its link (the margin).
    #[wasm_bindgen(js_name = predictRaw)]
    pub fn predict_raw(&self, head: &str, features: JsValue) -> Result<f64, JsError> {
        let x = features_of(&self.inner, head, &features)?;
        let m = self.inner.predict_raw(head, &x).map_err(js_error)?;
        Ok(m.first().copied().unwrap_or(f64::NAN))
    }
}
