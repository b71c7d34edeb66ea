//! The JS `Model` class: decode a bundle once, inspect it, score feature vectors.

use super::convert::to_js;
use super::error::{fail, js_error};
use super::types;
use crate::model::{decode, Model as CoreModel};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A decoded, validated model bundle.
#[wasm_bindgen]
pub struct Model {
    pub(super) inner: Rc<CoreModel>,
}

/// One scoring head of a `Model`, resolved once: `predict` then takes only the features
/// (no head name crosses, and the feature buffer is reused).
#[wasm_bindgen]
pub struct Scorer {
    model: Rc<CoreModel>,
    head: usize,
    x: Vec<f64>,
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
                None => Err(fail(
                    "model",
                    format_args!("features[{i}] must be a number"),
                )),
            })
            .collect();
    }
    Err(fail(
        "model",
        "features must be a Float64Array or an array of numbers",
    ))
}

#[wasm_bindgen]
impl Model {
    /// Decodes and validates a `.cpm` bundle. Throws `"model: …"` for anything malformed.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, JsError> {
        Ok(Model {
            inner: Rc::new(decode(bytes).map_err(js_error)?),
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
            None => Err(several_outputs(
                head,
                self.inner.head(head).map_or(0, |h| h.n_outputs()),
            )),
        }
    }

    /// `head` resolved once for repeated single-output scoring: `scorer.predict(features)`
    /// equals `model.predict(head, features)`. Throws `"model: …"` for an unknown head, a
    /// co-occurrence head, or one with several outputs.
    pub fn scorer(&self, head: &str) -> Result<Scorer, JsError> {
        let h = self.inner.scoring(head).map_err(js_error)?;
        if h.n_outputs() != 1 {
            return Err(several_outputs(head, h.n_outputs()));
        }
        let index = self
            .inner
            .bundle()
            .heads
            .iter()
            .position(|x| x.name == head);
        Ok(Scorer {
            model: Rc::clone(&self.inner),
            head: index.unwrap_or(0),
            x: vec![0.0; h.n_features()],
        })
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

fn several_outputs(head: &str, n: usize) -> JsError {
    fail(
        "model",
        format_args!("head \"{head}\" has {n} outputs: use predictAll"),
    )
}

#[wasm_bindgen]
impl Scorer {
    /// Output 0 of the head after its link, as `Model.predict`. `features`: a Float64Array
    /// or an array of numbers of the head's length; NaN, null or undefined = missing.
    pub fn predict(&mut self, features: JsValue) -> Result<f64, JsError> {
        let Some(h) = self.model.bundle().heads.get(self.head) else {
            return Err(fail("model", "the scorer's head is gone"));
        };
        if !fill_features(&features, &mut self.x) {
            // The slow path converts what it can, then names what is wrong.
            let x = features_of(&self.model, &h.name, &features)?;
            let p = self.model.predict_single(&h.name, &x).map_err(js_error)?;
            return Ok(p.unwrap_or(f64::NAN));
        }
        Ok(h.predict_single(&self.x).unwrap_or(f64::NAN))
    }
}
