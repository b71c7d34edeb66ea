//! LightGBM 4.x `Booster.dump_model()` JSON → a `Trees` head.
//!
//! Semantics kept exactly: `x <= threshold` goes left in float64; `missing_type` None (NaN
//! reads as 0), Zero (0 and NaN take the default side) and NaN (NaN takes the default
//! side); categorical `==` splits send the listed categories left and NaN or negative codes
//! right; no base score (LightGBM folds it into the first trees). Internal node values are
//! LightGBM's `internal_value`, used for path contributions.

use crate::xgboost::bitset;
use crate::{err, Result};
use checkout_personalizer::model::{node, Link, Trees};
use serde_json::Value;

pub struct Imported {
    pub trees: Trees,
    pub feature_names: Vec<String>,
    pub objective: String,
}

pub fn import(json: &Value) -> Result<Imported> {
    let num_class = json.get("num_class").and_then(Value::as_u64).unwrap_or(1) as u32;
    let per_iter = json
        .get("num_tree_per_iteration")
        .and_then(Value::as_u64)
        .unwrap_or(1) as u32;
    let max_feature = json
        .get("max_feature_idx")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            err("lightgbm: missing \"max_feature_idx\" (is this dump_model() output?)")
        })?;
    if json.get("average_output").and_then(Value::as_bool) == Some(true) {
        return Err(err(
            "lightgbm: random-forest models (average_output) are not supported",
        ));
    }
    let objective = json
        .get("objective")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let name = objective.split_whitespace().next().unwrap_or("");
    let link = match name {
        "binary" => {
            let sigmoid = objective
                .split_whitespace()
                .find_map(|p| p.strip_prefix("sigmoid:"))
                .map_or(Ok(1.0), str::parse::<f64>)
                .map_err(|_| err("lightgbm: bad sigmoid parameter"))?;
            if sigmoid != 1.0 {
                return Err(err(format!(
                    "lightgbm: sigmoid:{sigmoid} is not supported (only 1)"
                )));
            }
            Link::Logistic
        }
        "multiclass" | "softmax" => Link::Softmax,
        "regression" | "regression_l2" | "regression_l1" | "huber" | "fair" | "quantile"
        | "mape" => Link::Identity,
        // Ranking objectives: the margin orders the alternatives.
        "lambdarank" | "rank_xendcg" => Link::Identity,
        other => {
            return Err(err(format!(
                "lightgbm: objective \"{other}\" is not supported"
            )))
        }
    };
    let n_groups = if link == Link::Softmax { num_class } else { 1 };
    if per_iter != n_groups {
        return Err(err(
            "lightgbm: num_tree_per_iteration does not match num_class",
        ));
    }
    let mut t = Trees {
        n_features: max_feature as u32 + 1,
        n_groups,
        link,
        base_margin: vec![0.0; n_groups as usize],
        ..Trees::default()
    };
    let trees = json
        .get("tree_info")
        .and_then(Value::as_array)
        .ok_or_else(|| err("lightgbm: missing \"tree_info\""))?;
    for (i, tree) in trees.iter().enumerate() {
        let root = tree
            .get("tree_structure")
            .ok_or_else(|| err("lightgbm: a tree has no \"tree_structure\""))?;
        t.roots.push(t.kind.len() as u32);
        t.tree_group.push(i as u32 % n_groups);
        add_node(&mut t, root, 0)?;
    }
    let feature_names = crate::feature_names(json);
    Ok(Imported {
        trees: t,
        feature_names,
        objective,
    })
}

/// Appends the subtree at `n` in pre-order; returns its index.
fn add_node(t: &mut Trees, n: &Value, depth: usize) -> Result<u32> {
    if depth > 64 {
        return Err(err("lightgbm: tree too deep"));
    }
    let i = t.kind.len();
    let f64_of = |key: &str| n.get(key).and_then(Value::as_f64);
    if let Some(v) = f64_of("leaf_value") {
        push(t, node::LEAF, 0, 0.0, 0, v, &[])?;
        return Ok(i as u32);
    }
    let feature = n
        .get("split_feature")
        .and_then(Value::as_u64)
        .ok_or_else(|| err("lightgbm: a split has no \"split_feature\""))? as u32;
    let value = f64_of("internal_value").unwrap_or(0.0);
    let default_left = n
        .get("default_left")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let missing = match n
        .get("missing_type")
        .and_then(Value::as_str)
        .unwrap_or("None")
    {
        "None" => node::MISSING_NONE,
        "Zero" => node::MISSING_ZERO,
        "NaN" => node::MISSING_NAN,
        other => return Err(err(format!("lightgbm: unknown missing_type \"{other}\""))),
    } | if default_left { node::DEFAULT_LEFT } else { 0 };
    match n.get("decision_type").and_then(Value::as_str) {
        Some("<=") => {
            let thr = f64_of("threshold")
                .ok_or_else(|| err("lightgbm: a split has no numeric threshold"))?;
            push(t, node::LESS_EQ, feature, thr, missing, value, &[])?;
        }
        Some("==") => {
            let cats = n
                .get("threshold")
                .and_then(Value::as_str)
                .ok_or_else(|| err("lightgbm: a categorical split has no category list"))?
                .split("||")
                .map(|c| {
                    c.trim()
                        .parse::<i64>()
                        .map_err(|_| err(format!("lightgbm: bad category \"{c}\"")))
                })
                .collect::<Result<Vec<_>>>()?;
            push(
                t,
                node::CAT_LEFT,
                feature,
                0.0,
                missing,
                value,
                &bitset(&cats)?,
            )?;
        }
        other => return Err(err(format!("lightgbm: unknown decision_type {other:?}"))),
    }
    let l = add_node(
        t,
        n.get("left_child")
            .ok_or_else(|| err("lightgbm: a split has no left child"))?,
        depth + 1,
    )?;
    let r = add_node(
        t,
        n.get("right_child")
            .ok_or_else(|| err("lightgbm: a split has no right child"))?,
        depth + 1,
    )?;
    t.left[i] = l;
    t.right[i] = r;
    Ok(i as u32)
}

fn push(
    t: &mut Trees,
    kind: u8,
    feature: u32,
    threshold: f64,
    missing: u8,
    value: f64,
    words: &[u32],
) -> Result<()> {
    t.kind.push(kind);
    t.feature.push(feature);
    t.threshold.push(threshold);
    t.left.push(0);
    t.right.push(0);
    t.missing.push(missing);
    t.value.push(value);
    t.cat_start.push(t.cat_words.len() as u32);
    t.cat_len.push(words.len() as u32);
    t.cat_words.extend_from_slice(words);
    Ok(())
}
