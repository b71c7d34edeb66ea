//! Bytes → validated `Model`. Everything evaluation relies on is checked here, once:
//! sizes against fixed bounds, every index against its array, tree shape (each node in at
//! most one tree, depth bounded, so walking a tree always ends), finite numbers, known
//! feature sources and references between heads, surfaces, segments and experiments.
//! After `decode` succeeds, scoring cannot fail. What it makes (`Model`) lives in
//! `runtime.rs`, which evaluation reads and which never sees bytes.

use super::features::Source;
use super::runtime::{CompiledRule, Cond};
use super::*;

/// Largest bundle accepted, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_FEATURES: usize = 10_000;
pub const MAX_HEADS: usize = 64;
pub const MAX_TREES: usize = 10_000;
pub const MAX_NODES: usize = 4_000_000;
pub const MAX_TREE_DEPTH: usize = 32;
pub const MAX_GROUPS: u32 = 256;
pub const MAX_ITEMS: usize = 500_000;
pub const MAX_PARTNERS: usize = 10_000_000;
pub const MAX_RULES: usize = 1_000;
pub const MAX_CONDITIONS: usize = 64;
pub const MAX_SEGMENTS: usize = 256;
pub const MAX_EXPERIMENTS: usize = 64;
pub const MAX_ARMS: usize = 32;
pub const MAX_STRING: usize = 1_000;
pub const MAX_CATEGORY_WORDS: usize = 1 << 16;

/// Decodes and validates a bundle. A signed envelope is opened without checking its
/// signature (the browser checks signatures with WebCrypto before calling this, when a
/// public key is configured).
pub fn decode(bytes: &[u8]) -> Result<Model, DecodeError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(DecodeError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_BUNDLE_BYTES,
        });
    }
    match format::read_envelope(bytes) {
        Some(e) => validate(format::read(e.bundle)?),
        None => validate(format::read(bytes)?),
    }
}

fn invalid<T>(why: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError::Invalid(why.into()))
}

fn check_len(what: &str, n: usize, max: usize) -> Result<(), DecodeError> {
    if n > max {
        return invalid(format!("{what}: {n} exceeds the limit of {max}"));
    }
    Ok(())
}

fn check_str(what: &str, s: &str) -> Result<(), DecodeError> {
    if s.len() > MAX_STRING {
        return invalid(format!("{what} is longer than {MAX_STRING} bytes"));
    }
    Ok(())
}

fn finite(what: &str, v: &[f64]) -> Result<(), DecodeError> {
    if v.iter().any(|x| !x.is_finite()) {
        return invalid(format!("{what} has a value that is not a finite number"));
    }
    Ok(())
}

pub fn validate(mut b: Bundle) -> Result<Model, DecodeError> {
    check_str("model id", &b.id)?;
    check_str("model version", &b.version)?;
    check_len("features", b.features.len(), MAX_FEATURES)?;
    check_len("heads", b.heads.len(), MAX_HEADS)?;
    check_len("segments", b.segments.len(), MAX_SEGMENTS)?;
    check_len("experiments", b.experiments.len(), MAX_EXPERIMENTS)?;

    let mut sources = Vec::with_capacity(b.features.len());
    for f in &b.features {
        check_str("feature name", &f.name)?;
        let Some(src) = Source::parse(&f.source) else {
            return invalid(format!(
                "feature \"{}\" has unknown source \"{}\"",
                f.name, f.source
            ));
        };
        let wants_text = matches!(
            f.transform,
            Transform::OneHot { .. } | Transform::Code { .. } | Transform::Hash { .. }
        );
        if wants_text != src.is_text() {
            return invalid(format!(
                "feature \"{}\": source \"{}\" is {} but its transform needs {}",
                f.name,
                f.source,
                if src.is_text() { "text" } else { "a number" },
                if wants_text { "text" } else { "a number" }
            ));
        }
        match &f.transform {
            Transform::Standard { mean, std }
                if !(mean.is_finite() && std.is_finite() && *std > 0.0) =>
            {
                return invalid(format!(
                    "feature \"{}\": standardisation needs a finite mean and a positive std",
                    f.name
                ))
            }
            Transform::MinMax { min, max }
                if !(min.is_finite() && max.is_finite() && max > min) =>
            {
                return invalid(format!(
                    "feature \"{}\": min-max scaling needs finite min < max",
                    f.name
                ))
            }
            Transform::Hash { buckets, bucket } if *buckets == 0 || bucket >= buckets => {
                return invalid(format!("feature \"{}\": hash bucket out of range", f.name))
            }
            Transform::Code { values } => {
                check_len("categorical values", values.len(), MAX_FEATURES)?
            }
            _ => {}
        }
        sources.push(src);
    }

    for (i, h) in b.heads.iter().enumerate() {
        check_str("head name", &h.name)?;
        if b.heads[..i].iter().any(|o| o.name == h.name) {
            return invalid(format!("two heads are named \"{}\"", h.name));
        }
        match &h.kind {
            HeadKind::Linear(l) => validate_linear(&h.name, l)?,
            HeadKind::Trees(t) => validate_trees(&h.name, t)?,
            HeadKind::Cooccur(c) => validate_cooccur(&h.name, c)?,
        }
    }

    for h in &mut b.heads {
        match &mut h.kind {
            HeadKind::Trees(t) => t.compile(),
            HeadKind::Cooccur(c) => c.build_order(),
            HeadKind::Linear(_) => {}
        }
    }

    let segments = b
        .segments
        .iter()
        .map(|s| {
            check_str("segment name", &s.name)?;
            conditions(&s.when)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let payment_rules = surface(&b, b.payment.as_ref(), "payment")?;
    let cross_sell_rules = surface(&b, b.cross_sell.as_ref(), "crossSell")?;
    let shipping_rules = surface(&b, b.shipping.as_ref(), "shipping")?;
    let offer_rules = surface(&b, b.offers.as_ref(), "offers")?;
    if let Some(o) = &b.offers {
        if o.budget_percent
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
            || o.frequency_days.is_some_and(|d| !(d > 0.0 && d <= 3650.0))
        {
            return invalid("offers: budgetPercent must be 0 to 100 and frequencyDays 0 to 3650");
        }
    }
    check_len("messages", b.messages.len(), MAX_RULES)?;
    let message_conds = b
        .messages
        .iter()
        .map(|m| {
            for t in [&m.slot, &m.id, &m.text]
                .into_iter()
                .chain(m.translations.iter().flat_map(|(l, t)| [l, t]))
            {
                check_str("message", t)?;
            }
            check_len("translations", m.translations.len(), 64)?;
            check_len("requires", m.requires.len(), 16)?;
            for r in &m.requires {
                let ok = r
                    .split_once(':')
                    .is_some_and(|(s, id)| matches!(s, "payment" | "shipping") && !id.is_empty());
                if !ok || r.len() > MAX_STRING {
                    return invalid(format!(
                        "message \"{}\": requires \"{}\" must be payment:<id> or shipping:<id>",
                        m.id, r
                    ));
                }
            }
            let seg = match &m.segment {
                None => None,
                Some(name) => match b.segments.iter().position(|s| &s.name == name) {
                    Some(i) => Some(i),
                    None => {
                        return invalid(format!(
                            "message \"{}\" refers to a missing segment \"{name}\"",
                            m.id
                        ))
                    }
                },
            };
            Ok((conditions(&m.when)?, seg))
        })
        .collect::<Result<Vec<_>, _>>()?;

    for e in &b.experiments {
        check_str("experiment key", &e.key)?;
        check_str("experiment seed", &e.seed)?;
        if !matches!(e.hash_version, 1 | 2) {
            return invalid(format!(
                "experiment \"{}\": hash version must be 1 or 2",
                e.key
            ));
        }
        if !["payment", "crossSell", "shipping", "offers"].contains(&e.surface.as_str()) {
            return invalid(format!(
                "experiment \"{}\": surface must be payment, crossSell, shipping or offers",
                e.key
            ));
        }
        if !(0.0..=1.0).contains(&e.coverage) {
            return invalid(format!(
                "experiment \"{}\": coverage must be from 0 to 1",
                e.key
            ));
        }
        if e.arms.is_empty() || e.arms.len() > MAX_ARMS {
            return invalid(format!(
                "experiment \"{}\": needs 1 to {MAX_ARMS} arms",
                e.key
            ));
        }
        for a in &e.arms {
            check_str("arm name", &a.name)?;
            if !(a.weight.is_finite() && a.weight >= 0.0) {
                return invalid(format!(
                    "experiment \"{}\": arm weights must be non-negative",
                    e.key
                ));
            }
            if let Some(h) = &a.head {
                scoring_head(&b, h, &format!("experiment \"{}\"", e.key))?;
            }
        }
        let range_ok = |&(a, z): &(f64, f64)| 0.0 <= a && a <= z && z <= 1.0;
        if let Some(n) = &e.namespace {
            check_str("namespace", &n.id)?;
            if !range_ok(&(n.start, n.end)) {
                return invalid(format!(
                    "experiment \"{}\": namespace range must be within [0, 1]",
                    e.key
                ));
            }
        }
        if let Some(r) = &e.ranges {
            if r.len() != e.arms.len() || !r.iter().all(range_ok) {
                return invalid(format!(
                    "experiment \"{}\": ranges must be one [start, end] within [0, 1] per arm",
                    e.key
                ));
            }
        }
        check_len("filters", e.filters.len(), MAX_ARMS)?;
        for f in &e.filters {
            check_str("filter seed", &f.seed)?;
            check_len("filter ranges", f.ranges.len(), MAX_ARMS)?;
            if !matches!(f.hash_version, 1 | 2) || !f.ranges.iter().all(range_ok) {
                return invalid(format!(
                    "experiment \"{}\": a filter needs hash version 1 or 2 and ranges within [0, 1]",
                    e.key
                ));
            }
        }
    }

    let label_group = label_groups(&b.features);
    let one_hots = super::features::OneHots::new(&b.features, &sources);
    Ok(Model {
        bundle: b,
        one_hots,
        sources,
        segments,
        payment_rules,
        cross_sell_rules,
        shipping_rules,
        offer_rules,
        message_conds,
        label_group,
    })
}

fn conditions(cs: &[Condition]) -> Result<Vec<Cond>, DecodeError> {
    check_len("conditions", cs.len(), MAX_CONDITIONS)?;
    cs.iter()
        .map(|c| {
            let Some(source) = Source::parse(&c.source) else {
                return invalid(format!("condition has unknown source \"{}\"", c.source));
            };
            let ok = match (&c.op, &c.value) {
                (Op::Exists | Op::Missing, _) => true,
                (Op::In | Op::NotIn, CondValue::List(l)) => {
                    source.is_text() && l.len() <= MAX_FEATURES
                }
                (Op::Eq | Op::Ne, CondValue::Text(_)) => source.is_text(),
                (_, CondValue::Num(n)) => !source.is_text() && n.is_finite(),
                _ => false,
            };
            if !ok {
                return invalid(format!(
                    "condition on \"{}\": operator {} does not fit its value",
                    c.source,
                    format::op_name(c.op)
                ));
            }
            Ok(Cond {
                source,
                op: c.op,
                value: c.value.clone(),
            })
        })
        .collect()
}

/// A head that scores candidates: linear or trees, one output, over the bundle's features.
fn scoring_head(b: &Bundle, name: &str, what: &str) -> Result<(), DecodeError> {
    let Some(h) = b.heads.iter().find(|h| h.name == name) else {
        return invalid(format!("{what} refers to a missing head \"{name}\""));
    };
    let (n, groups) = match &h.kind {
        HeadKind::Linear(l) => (l.n_features, l.intercepts.len() as u32),
        HeadKind::Trees(t) => (t.n_features, t.n_groups),
        HeadKind::Cooccur(_) => {
            return invalid(format!("{what}: head \"{name}\" cannot score candidates"))
        }
    };
    if n as usize != b.features.len() {
        return invalid(format!(
            "{what}: head \"{name}\" takes {n} features but the bundle defines {}",
            b.features.len()
        ));
    }
    if groups != 1 {
        return invalid(format!("{what}: head \"{name}\" must have a single output"));
    }
    Ok(())
}

fn surface(b: &Bundle, s: Option<&Surface>, what: &str) -> Result<Vec<CompiledRule>, DecodeError> {
    let Some(s) = s else { return Ok(Vec::new()) };
    if let Some(h) = &s.head {
        scoring_head(b, h, what)?;
    }
    if let Some(c) = &s.cooccur {
        if !b
            .heads
            .iter()
            .any(|h| &h.name == c && matches!(h.kind, HeadKind::Cooccur(_)))
        {
            return invalid(format!(
                "{what} refers to a missing co-occurrence head \"{c}\""
            ));
        }
    }
    check_len("rules", s.rules.len(), MAX_RULES)?;
    s.rules
        .iter()
        .map(|r| {
            check_str("rule id", &r.id)?;
            check_len("rule targets", r.targets.len(), MAX_FEATURES)?;
            let segment = match &r.segment {
                None => None,
                Some(name) => match b.segments.iter().position(|s| &s.name == name) {
                    Some(i) => Some(i),
                    None => {
                        return invalid(format!(
                            "rule \"{}\" refers to a missing segment \"{name}\"",
                            r.id
                        ))
                    }
                },
            };
            let eligible = match &r.action {
                Action::EligibleIf(c) => conditions(c)?,
                Action::Boost(a) if !a.is_finite() => {
                    return invalid(format!("rule \"{}\": boost must be a finite number", r.id))
                }
                Action::Pin(p) if *p > 10_000 => {
                    return invalid(format!("rule \"{}\": pin position too large", r.id))
                }
                _ => Vec::new(),
            };
            Ok(CompiledRule {
                when: conditions(&r.when)?,
                segment,
                eligible,
            })
        })
        .collect()
}

/// Per feature, the first feature with the same label (itself when it has none).
fn label_groups(features: &[crate::model::Feature]) -> Vec<u32> {
    let mut firsts: Vec<(&str, u32)> = Vec::new();
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let Some(l) = f.label.as_deref() else {
            out.push(i as u32);
            continue;
        };
        match firsts.binary_search_by(|(x, _)| (*x).cmp(l)) {
            Ok(at) => out.push(firsts[at].1),
            Err(at) => {
                firsts.insert(at, (l, i as u32));
                out.push(i as u32);
            }
        }
    }
    out
}

fn validate_linear(name: &str, l: &Linear) -> Result<(), DecodeError> {
    let classes = l.intercepts.len();
    if classes == 0 || classes > MAX_GROUPS as usize {
        return invalid(format!(
            "head \"{name}\": needs 1 to {MAX_GROUPS} intercepts"
        ));
    }
    check_len("linear features", l.n_features as usize, MAX_FEATURES)?;
    if l.weights.len() != classes * l.n_features as usize {
        return invalid(format!(
            "head \"{name}\": weights do not match intercepts × features"
        ));
    }
    if (l.link == Link::Softmax) != (classes > 1) {
        return invalid(format!(
            "head \"{name}\": softmax needs several classes, other links one"
        ));
    }
    finite(&format!("head \"{name}\""), &l.weights)?;
    finite(&format!("head \"{name}\""), &l.intercepts)
}

fn validate_trees(name: &str, t: &Trees) -> Result<(), DecodeError> {
    let what = format!("head \"{name}\"");
    let n = t.kind.len();
    check_len("tree nodes", n, MAX_NODES)?;
    check_len("trees", t.roots.len(), MAX_TREES)?;
    check_len("tree features", t.n_features as usize, MAX_FEATURES)?;
    check_len("category words", t.cat_words.len(), MAX_CATEGORY_WORDS)?;
    if t.n_groups == 0 || t.n_groups > MAX_GROUPS {
        return invalid(format!("{what}: needs 1 to {MAX_GROUPS} output groups"));
    }
    if (t.link == Link::Softmax) != (t.n_groups > 1) {
        return invalid(format!(
            "{what}: softmax needs several groups, other links one"
        ));
    }
    for (field, len) in [
        ("feature", t.feature.len()),
        ("threshold", t.threshold.len()),
        ("left", t.left.len()),
        ("right", t.right.len()),
        ("missing", t.missing.len()),
        ("value", t.value.len()),
        ("catStart", t.cat_start.len()),
        ("catLen", t.cat_len.len()),
    ] {
        if len != n {
            return invalid(format!(
                "{what}: node array \"{field}\" has {len} entries, expected {n}"
            ));
        }
    }
    if t.tree_group.len() != t.roots.len() || t.base_margin.len() != t.n_groups as usize {
        return invalid(format!("{what}: tree groups or base margins do not match"));
    }
    if t.tree_group.iter().any(|&g| g >= t.n_groups) {
        return invalid(format!("{what}: a tree belongs to a missing output group"));
    }
    finite(&what, &t.base_margin)?;
    finite(&what, &t.value)?;

    // Walk every tree: each node may belong to one tree only and be reached once, so
    // trees are true trees (no cycles, no sharing) and depth is bounded.
    let mut seen = vec![false; n];
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for &root in &t.roots {
        stack.push((root, 1));
        while let Some((i, depth)) = stack.pop() {
            let i = i as usize;
            if i >= n {
                return invalid(format!("{what}: a node index is out of range"));
            }
            if seen[i] {
                return invalid(format!("{what}: node {i} is reached twice (not a tree)"));
            }
            seen[i] = true;
            if depth > MAX_TREE_DEPTH {
                return invalid(format!("{what}: a tree is deeper than {MAX_TREE_DEPTH}"));
            }
            match t.kind[i] {
                node::LEAF => continue,
                node::LESS | node::LESS_EQ => {
                    if !t.threshold[i].is_finite() {
                        return invalid(format!(
                            "{what}: node {i} has a threshold that is not finite"
                        ));
                    }
                }
                node::CAT_RIGHT | node::CAT_LEFT => {
                    // In u64: two u32s never wrap, on wasm32 as natively.
                    let end = u64::from(t.cat_start[i]) + u64::from(t.cat_len[i]);
                    if end > t.cat_words.len() as u64 {
                        return invalid(format!("{what}: node {i} has categories out of range"));
                    }
                }
                k => return invalid(format!("{what}: node {i} has unknown kind {k}")),
            }
            if t.feature[i] >= t.n_features {
                return invalid(format!("{what}: node {i} splits on a missing feature"));
            }
            if t.missing[i] > (node::MISSING_ZERO | node::DEFAULT_LEFT) {
                return invalid(format!(
                    "{what}: node {i} has an unknown missing-value rule"
                ));
            }
            stack.push((t.left[i], depth + 1));
            stack.push((t.right[i], depth + 1));
        }
    }
    Ok(())
}

fn validate_cooccur(name: &str, c: &Cooccur) -> Result<(), DecodeError> {
    let what = format!("head \"{name}\"");
    let n = c.items.len();
    check_len("items", n, MAX_ITEMS)?;
    check_len("partners", c.partner.len(), MAX_PARTNERS)?;
    check_len("categories", c.categories.len(), MAX_ITEMS)?;
    if c.items.windows(2).any(|w| w[0] >= w[1]) {
        return invalid(format!("{what}: items must be sorted and unique"));
    }
    if c.items
        .iter()
        .chain(&c.names)
        .chain(&c.categories)
        .any(|s| s.len() > MAX_STRING)
    {
        return invalid(format!(
            "{what}: an item string is longer than {MAX_STRING} bytes"
        ));
    }
    if !(c.names.is_empty() || c.names.len() == n)
        || c.category.len() != n
        || c.popularity.len() != n
    {
        return invalid(format!("{what}: item arrays differ in length"));
    }
    if c.category
        .iter()
        .any(|&k| k != u32::MAX && k as usize >= c.categories.len())
    {
        return invalid(format!("{what}: an item has a missing category"));
    }
    finite(&what, &c.popularity)?;
    finite(&what, &c.partner_score)?;
    if c.partner_start.len() != n + 1
        || c.partner_start.first() != Some(&0)
        || c.partner_start.last().map(|&l| l as usize) != Some(c.partner.len())
        || c.partner_start.windows(2).any(|w| w[0] > w[1])
        || c.partner_score.len() != c.partner.len()
    {
        return invalid(format!("{what}: partner lists are inconsistent"));
    }
    if c.partner.iter().any(|&p| p as usize >= n) {
        return invalid(format!("{what}: a partner is not an item"));
    }
    Ok(())
}
