//! scikit-learn linear models exported as JSON: `{"coef": [...], "intercept": x,
//! "link": "logistic"|"identity", "feature_names"?: [...]}` (see scripts/make_fixtures.py;
//! coefficients in the space the model was fitted in, e.g. after a StandardScaler).

use crate::{err, link, Result};
use checkout_personalizer::model::Linear;
use serde_json::Value;

pub struct Imported {
    pub linear: Linear,
    pub feature_names: Vec<String>,
}

pub fn import(json: &Value) -> Result<Imported> {
    let coef: Vec<f64> = json
        .get("coef")
        .and_then(Value::as_array)
        .ok_or_else(|| err("sklearn: missing \"coef\""))?
        .iter()
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| err("sklearn: \"coef\" holds a non-number"))
        })
        .collect::<Result<_>>()?;
    let intercept = json.get("intercept").and_then(Value::as_f64).unwrap_or(0.0);
    let link = link(
        json.get("link")
            .and_then(Value::as_str)
            .unwrap_or("logistic"),
    )?;
    let feature_names = crate::feature_names(json);
    Ok(Imported {
        linear: Linear {
            n_features: coef.len() as u32,
            link,
            intercepts: vec![intercept],
            weights: coef,
        },
        feature_names,
    })
}
