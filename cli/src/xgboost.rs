//! XGBoost 3.x JSON (`Booster.save_model("m.json")`) → a `Trees` head.
//!
//! Semantics kept exactly: `x < split_condition` goes left in float32, NaN follows
//! `default_left`, categorical splits send the listed categories right, `base_score` is a
//! probability for logistic objectives (its logit becomes the base margin) and a margin
//! vector for softmax ones. Internal node values are XGBoost's node mean values (leaves
//! weighted by hessian cover), so path contributions match its `approx_contribs`.

use crate::{err, Result};
use checkout_personalizer::model::{node, Link, Trees};
use serde_json::Value;

pub struct Imported {
    pub trees: Trees,
    pub feature_names: Vec<String>,
    pub objective: String,
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Result<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(p)
            .ok_or_else(|| err(format!("xgboost: missing \"{}\"", path.join("."))))?;
    }
    Ok(cur)
}

fn num_str(v: &Value, what: &str) -> Result<f64> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| err(format!("xgboost: bad {what}"))),
        Value::String(s) => s
            .parse()
            .map_err(|_| err(format!("xgboost: bad {what} \"{s}\""))),
        _ => Err(err(format!("xgboost: bad {what}"))),
    }
}

/// `"[4.3E-1]"`, `"4.3E-1"` or `"[1,2,3]"` → numbers.
fn base_scores(s: &str) -> Result<Vec<f64>> {
    s.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| err(format!("xgboost: bad base_score \"{s}\"")))
        })
        .collect()
}

fn ints(v: &Value, what: &str) -> Result<Vec<i64>> {
    v.as_array()
        .ok_or_else(|| err(format!("xgboost: \"{what}\" is not an array")))?
        .iter()
        .map(|x| {
            x.as_i64()
                .ok_or_else(|| err(format!("xgboost: \"{what}\" holds a non-integer")))
        })
        .collect()
}

fn floats(v: &Value, what: &str) -> Result<Vec<f64>> {
    v.as_array()
        .ok_or_else(|| err(format!("xgboost: \"{what}\" is not an array")))?
        .iter()
        .map(|x| {
            x.as_f64()
                .ok_or_else(|| err(format!("xgboost: \"{what}\" holds a non-number")))
        })
        .collect()
}

pub fn import(json: &Value) -> Result<Imported> {
    let learner = get(json, &["learner"])?;
    let params = get(learner, &["learner_model_param"])?;
    let n_features = num_str(get(params, &["num_feature"])?, "num_feature")? as u32;
    let num_class = num_str(get(params, &["num_class"])?, "num_class")? as u32;
    if let Some(t) = params.get("num_target") {
        if num_str(t, "num_target")? as u32 > 1 {
            return Err(err("xgboost: multi-target models are not supported"));
        }
    }
    let base = base_scores(
        get(params, &["base_score"])?
            .as_str()
            .ok_or_else(|| err("xgboost: base_score is not a string"))?,
    )?;
    let objective = get(learner, &["objective", "name"])?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let booster = get(learner, &["gradient_booster"])?;
    let booster_name = booster.get("name").and_then(Value::as_str).unwrap_or("");
    if booster_name != "gbtree" {
        return Err(err(format!(
            "xgboost: booster \"{booster_name}\" is not supported (only gbtree)"
        )));
    }
    let n_groups = num_class.max(1);
    let (link, base_margin) = match objective.as_str() {
        "binary:logistic" | "reg:logistic" => {
            let p = base[0];
            if !(p > 0.0 && p < 1.0) {
                return Err(err(format!("xgboost: base_score {p} is not a probability")));
            }
            (Link::Logistic, vec![(p / (1.0 - p)).ln()])
        }
        "binary:logitraw" | "reg:squarederror" | "reg:pseudohubererror" | "reg:absoluteerror" => {
            (Link::Identity, vec![base[0]])
        }
        "multi:softprob" | "multi:softmax" => {
            let b = if base.len() == 1 {
                vec![base[0]; n_groups as usize]
            } else {
                base
            };
            if b.len() != n_groups as usize {
                return Err(err("xgboost: base_score does not match num_class"));
            }
            (Link::Softmax, b)
        }
        other => {
            return Err(err(format!(
                "xgboost: objective \"{other}\" is not supported"
            )))
        }
    };

    let model = get(booster, &["model"])?;
    let tree_info = ints(get(model, &["tree_info"])?, "tree_info")?;
    let trees_json = get(model, &["trees"])?
        .as_array()
        .ok_or_else(|| err("xgboost: \"trees\" is not an array"))?;
    if tree_info.len() != trees_json.len() {
        return Err(err("xgboost: tree_info does not match the trees"));
    }
    let mut t = Trees {
        n_features,
        n_groups,
        link,
        base_margin,
        ..Trees::default()
    };
    for (tj, &group) in trees_json.iter().zip(&tree_info) {
        add_tree(&mut t, tj, group)?;
    }
    let feature_names = crate::feature_names(learner);
    Ok(Imported {
        trees: t,
        feature_names,
        objective,
    })
}

fn add_tree(t: &mut Trees, tj: &Value, group: i64) -> Result<()> {
    let left = ints(get(tj, &["left_children"])?, "left_children")?;
    let right = ints(get(tj, &["right_children"])?, "right_children")?;
    let split_index = ints(get(tj, &["split_indices"])?, "split_indices")?;
    let cond = floats(get(tj, &["split_conditions"])?, "split_conditions")?;
    let default_left = ints(get(tj, &["default_left"])?, "default_left")?;
    let hess = floats(get(tj, &["sum_hessian"])?, "sum_hessian")?;
    let split_type = match tj.get("split_type") {
        Some(v) => ints(v, "split_type")?,
        None => vec![0; left.len()],
    };
    let cat_nodes = tj
        .get("categories_nodes")
        .map(|v| ints(v, "categories_nodes"))
        .transpose()?
        .unwrap_or_default();
    let cat_segments = tj
        .get("categories_segments")
        .map(|v| ints(v, "categories_segments"))
        .transpose()?
        .unwrap_or_default();
    let cat_sizes = tj
        .get("categories_sizes")
        .map(|v| ints(v, "categories_sizes"))
        .transpose()?
        .unwrap_or_default();
    let categories = tj
        .get("categories")
        .map(|v| ints(v, "categories"))
        .transpose()?
        .unwrap_or_default();
    let n = left.len();
    if [
        right.len(),
        split_index.len(),
        cond.len(),
        default_left.len(),
        hess.len(),
        split_type.len(),
    ]
    .iter()
    .any(|&l| l != n)
        || n == 0
    {
        return Err(err("xgboost: a tree's node arrays differ in length"));
    }
    let offset = t.kind.len();
    let idx = |c: i64| -> Result<u32> {
        if c < 0 || c as usize >= n {
            return Err(err("xgboost: a child index is out of range"));
        }
        Ok((offset + c as usize) as u32)
    };
    for i in 0..n {
        let leaf = left[i] == -1;
        let (kind, l, r) = if leaf {
            (node::LEAF, 0, 0)
        } else {
            let kind = if split_type[i] == 1 {
                node::CAT_RIGHT
            } else {
                node::LESS
            };
            (kind, idx(left[i])?, idx(right[i])?)
        };
        let (mut start, mut len) = (0, 0);
        if kind == node::CAT_RIGHT {
            let j = cat_nodes
                .iter()
                .position(|&c| c == i as i64)
                .ok_or_else(|| err("xgboost: a categorical node has no categories"))?;
            let (s, z) = (cat_segments[j] as usize, cat_sizes[j] as usize);
            let cats = categories
                .get(s..s + z)
                .ok_or_else(|| err("xgboost: categories out of range"))?;
            let words = bitset(cats)?;
            start = t.cat_words.len() as u32;
            len = words.len() as u32;
            t.cat_words.extend(words);
        }
        t.kind.push(kind);
        t.feature.push(if leaf { 0 } else { split_index[i] as u32 });
        // Thresholds are float32 in XGBoost: keep the exact float32 value.
        t.threshold.push(if leaf || kind != node::LESS {
            0.0
        } else {
            f64::from(cond[i] as f32)
        });
        t.left.push(l);
        t.right.push(r);
        t.missing.push(
            if default_left[i] != 0 {
                node::DEFAULT_LEFT
            } else {
                0
            } | node::MISSING_NAN,
        );
        t.value
            .push(if leaf { f64::from(cond[i] as f32) } else { 0.0 });
        t.cat_start.push(start);
        t.cat_len.push(len);
    }
    // Node mean values, bottom-up: XGBoost's FillNodeMeanValues.
    fn mean(t: &mut Trees, i: usize, hess: &[f64], offset: usize, depth: usize) -> Result<f64> {
        if depth > 64 {
            return Err(err("xgboost: tree too deep"));
        }
        if t.kind[i] == node::LEAF {
            return Ok(t.value[i]);
        }
        let (l, r) = (t.left[i] as usize, t.right[i] as usize);
        let lm = mean(t, l, hess, offset, depth + 1)?;
        let rm = mean(t, r, hess, offset, depth + 1)?;
        let (lh, rh, h) = (hess[l - offset], hess[r - offset], hess[i - offset]);
        let v = if h > 0.0 {
            (lm * lh + rm * rh) / h
        } else {
            (lm + rm) / 2.0
        };
        t.value[i] = v;
        Ok(v)
    }
    mean(t, offset, &hess, offset, 0)?;
    t.roots.push(offset as u32);
    t.tree_group.push(group as u32);
    Ok(())
}

/// Category codes → bitset words (bit `c % 32` of word `c / 32`).
pub fn bitset(codes: &[i64]) -> Result<Vec<u32>> {
    let max = codes.iter().copied().max().unwrap_or(0);
    if codes.iter().any(|&c| c < 0) || max > 1 << 20 {
        return Err(err("categories must be codes from 0 to 2^20"));
    }
    let mut words = vec![0u32; max as usize / 32 + 1];
    for &c in codes {
        words[c as usize / 32] |= 1 << (c % 32);
    }
    Ok(words)
}
