//! `personalizer build SPEC.toml`: a bundle described in TOML — feature spec, heads (inline
//! linear weights, or imported from XGBoost / LightGBM / scikit-learn files, or built from
//! baskets), payment and cross-sell rules, segments and experiments. Paths are relative to
//! the spec file. Unknown keys are errors, so a typo cannot silently drop a rule.

use crate::{cooccur, err, lightgbm, link, sklearn, xgboost, Result};
use checkout_personalizer::model::*;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    id: String,
    version: String,
    expires_days: Option<f64>,
    #[serde(default)]
    features: Vec<FeatureSpec>,
    #[serde(default)]
    heads: Vec<HeadSpec>,
    payment: Option<SurfaceSpec>,
    cross_sell: Option<SurfaceSpec>,
    shipping: Option<SurfaceSpec>,
    offers: Option<SurfaceSpec>,
    #[serde(default)]
    messages: Vec<MessageSpec>,
    #[serde(default)]
    segments: Vec<SegmentSpec>,
    #[serde(default)]
    experiments: Vec<ExperimentSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureSpec {
    name: String,
    source: String,
    #[serde(default = "raw")]
    transform: String,
    mean: Option<f64>,
    std: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    value: Option<String>,
    values: Option<Vec<String>>,
    buckets: Option<u32>,
    bucket: Option<u32>,
    label: Option<String>,
}

fn raw() -> String {
    "raw".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadSpec {
    name: String,
    kind: String,
    file: Option<String>,
    weights: Option<Vec<f64>>,
    intercept: Option<f64>,
    link: Option<String>,
    baskets: Option<String>,
    catalog: Option<String>,
    category_column: Option<String>,
    name_column: Option<String>,
    min_support: Option<u64>,
    top_k: Option<usize>,
    score: Option<String>,
    shrink: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurfaceSpec {
    head: Option<String>,
    cooccur: Option<String>,
    #[serde(default)]
    rules: Vec<RuleSpec>,
    budget_percent: Option<f64>,
    frequency_cap: Option<u32>,
    frequency_days: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageSpec {
    slot: String,
    id: String,
    text: String,
    #[serde(default)]
    translations: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    when: Vec<CondSpec>,
    segment: Option<String>,
    #[serde(default)]
    priority: i32,
    /// Options the message speaks of (`shipping:express`): shown only while eligible.
    #[serde(default)]
    requires: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    targets: Vec<String>,
    #[serde(default)]
    when: Vec<CondSpec>,
    segment: Option<String>,
    #[serde(default)]
    priority: i32,
    action: String,
    #[serde(default)]
    conditions: Vec<CondSpec>,
    amount: Option<f64>,
    position: Option<u32>,
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CondSpec {
    source: String,
    op: String,
    value: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentSpec {
    name: String,
    when: Vec<CondSpec>,
}

/// GrowthBook's experiment fields, under GrowthBook's names or in snake case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExperimentSpec {
    key: String,
    seed: Option<String>,
    #[serde(alias = "hashVersion")]
    hash_version: Option<u32>,
    #[serde(alias = "hashAttribute")]
    hash_attribute: Option<String>,
    surface: String,
    coverage: Option<f64>,
    /// One per arm, instead of each arm's `weight`.
    weights: Option<Vec<f64>>,
    active: Option<bool>,
    namespace: Option<NamespaceSpec>,
    ranges: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    filters: Vec<FilterSpec>,
    arms: Vec<ArmSpec>,
}

/// `["id", start, end]` as in GrowthBook, or `{ id, start, end }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum NamespaceSpec {
    List(String, f64, f64),
    Table { id: String, start: f64, end: f64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterSpec {
    seed: String,
    ranges: Vec<[f64; 2]>,
    #[serde(alias = "hashVersion")]
    hash_version: Option<u32>,
    attribute: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmSpec {
    name: String,
    weight: Option<f64>,
    #[serde(default)]
    holdout: bool,
    head: Option<String>,
}

fn need<T>(v: Option<T>, what: &str) -> Result<T> {
    v.ok_or_else(|| err(format!("spec: {what} is required")))
}

fn condition(c: &CondSpec) -> Result<Condition> {
    let op = match c.op.as_str() {
        "eq" | "==" => Op::Eq,
        "ne" | "!=" => Op::Ne,
        "lt" | "<" => Op::Lt,
        "le" | "<=" => Op::Le,
        "gt" | ">" => Op::Gt,
        "ge" | ">=" => Op::Ge,
        "in" => Op::In,
        "not_in" | "notIn" => Op::NotIn,
        "exists" => Op::Exists,
        "missing" => Op::Missing,
        other => return Err(err(format!("spec: unknown operator \"{other}\""))),
    };
    let value = match &c.value {
        None => CondValue::None,
        Some(toml::Value::String(s)) => CondValue::Text(s.clone()),
        Some(toml::Value::Integer(i)) => CondValue::Num(*i as f64),
        Some(toml::Value::Float(f)) => CondValue::Num(*f),
        Some(toml::Value::Boolean(b)) => CondValue::Num(if *b { 1.0 } else { 0.0 }),
        Some(toml::Value::Array(a)) => CondValue::List(
            a.iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s.clone()),
                    _ => Err(err("spec: list values must be strings")),
                })
                .collect::<Result<_>>()?,
        ),
        Some(_) => {
            return Err(err(format!(
                "spec: unsupported value in condition on \"{}\"",
                c.source
            )))
        }
    };
    Ok(Condition {
        source: c.source.clone(),
        op,
        value,
    })
}

fn conditions(cs: &[CondSpec]) -> Result<Vec<Condition>> {
    cs.iter().map(condition).collect()
}

fn surface(s: &SurfaceSpec) -> Result<Surface> {
    let rules = s
        .rules
        .iter()
        .map(|r| {
            let action = match r.action.as_str() {
                "eligible" => Action::EligibleIf(conditions(&r.conditions)?),
                "exclude" => Action::Exclude,
                "boost" => Action::Boost(need(r.amount, &format!("rule \"{}\": amount", r.id))?),
                "pin" => Action::Pin(need(r.position, &format!("rule \"{}\": position", r.id))?),
                other => {
                    return Err(err(format!(
                        "spec: rule \"{}\": unknown action \"{other}\"",
                        r.id
                    )))
                }
            };
            Ok(Rule {
                id: r.id.clone(),
                targets: r.targets.clone(),
                when: conditions(&r.when)?,
                segment: r.segment.clone(),
                priority: r.priority,
                action,
                label: r.label.clone(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Surface {
        head: s.head.clone(),
        cooccur: s.cooccur.clone(),
        rules,
        budget_percent: s.budget_percent,
        frequency_cap: s.frequency_cap,
        frequency_days: s.frequency_days,
    })
}

fn head(h: &HeadSpec, dir: &Path) -> Result<Head> {
    let path = |p: &Option<String>, what: &str| -> Result<std::path::PathBuf> {
        Ok(dir.join(need(p.as_ref(), &format!("head \"{}\": {what}", h.name))?))
    };
    let kind = match h.kind.as_str() {
        "linear" => {
            let weights = need(h.weights.clone(), &format!("head \"{}\": weights", h.name))?;
            HeadKind::Linear(Linear {
                n_features: weights.len() as u32,
                link: link(h.link.as_deref().unwrap_or("logistic"))?,
                intercepts: vec![h.intercept.unwrap_or(0.0)],
                weights,
            })
        }
        "xgboost" => {
            HeadKind::Trees(xgboost::import(&crate::read_json(&path(&h.file, "file")?)?)?.trees)
        }
        "lightgbm" => {
            HeadKind::Trees(lightgbm::import(&crate::read_json(&path(&h.file, "file")?)?)?.trees)
        }
        "sklearn-linear" => {
            HeadKind::Linear(sklearn::import(&crate::read_json(&path(&h.file, "file")?)?)?.linear)
        }
        "cooccur" => {
            let baskets = crate::read_text(&path(&h.baskets, "baskets")?)?;
            let catalog = match &h.catalog {
                Some(c) => cooccur::read_catalog(
                    &crate::read_text(&dir.join(c))?,
                    h.category_column.as_deref().unwrap_or("category"),
                    h.name_column.as_deref().unwrap_or("name"),
                )?,
                None => cooccur::Catalog::default(),
            };
            let d = cooccur::Options::default();
            let o = cooccur::Options {
                min_support: h.min_support.unwrap_or(d.min_support),
                top_k: h.top_k.unwrap_or(d.top_k),
                score: h
                    .score
                    .as_deref()
                    .map_or(Ok(d.score), cooccur::Score::parse)?,
                shrink: h.shrink.unwrap_or(d.shrink),
                ease: None,
            };
            HeadKind::Cooccur(cooccur::build(
                &cooccur::Counts::from_csv(&baskets),
                &catalog,
                &o,
            )?)
        }
        other => {
            return Err(err(format!(
                "spec: head \"{}\": unknown kind \"{other}\"",
                h.name
            )))
        }
    };
    Ok(Head {
        name: h.name.clone(),
        kind,
    })
}

pub fn build(text: &str, dir: &Path, created_ms: i64) -> Result<Bundle> {
    let s: Spec = toml::from_str(text).map_err(|e| err(format!("spec: {e}")))?;
    let features = s
        .features
        .iter()
        .map(|f| {
            let what = |k: &str| format!("feature \"{}\": {k}", f.name);
            let transform = match f.transform.as_str() {
                "raw" => Transform::Raw,
                "standard" => Transform::Standard {
                    mean: need(f.mean, &what("mean"))?,
                    std: need(f.std, &what("std"))?,
                },
                "minmax" => Transform::MinMax {
                    min: need(f.min, &what("min"))?,
                    max: need(f.max, &what("max"))?,
                },
                "onehot" => Transform::OneHot {
                    value: need(f.value.clone(), &what("value"))?,
                },
                "code" => Transform::Code {
                    values: need(f.values.clone(), &what("values"))?,
                },
                "hash" => Transform::Hash {
                    buckets: need(f.buckets, &what("buckets"))?,
                    bucket: need(f.bucket, &what("bucket"))?,
                },
                other => {
                    return Err(err(format!(
                        "spec: {}",
                        what(&format!("unknown transform \"{other}\""))
                    )))
                }
            };
            Ok(Feature {
                name: f.name.clone(),
                source: f.source.clone(),
                transform,
                label: f.label.clone(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Bundle {
        id: s.id,
        version: s.version,
        created_ms,
        expires_ms: s
            .expires_days
            .map(|d| created_ms + (d * 86_400_000.0) as i64),
        features,
        heads: s
            .heads
            .iter()
            .map(|h| head(h, dir))
            .collect::<Result<_>>()?,
        payment: s.payment.as_ref().map(surface).transpose()?,
        cross_sell: s.cross_sell.as_ref().map(surface).transpose()?,
        shipping: s.shipping.as_ref().map(surface).transpose()?,
        offers: s.offers.as_ref().map(surface).transpose()?,
        messages: s
            .messages
            .iter()
            .map(|m| {
                Ok(Message {
                    slot: m.slot.clone(),
                    id: m.id.clone(),
                    text: m.text.clone(),
                    translations: m
                        .translations
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    when: conditions(&m.when)?,
                    segment: m.segment.clone(),
                    priority: m.priority,
                    requires: m.requires.clone(),
                })
            })
            .collect::<Result<_>>()?,
        segments: s
            .segments
            .iter()
            .map(|g| {
                Ok(Segment {
                    name: g.name.clone(),
                    when: conditions(&g.when)?,
                })
            })
            .collect::<Result<_>>()?,
        experiments: s
            .experiments
            .iter()
            .map(experiment)
            .collect::<Result<_>>()?,
    })
}

/// An experiment as GrowthBook runs it: its defaults (hash version 1, the key as seed,
/// equal weights, full coverage) and the fields that make sense on a checkout. What the
/// module cannot honour is refused here rather than silently run differently.
fn experiment(e: &ExperimentSpec) -> Result<Experiment> {
    let what = format!("spec: experiment \"{}\"", e.key);
    let id_only = |a: &Option<String>, field: &str| match a.as_deref() {
        None | Some("id") => Ok(()),
        Some(other) => Err(err(format!(
            "{what}: {field} \"{other}\" is not supported (the module hashes the shopper's id, \
             `userId` or its own)"
        ))),
    };
    id_only(&e.hash_attribute, "hashAttribute")?;
    let n = e.arms.len();
    let weights: Vec<f64> = match (&e.weights, e.arms.iter().any(|a| a.weight.is_some())) {
        (Some(_), true) => {
            return Err(err(format!(
                "{what}: weights given twice (weights and arm weight)"
            )))
        }
        (Some(w), false) if w.len() == n => w.clone(),
        (Some(w), false) => return Err(err(format!("{what}: {} weights for {n} arms", w.len()))),
        (None, true) => e
            .arms
            .iter()
            .map(|a| {
                a.weight
                    .ok_or_else(|| err(format!("{what}: arm \"{}\" has no weight", a.name)))
            })
            .collect::<Result<_>>()?,
        (None, false) => vec![1.0 / n.max(1) as f64; n],
    };
    let total: f64 = weights.iter().sum();
    if n > 0 && !(0.99..=1.01).contains(&total) {
        // GrowthBook would silently use equal weights instead.
        return Err(err(format!("{what}: weights sum to {total}, not 1")));
    }
    let ranges = |r: &[[f64; 2]]| r.iter().map(|&[a, b]| (a, b)).collect::<Vec<_>>();
    let filters = e
        .filters
        .iter()
        .map(|f| {
            id_only(&f.attribute, "filter attribute")?;
            Ok(Filter {
                seed: f.seed.clone(),
                hash_version: f.hash_version.unwrap_or(2),
                ranges: ranges(&f.ranges),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Experiment {
        key: e.key.clone(),
        seed: e.seed.clone().unwrap_or_else(|| e.key.clone()),
        hash_version: e.hash_version.unwrap_or(1),
        surface: e.surface.clone(),
        coverage: e.coverage.unwrap_or(1.0),
        arms: e
            .arms
            .iter()
            .zip(weights)
            .map(|(a, weight)| Arm {
                name: a.name.clone(),
                weight,
                holdout: a.holdout,
                head: a.head.clone(),
            })
            .collect(),
        active: e.active.unwrap_or(true),
        namespace: e.namespace.as_ref().map(|n| match n {
            NamespaceSpec::List(id, start, end) | NamespaceSpec::Table { id, start, end } => {
                Namespace {
                    id: id.clone(),
                    start: *start,
                    end: *end,
                }
            }
        }),
        ranges: e.ranges.as_deref().map(ranges),
        filters,
    })
}
