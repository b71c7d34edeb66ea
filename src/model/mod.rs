//! The compact model bundle: what the server ships and the browser scores.
//!
//! `Bundle` is the plain data of a `.cpm` file: metadata, the feature spec, named heads,
//! payment and cross-sell rules, segments and experiments. The native CLI builds one and
//! `format::encode`s it; the browser `format::read`s bytes into one and `decode::validate`s it
//! into a `Model`, which is the only thing evaluation accepts. Validation checks every index,
//! depth, size and number, so scoring a `Model` cannot fail, loop or read out of bounds.
//!
//! Layout: `format.rs` (the only file that knows the MessagePack layout of a bundle),
//! `decode.rs` (bounds and validation), `trees.rs`, `linear.rs`, `cooccur.rs` (evaluation
//! only: they never see bytes), `features.rs` (profile → feature vector).

pub mod cooccur;
pub mod decode;
pub mod features;
pub mod format;
pub mod linear;
pub mod perfect;
pub mod runtime;
pub mod score;
pub mod trees;

pub use decode::decode;
pub use runtime::{DecodeError, Model};
pub use score::PredictError;

/// The newest bundle format version this crate reads and writes. Version 2 added the
/// compact partner layout (`format/partners.rs`); the writer puts 2 only on bundles that use
/// it, so every other bundle stays readable by modules that know only version 1, and a
/// module that knows only 1 refuses a version-2 bundle by its version. Version 3 added
/// one-hot runs in the feature list (`format::write`): many one-hot features of one source
/// and label in a few bytes each (a trained payment head's context pairs); written only
/// when a bundle has such features.
pub const FORMAT_VERSION: u32 = 3;
/// Leading magic string of every bundle.
pub const MAGIC: &str = "CPM";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bundle {
    pub id: String,
    pub version: String,
    /// ms since the epoch.
    pub created_ms: i64,
    /// ms since the epoch; an expired model is not used.
    pub expires_ms: Option<i64>,
    pub features: Vec<Feature>,
    pub heads: Vec<Head>,
    pub payment: Option<Surface>,
    pub cross_sell: Option<Surface>,
    pub shipping: Option<Surface>,
    /// Incentives (`chooseOffer`): head = purchase propensity with the offer as candidate.
    pub offers: Option<Surface>,
    pub segments: Vec<Segment>,
    pub experiments: Vec<Experiment>,
    pub messages: Vec<Message>,
}

/// A text for a page slot (`chooseMessages`), shown when its conditions hold; the highest
/// priority wins per slot. Text only, never markup.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub slot: String,
    pub id: String,
    pub text: String,
    /// `(language, text)`, e.g. `("de", "Danke …")`.
    pub translations: Vec<(String, String)>,
    pub when: Vec<Condition>,
    pub segment: Option<String>,
    pub priority: i32,
    /// Options the message speaks of (`shipping:express`, `payment:klarna`): it is shown only
    /// while the surface's rules keep each of them eligible (a message never promises what
    /// the rules took away).
    pub requires: Vec<String>,
}

/// One input of the feature vector: where its value comes from and how it is transformed.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    /// A source path such as `cart.value`, `context.country` or `candidate.isLast`
    /// (see `features::Source`).
    pub source: String,
    pub transform: Transform,
    /// A short shopper-facing reason used when this feature lifts a candidate most
    /// ("Your usual", "Popular in your country").
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transform {
    /// The number as it is (text sources: missing). Missing is NaN.
    Raw,
    /// `(x - mean) / std`.
    Standard { mean: f64, std: f64 },
    /// `(x - min) / (max - min)`.
    MinMax { min: f64, max: f64 },
    /// 1 when the text equals `value`, else 0 (missing stays NaN).
    OneHot { value: String },
    /// The index of the text in `values` (a categorical code for tree splits); unknown or
    /// missing text is NaN.
    Code { values: Vec<String> },
    /// Feature hashing: 1 when `fnv1a(text) % buckets == bucket`, else 0.
    Hash { buckets: u32, bucket: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub name: String,
    pub kind: HeadKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HeadKind {
    Linear(Linear),
    Trees(Trees),
    Cooccur(Cooccur),
}

/// How a margin becomes the prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    #[default]
    Identity = 0,
    Logistic = 1,
    Softmax = 2,
}

/// A linear model: `margin[c] = intercepts[c] + Σ weights[c * n_features + i] * x[i]`.
/// Missing inputs (NaN) contribute nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub n_features: u32,
    pub link: Link,
    pub intercepts: Vec<f64>,
    pub weights: Vec<f64>,
}

/// Node kinds of `Trees`.
pub mod node {
    pub const LEAF: u8 = 0;
    /// XGBoost: `x < threshold` goes left, in float32; NaN follows the default.
    pub const LESS: u8 = 1;
    /// LightGBM: `x <= threshold` goes left, in float64, with LightGBM's missing rules.
    pub const LESS_EQ: u8 = 2;
    /// XGBoost categorical: codes in the set go right; NaN follows the default; invalid
    /// codes go left.
    pub const CAT_RIGHT: u8 = 3;
    /// LightGBM categorical: codes in the set go left; NaN and negative codes go right.
    pub const CAT_LEFT: u8 = 4;

    /// `missing` byte: bit 0 = default left; bits 1–2 = missing type.
    pub const DEFAULT_LEFT: u8 = 1;
    /// NaN is missing (XGBoost; LightGBM `NaN`).
    pub const MISSING_NAN: u8 = 0 << 1;
    /// LightGBM `None`: NaN is read as 0 and compared.
    pub const MISSING_NONE: u8 = 1 << 1;
    /// LightGBM `Zero`: NaN and 0 are missing.
    pub const MISSING_ZERO: u8 = 2 << 1;
}

/// A gradient-boosted ensemble in flat arrays. Node `i` of the whole ensemble has
/// `kind[i]`, `feature[i]`, `threshold[i]`, `left[i]`, `right[i]`, `missing[i]`, and
/// `value[i]`: the leaf value, or for an internal node its expected value (used for
/// path-based contributions). Categorical nodes hold a bitset of codes in
/// `cat_words[cat_start[i] .. cat_start[i] + cat_len[i]]`. Tree `t` starts at `roots[t]`
/// and adds to margin group `tree_group[t]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trees {
    pub n_features: u32,
    pub n_groups: u32,
    pub link: Link,
    /// Margin added per group before the trees (XGBoost's base score, as a margin).
    pub base_margin: Vec<f64>,
    pub roots: Vec<u32>,
    pub tree_group: Vec<u32>,
    pub kind: Vec<u8>,
    pub feature: Vec<u32>,
    pub threshold: Vec<f64>,
    pub left: Vec<u32>,
    pub right: Vec<u32>,
    pub missing: Vec<u8>,
    pub value: Vec<f64>,
    pub cat_start: Vec<u32>,
    pub cat_len: Vec<u32>,
    pub cat_words: Vec<u32>,
    /// The trees laid out for walking, built by `compile` when the bundle is decoded; not
    /// part of the file format.
    pub compiled: Box<Compiled>,
}

/// `Trees` laid out for walking: each tree's nodes in breadth-first order with the two
/// children of a node side by side, so a step is `left + went_right` (no branch on the
/// direction) and the 16-byte records a walk reads sit close together. A leaf record
/// steps to itself (`left` is its own index minus one and its NaN threshold always sends
/// right), so trees of different depths can be walked in step for a fixed count. Per record, the
/// rest lives in parallel arrays: the leaf or expected value, the full-precision
/// threshold, and the node's index in the file's arrays (for category bitsets).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compiled {
    pub nodes: Vec<Node>,
    pub value: Vec<f64>,
    pub threshold: Vec<f64>,
    pub original: Vec<u32>,
    /// Where each tree starts in `nodes`.
    pub roots: Vec<u32>,
    /// Per tree: its depth (edges from the root to the deepest leaf).
    pub depth: Vec<u8>,
    /// Per tree `t`: whether trees `t .. t + LANES` can be walked in step (`IN_STEP`: every
    /// split is XGBoost's numeric `LESS`; `IN_STEP_GROUP0`: and all add to group 0).
    pub in_step: Vec<u8>,
    /// The whole ensemble as complete trees, when every tree qualifies (`perfect.rs`).
    pub perfect: Option<perfect::Perfect>,
}

/// Trees walked in step (see `Trees::walk_lanes`, which writes the lanes out one by one):
/// 8 measured fastest of 2, 4 and 8.
pub const LANES: usize = 8;
pub const IN_STEP: u8 = 1;
pub const IN_STEP_GROUP0: u8 = 2;

/// One record of `Compiled::nodes`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Node {
    pub threshold32: f32,
    pub feature: u32,
    /// `compiled` index of the left child; the right child is the next record.
    pub left: u32,
    pub kind: u8,
    pub missing: u8,
}

impl Trees {
    /// Lays the node arrays out as `compiled` (call after validation, which guarantees
    /// true trees with in-range indices; a bad index would only end a walk early).
    pub fn compile(&mut self) {
        let n = self.kind.len();
        // Breadth-first per tree; `order[k]` is the file index of record `k`, and an
        // internal record's children are appended as a pair.
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut left: Vec<u32> = Vec::with_capacity(n);
        let mut roots = Vec::with_capacity(self.roots.len());
        for &root in &self.roots {
            roots.push(order.len() as u32);
            order.push(root);
            left.push(0);
            let mut at = order.len() - 1;
            while at < order.len() && order.len() <= n {
                let i = order[at] as usize;
                if self.kind.get(i).is_some_and(|&k| k != node::LEAF) {
                    left[at] = order.len() as u32;
                    order.push(self.left.get(i).copied().unwrap_or(0));
                    order.push(self.right.get(i).copied().unwrap_or(0));
                    left.extend([0, 0]);
                }
                at += 1;
            }
        }
        let nodes: Vec<Node> = order
            .iter()
            .zip(&left)
            .enumerate()
            .map(|(k, (&i, &l))| {
                let i = i as usize;
                let kind = self.kind.get(i).copied().unwrap_or(node::LEAF);
                if kind == node::LEAF {
                    return Node {
                        threshold32: f32::NAN,
                        feature: 0,
                        left: (k as u32).wrapping_sub(1),
                        kind,
                        missing: 0,
                    };
                }
                Node {
                    threshold32: self.threshold.get(i).copied().unwrap_or(0.0) as f32,
                    feature: self.feature.get(i).copied().unwrap_or(0),
                    left: l,
                    kind,
                    missing: self.missing.get(i).copied().unwrap_or(0),
                }
            })
            .collect();
        // Depth and simplicity per tree: records of tree `t` run from its root to the next.
        let (mut depth, mut simple) = (Vec::new(), Vec::new());
        for (t, &start) in roots.iter().enumerate() {
            let end = roots.get(t + 1).map_or(nodes.len(), |&e| e as usize);
            let mut level = vec![0u8; end.saturating_sub(start as usize)];
            let mut d = 0u8;
            let mut plain = true;
            for k in start as usize..end {
                let n = &nodes[k];
                if n.kind == node::LEAF {
                    continue;
                }
                plain &= n.kind == node::LESS;
                let here = level[k - start as usize];
                for child in [n.left as usize, n.left as usize + 1] {
                    if let Some(l) = level.get_mut(child.wrapping_sub(start as usize)) {
                        *l = here.saturating_add(1);
                        d = d.max(*l);
                    }
                }
            }
            depth.push(d);
            simple.push(plain);
        }
        let at = |v: &[f64]| -> Vec<f64> {
            order
                .iter()
                .map(|&i| v.get(i as usize).copied().unwrap_or(0.0))
                .collect()
        };
        let group0: Vec<bool> = (0..roots.len())
            .map(|t| self.tree_group.get(t) == Some(&0))
            .collect();
        let all = |v: &[bool], t: usize| v.get(t..t + LANES).is_some_and(|w| w.iter().all(|&b| b));
        let in_step = (0..roots.len())
            .map(|t| {
                let simple = all(&simple, t);
                u8::from(simple) * IN_STEP + u8::from(simple && all(&group0, t)) * IN_STEP_GROUP0
            })
            .collect();
        *self.compiled = Compiled {
            nodes,
            value: at(&self.value),
            threshold: at(&self.threshold),
            original: order,
            roots,
            depth,
            in_step,
            perfect: None,
        };
        self.compiled.perfect = perfect::Perfect::build(&self.compiled, &self.tree_group);
    }
}

/// Frequently-bought-together: per item, its top partners with a score, plus popularity
/// and category for cold start. `items` is sorted; partners of item `i` are
/// `partner[partner_start[i] .. partner_start[i + 1]]` with `partner_score` alongside.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cooccur {
    pub items: Vec<String>,
    pub names: Vec<String>,
    /// Index into `categories`, or `u32::MAX` for none.
    pub category: Vec<u32>,
    pub categories: Vec<String>,
    /// Share of baskets containing the item (0–1).
    pub popularity: Vec<f64>,
    pub partner_start: Vec<u32>,
    pub partner: Vec<u32>,
    pub partner_score: Vec<f64>,
    /// Orders for cold start, built by `build_order` when the bundle is decoded; not part of
    /// the file format.
    pub order: Box<CooccurOrder>,
}

/// Items by popularity (descending, then id), overall and per category, so a cart
/// without co-occurrence finds its best candidates without scanning the catalogue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CooccurOrder {
    pub by_popularity: Vec<u32>,
    /// Items with a category, grouped by category (each group by popularity); the items
    /// of category `k` are `by_category[category_start[k] .. category_start[k + 1]]`.
    pub by_category: Vec<u32>,
    pub category_start: Vec<u32>,
    /// Every partner list is ascending (all bundles from this CLI): a lookup can bisect.
    pub ascending: bool,
}

/// A ranking surface (payment methods or cross-sells): the head that scores candidates and
/// the rules applied after it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Surface {
    /// Head scoring each candidate (its feature vector includes `candidate.*` sources).
    pub head: Option<String>,
    /// Cross-sells: the co-occurrence head that proposes candidates.
    pub cooccur: Option<String>,
    pub rules: Vec<Rule>,
    /// Offers: never more than this percentage of the cart value.
    pub budget_percent: Option<f64>,
    /// Offers: at most this many shown per shopper within `frequency_days`.
    pub frequency_cap: Option<u32>,
    pub frequency_days: Option<f64>,
}

/// A rule applied after the model. `targets` match candidate ids, or types as `type:<t>`,
/// or `*` for all. It applies when every condition in `when` holds and the shopper is in
/// `segment` (if given).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub targets: Vec<String>,
    pub when: Vec<Condition>,
    pub segment: Option<String>,
    /// Higher wins when two pins want the same position.
    pub priority: i32,
    pub action: Action,
    /// Shopper-facing reason ("Popular in your country").
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The candidate is eligible only when every condition holds; otherwise it goes after
    /// all eligible ones, flagged `eligible: false` (never removed).
    EligibleIf(Vec<Condition>),
    /// Move after everything else (payments: still listed) / drop (cross-sells).
    Exclude,
    /// Add to the score.
    Boost(f64),
    /// Put at this 0-based position.
    Pin(u32),
}

/// `source op value`, e.g. `context.country in [CN]`, `cart.value >= 100`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub source: String,
    pub op: Op,
    pub value: CondValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq = 0,
    Ne = 1,
    Lt = 2,
    Le = 3,
    Gt = 4,
    Ge = 5,
    In = 6,
    NotIn = 7,
    Exists = 8,
    Missing = 9,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CondValue {
    None,
    Num(f64),
    Text(String),
    List(Vec<String>),
}

/// A named group of shoppers, e.g. `frequent_buyer`: `orders.last30Days > 3`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub name: String,
    pub when: Vec<Condition>,
}

/// A GrowthBook-compatible experiment over one surface: the same fields mean the same as
/// in GrowthBook's SDKs (`experiment::assign` follows their order of checks).
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub key: String,
    /// Hash seed (GrowthBook: defaults to the key).
    pub seed: String,
    /// 1 or 2 (GrowthBook's hash versions; GrowthBook's default is 1).
    pub hash_version: u32,
    /// `payment`, `crossSell`, `shipping` or `offers`.
    pub surface: String,
    pub coverage: f64,
    pub arms: Vec<Arm>,
    /// `false`: nobody is in it (GrowthBook's `active`).
    pub active: bool,
    /// Mutually exclusive experiments: only shoppers whose namespace hash falls in
    /// [start, end) (GrowthBook's `namespace: [id, start, end]`).
    pub namespace: Option<Namespace>,
    /// Explicit bucket ranges, one per arm (GrowthBook's `ranges`): they replace
    /// `coverage` and the weights.
    pub ranges: Option<Vec<(f64, f64)>>,
    /// Hash filters (GrowthBook's `filters`): the shopper must fall in one range of each.
    /// With filters, the namespace is ignored, as in GrowthBook.
    pub filters: Vec<Filter>,
}

impl Experiment {
    /// An active experiment without namespace, ranges or filters.
    pub fn new(key: &str, surface: &str, arms: Vec<Arm>) -> Experiment {
        Experiment {
            key: key.to_owned(),
            seed: key.to_owned(),
            hash_version: 1,
            surface: surface.to_owned(),
            coverage: 1.0,
            arms,
            active: true,
            namespace: None,
            ranges: None,
            filters: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    pub id: String,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub seed: String,
    /// GrowthBook's default for filters is 2.
    pub hash_version: u32,
    pub ranges: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    pub name: String,
    pub weight: f64,
    /// The default order, no model (a holdout).
    pub holdout: bool,
    /// A head to use instead of the surface's.
    pub head: Option<String>,
}

/// What `model.info()` returns.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    pub id: String,
    pub version: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub features: Vec<String>,
    pub heads: Vec<HeadInfo>,
    pub segments: Vec<String>,
    pub experiments: Vec<String>,
    pub payment_rules: usize,
    pub cross_sell_rules: usize,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HeadInfo {
    pub name: String,
    pub kind: &'static str,
    pub features: usize,
    pub outputs: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trees: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<usize>,
}

impl Model {
    pub fn info(&self) -> ModelInfo {
        let b = self.bundle();
        ModelInfo {
            id: b.id.clone(),
            version: b.version.clone(),
            created_at: b.created_ms,
            expires_at: b.expires_ms,
            features: b.features.iter().map(|f| f.name.clone()).collect(),
            heads: b
                .heads
                .iter()
                .map(|h| HeadInfo {
                    name: h.name.clone(),
                    kind: match h.kind {
                        HeadKind::Linear(_) => "linear",
                        HeadKind::Trees(_) => "trees",
                        HeadKind::Cooccur(_) => "cooccur",
                    },
                    features: h.n_features(),
                    outputs: h.n_outputs(),
                    trees: match &h.kind {
                        HeadKind::Trees(t) => Some(t.roots.len()),
                        _ => None,
                    },
                    items: match &h.kind {
                        HeadKind::Cooccur(c) => Some(c.items.len()),
                        _ => None,
                    },
                })
                .collect(),
            segments: b.segments.iter().map(|s| s.name.clone()).collect(),
            experiments: b.experiments.iter().map(|e| e.key.clone()).collect(),
            payment_rules: b.payment.as_ref().map_or(0, |s| s.rules.len()),
            cross_sell_rules: b.cross_sell.as_ref().map_or(0, |s| s.rules.len()),
        }
    }
}

#[cfg(test)]
mod tests;
