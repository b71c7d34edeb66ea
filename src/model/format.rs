//! The MessagePack layout of a `.cpm` bundle: the only file that knows it.
//!
//! A bundle is a map with string keys (unknown keys are skipped, so later versions can add
//! fields); large numeric arrays are `bin` blobs of little-endian `u32`/`f64` so that a
//! 100-tree model decodes with a few copies instead of per-element parsing. `read` checks
//! only the shape; `decode::validate` checks the meaning.

use super::*;
use crate::model::decode::DecodeError;
use crate::msgpack::{ReadError, Reader, Writer};

type R<T> = Result<T, DecodeError>;

/// Most entries reserved before they are read (lengths come from the input).
const PREALLOCATE: usize = 64;

// ---------------------------------------------------------------- writing

pub fn encode(b: &Bundle) -> Vec<u8> {
    let mut w = Writer::new();
    let fields = 7
        + usize::from(b.expires_ms.is_some())
        + usize::from(b.payment.is_some())
        + usize::from(b.cross_sell.is_some())
        + usize::from(b.shipping.is_some())
        + usize::from(b.offers.is_some())
        + usize::from(!b.messages.is_empty())
        + 2;
    w.map(fields);
    w.str("magic");
    w.str(MAGIC);
    w.str("format");
    w.u64(u64::from(FORMAT_VERSION));
    w.str("id");
    w.str(&b.id);
    w.str("version");
    w.str(&b.version);
    w.str("created");
    w.i64(b.created_ms);
    if let Some(e) = b.expires_ms {
        w.str("expires");
        w.i64(e);
    }
    w.str("features");
    w.array(b.features.len());
    for f in &b.features {
        write_feature(&mut w, f);
    }
    w.str("heads");
    w.array(b.heads.len());
    for h in &b.heads {
        write_head(&mut w, h);
    }
    if let Some(s) = &b.payment {
        w.str("payment");
        write_surface(&mut w, s);
    }
    for (key, surface) in [
        ("crossSell", &b.cross_sell),
        ("shipping", &b.shipping),
        ("offers", &b.offers),
    ] {
        if let Some(s) = surface {
            w.str(key);
            write_surface(&mut w, s);
        }
    }
    if !b.messages.is_empty() {
        w.str("messages");
        w.array(b.messages.len());
        for m in &b.messages {
            w.map(7 + usize::from(m.segment.is_some()));
            w.str("slot");
            w.str(&m.slot);
            w.str("id");
            w.str(&m.id);
            w.str("text");
            w.str(&m.text);
            w.str("translations");
            w.map(m.translations.len());
            for (lang, text) in &m.translations {
                w.str(lang);
                w.str(text);
            }
            w.str("when");
            write_conditions(&mut w, &m.when);
            w.str("priority");
            w.i64(i64::from(m.priority));
            if let Some(g) = &m.segment {
                w.str("segment");
                w.str(g);
            }
            w.str("kind");
            w.str("text");
        }
    }
    w.str("segments");
    w.array(b.segments.len());
    for s in &b.segments {
        w.map(2);
        w.str("name");
        w.str(&s.name);
        w.str("when");
        write_conditions(&mut w, &s.when);
    }
    w.str("experiments");
    w.array(b.experiments.len());
    for e in &b.experiments {
        write_experiment(&mut w, e);
    }
    w.into_bytes()
}

fn u32s(w: &mut Writer, v: &[u32]) {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    w.bin(&bytes);
}

fn f64s(w: &mut Writer, v: &[f64]) {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    w.bin(&bytes);
}

fn strs(w: &mut Writer, v: &[String]) {
    w.array(v.len());
    for s in v {
        w.str(s);
    }
}

fn write_feature(w: &mut Writer, f: &Feature) {
    let (kind, extra) = match &f.transform {
        Transform::Raw => ("raw", 0),
        Transform::Standard { .. } => ("standard", 2),
        Transform::MinMax { .. } => ("minmax", 2),
        Transform::OneHot { .. } => ("onehot", 1),
        Transform::Code { .. } => ("code", 1),
        Transform::Hash { .. } => ("hash", 2),
    };
    w.map(3 + extra + usize::from(f.label.is_some()));
    w.str("name");
    w.str(&f.name);
    w.str("source");
    w.str(&f.source);
    w.str("transform");
    w.str(kind);
    match &f.transform {
        Transform::Raw => {}
        Transform::Standard { mean, std } => {
            w.str("mean");
            w.f64(*mean);
            w.str("std");
            w.f64(*std);
        }
        Transform::MinMax { min, max } => {
            w.str("min");
            w.f64(*min);
            w.str("max");
            w.f64(*max);
        }
        Transform::OneHot { value } => {
            w.str("value");
            w.str(value);
        }
        Transform::Code { values } => {
            w.str("values");
            strs(w, values);
        }
        Transform::Hash { buckets, bucket } => {
            w.str("buckets");
            w.u64(u64::from(*buckets));
            w.str("bucket");
            w.u64(u64::from(*bucket));
        }
    }
    if let Some(l) = &f.label {
        w.str("label");
        w.str(l);
    }
}

fn write_head(w: &mut Writer, h: &Head) {
    match &h.kind {
        HeadKind::Linear(l) => {
            w.map(6);
            w.str("name");
            w.str(&h.name);
            w.str("kind");
            w.str("linear");
            w.str("n");
            w.u64(u64::from(l.n_features));
            w.str("link");
            w.u64(l.link as u64);
            w.str("intercepts");
            f64s(w, &l.intercepts);
            w.str("weights");
            f64s(w, &l.weights);
        }
        HeadKind::Trees(t) => {
            w.map(18);
            w.str("name");
            w.str(&h.name);
            w.str("kind");
            w.str("trees");
            w.str("n");
            w.u64(u64::from(t.n_features));
            w.str("groups");
            w.u64(u64::from(t.n_groups));
            w.str("link");
            w.u64(t.link as u64);
            w.str("base");
            f64s(w, &t.base_margin);
            w.str("roots");
            u32s(w, &t.roots);
            w.str("treeGroup");
            u32s(w, &t.tree_group);
            w.str("nodeKind");
            w.bin(&t.kind);
            w.str("feature");
            u32s(w, &t.feature);
            w.str("threshold");
            f64s(w, &t.threshold);
            w.str("left");
            u32s(w, &t.left);
            w.str("right");
            u32s(w, &t.right);
            w.str("missing");
            w.bin(&t.missing);
            w.str("value");
            f64s(w, &t.value);
            w.str("catStart");
            u32s(w, &t.cat_start);
            w.str("catLen");
            u32s(w, &t.cat_len);
            w.str("catWords");
            u32s(w, &t.cat_words);
        }
        HeadKind::Cooccur(c) => {
            w.map(10);
            w.str("name");
            w.str(&h.name);
            w.str("kind");
            w.str("cooccur");
            w.str("items");
            strs(w, &c.items);
            w.str("names");
            strs(w, &c.names);
            w.str("category");
            u32s(w, &c.category);
            w.str("categories");
            strs(w, &c.categories);
            w.str("popularity");
            f64s(w, &c.popularity);
            w.str("partnerStart");
            u32s(w, &c.partner_start);
            w.str("partner");
            u32s(w, &c.partner);
            w.str("partnerScore");
            f64s(w, &c.partner_score);
        }
    }
}

fn write_surface(w: &mut Writer, s: &Surface) {
    w.map(
        1 + usize::from(s.head.is_some())
            + usize::from(s.cooccur.is_some())
            + usize::from(s.budget_percent.is_some())
            + usize::from(s.frequency_cap.is_some())
            + usize::from(s.frequency_days.is_some()),
    );
    if let Some(b) = s.budget_percent {
        w.str("budgetPercent");
        w.f64(b);
    }
    if let Some(c) = s.frequency_cap {
        w.str("frequencyCap");
        w.u64(u64::from(c));
    }
    if let Some(d) = s.frequency_days {
        w.str("frequencyDays");
        w.f64(d);
    }
    if let Some(h) = &s.head {
        w.str("head");
        w.str(h);
    }
    if let Some(c) = &s.cooccur {
        w.str("cooccur");
        w.str(c);
    }
    w.str("rules");
    w.array(s.rules.len());
    for r in &s.rules {
        let extra = match r.action {
            Action::Exclude => 0,
            _ => 1,
        };
        w.map(5 + extra + usize::from(r.segment.is_some()) + usize::from(r.label.is_some()));
        w.str("id");
        w.str(&r.id);
        w.str("targets");
        strs(w, &r.targets);
        w.str("when");
        write_conditions(w, &r.when);
        w.str("priority");
        w.i64(i64::from(r.priority));
        w.str("action");
        match &r.action {
            Action::EligibleIf(c) => {
                w.str("eligible");
                w.str("conditions");
                write_conditions(w, c);
            }
            Action::Exclude => w.str("exclude"),
            Action::Boost(a) => {
                w.str("boost");
                w.str("amount");
                w.f64(*a);
            }
            Action::Pin(p) => {
                w.str("pin");
                w.str("position");
                w.u64(u64::from(*p));
            }
        }
        if let Some(s) = &r.segment {
            w.str("segment");
            w.str(s);
        }
        if let Some(l) = &r.label {
            w.str("label");
            w.str(l);
        }
    }
}

pub(crate) fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "eq",
        Op::Ne => "ne",
        Op::Lt => "lt",
        Op::Le => "le",
        Op::Gt => "gt",
        Op::Ge => "ge",
        Op::In => "in",
        Op::NotIn => "notIn",
        Op::Exists => "exists",
        Op::Missing => "missing",
    }
}

pub(crate) fn op_from_name(s: &str) -> Option<Op> {
    [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::NotIn,
        Op::Exists,
        Op::Missing,
    ]
    .into_iter()
    .find(|&op| op_name(op) == s)
}

fn write_conditions(w: &mut Writer, cs: &[Condition]) {
    w.array(cs.len());
    for c in cs {
        w.map(3);
        w.str("source");
        w.str(&c.source);
        w.str("op");
        w.str(op_name(c.op));
        w.str("value");
        match &c.value {
            CondValue::None => w.nil(),
            CondValue::Num(n) => w.f64(*n),
            CondValue::Text(t) => w.str(t),
            CondValue::List(l) => strs(w, l),
        }
    }
}

fn write_experiment(w: &mut Writer, e: &Experiment) {
    w.map(6);
    w.str("key");
    w.str(&e.key);
    w.str("seed");
    w.str(&e.seed);
    w.str("hashVersion");
    w.u64(u64::from(e.hash_version));
    w.str("surface");
    w.str(&e.surface);
    w.str("coverage");
    w.f64(e.coverage);
    w.str("arms");
    w.array(e.arms.len());
    for a in &e.arms {
        w.map(3 + usize::from(a.head.is_some()));
        w.str("name");
        w.str(&a.name);
        w.str("weight");
        w.f64(a.weight);
        w.str("holdout");
        w.bool(a.holdout);
        if let Some(h) = &a.head {
            w.str("head");
            w.str(h);
        }
    }
}

// ---------------------------------------------------------------- reading

fn bad(e: ReadError, field: &str) -> DecodeError {
    DecodeError::Malformed {
        field: field.to_owned(),
        what: e.what,
        at: e.at,
    }
}

/// Reads a map, calling `f` for each key; `f` returns false for keys it does not know,
/// which are skipped.
fn map<'a>(
    r: &mut Reader<'a>,
    field: &str,
    mut f: impl FnMut(&str, &mut Reader<'a>) -> R<bool>,
) -> R<()> {
    map_dyn(r, field, &mut f)
}

/// Not generic: one copy of the loop, whatever the closure (wasm size).
fn map_dyn<'a>(
    r: &mut Reader<'a>,
    field: &str,
    f: &mut dyn FnMut(&str, &mut Reader<'a>) -> R<bool>,
) -> R<()> {
    let n = r.map().map_err(|e| bad(e, field))?;
    for _ in 0..n {
        let key = r.str().map_err(|e| bad(e, field))?;
        if !f(key, r)? {
            r.skip().map_err(|e| bad(e, key))?;
        }
    }
    Ok(())
}

fn list<'a, T>(
    r: &mut Reader<'a>,
    field: &str,
    mut f: impl FnMut(&mut Reader<'a>) -> R<T>,
) -> R<Vec<T>> {
    let n = r.array().map_err(|e| bad(e, field))?;
    // A claimed length is only a claim: reserve little up front (entries are parsed, and
    // each takes input bytes, before they take memory).
    let mut out = Vec::with_capacity(n.min(PREALLOCATE));
    for _ in 0..n {
        out.push(f(r)?);
    }
    Ok(out)
}

fn string(r: &mut Reader, field: &str) -> R<String> {
    r.str().map(str::to_owned).map_err(|e| bad(e, field))
}

fn opt_string(r: &mut Reader, field: &str) -> R<Option<String>> {
    r.opt_str()
        .map(|s| s.map(str::to_owned))
        .map_err(|e| bad(e, field))
}

fn strings(r: &mut Reader, field: &str) -> R<Vec<String>> {
    list(r, field, |r| string(r, field))
}

fn num(r: &mut Reader, field: &str) -> R<f64> {
    r.f64().map_err(|e| bad(e, field))
}

fn uint(r: &mut Reader, field: &str) -> R<u32> {
    r.u32().map_err(|e| bad(e, field))
}

fn blob<'a>(r: &mut Reader<'a>, field: &str, unit: usize) -> R<&'a [u8]> {
    let at = r.position();
    let b = r.bin().map_err(|e| bad(e, field))?;
    if b.len() % unit != 0 {
        return Err(bad(
            ReadError {
                at,
                what: "array blob has a partial element",
            },
            field,
        ));
    }
    Ok(b)
}

fn read_u32s(r: &mut Reader, field: &str) -> R<Vec<u32>> {
    Ok(blob(r, field, 4)?
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn read_f64s(r: &mut Reader, field: &str) -> R<Vec<f64>> {
    Ok(blob(r, field, 8)?
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

fn link(code: u32) -> R<Link> {
    match code {
        0 => Ok(Link::Identity),
        1 => Ok(Link::Logistic),
        2 => Ok(Link::Softmax),
        _ => Err(DecodeError::Invalid(format!(
            "unknown link function {code}"
        ))),
    }
}

pub fn read(bytes: &[u8]) -> R<Bundle> {
    let mut r = Reader::new(bytes);
    let mut b = Bundle::default();
    let mut magic = false;
    let mut format = None;
    map(&mut r, "bundle", |key, r| {
        match key {
            "magic" => {
                let m = r.str().map_err(|e| bad(e, key))?;
                if m != MAGIC {
                    return Err(DecodeError::NotABundle);
                }
                magic = true;
            }
            "format" => format = Some(uint(r, key)?),
            "id" => b.id = string(r, key)?,
            "version" => b.version = string(r, key)?,
            "created" => b.created_ms = r.i64().map_err(|e| bad(e, key))?,
            "expires" => b.expires_ms = Some(r.i64().map_err(|e| bad(e, key))?),
            "features" => b.features = list(r, key, read_feature)?,
            "heads" => b.heads = list(r, key, read_head)?,
            "payment" => b.payment = Some(read_surface(r)?),
            "crossSell" => b.cross_sell = Some(read_surface(r)?),
            "shipping" => b.shipping = Some(read_surface(r)?),
            "offers" => b.offers = Some(read_surface(r)?),
            "messages" => b.messages = list(r, key, read_message)?,
            "segments" => {
                b.segments = list(r, key, |r| {
                    let mut s = Segment {
                        name: String::new(),
                        when: Vec::new(),
                    };
                    map(r, "segment", |k, r| {
                        match k {
                            "name" => s.name = string(r, k)?,
                            "when" => s.when = read_conditions(r)?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                    Ok(s)
                })?
            }
            "experiments" => b.experiments = list(r, key, read_experiment)?,
            _ => return Ok(false),
        }
        Ok(true)
    })
    .map_err(|e| match e {
        // A file that is not even a map of ours: say so plainly.
        DecodeError::Malformed { ref field, .. } if field == "bundle" && !magic => {
            DecodeError::NotABundle
        }
        e => e,
    })?;
    if !magic {
        return Err(DecodeError::NotABundle);
    }
    match format {
        Some(FORMAT_VERSION) => {}
        Some(v) => return Err(DecodeError::UnsupportedVersion(v)),
        None => return Err(DecodeError::Invalid("missing format version".into())),
    }
    if !r.is_at_end() {
        return Err(DecodeError::Invalid(
            "trailing bytes after the bundle".into(),
        ));
    }
    Ok(b)
}

fn read_feature(r: &mut Reader) -> R<Feature> {
    let (mut name, mut source, mut kind, mut label) =
        (String::new(), String::new(), String::new(), None);
    let (mut a, mut bb) = (f64::NAN, f64::NAN);
    let (mut value, mut values) = (String::new(), Vec::new());
    let (mut buckets, mut bucket) = (0, 0);
    map(r, "feature", |k, r| {
        match k {
            "name" => name = string(r, k)?,
            "source" => source = string(r, k)?,
            "transform" => kind = string(r, k)?,
            "label" => label = opt_string(r, k)?,
            "mean" | "min" => a = num(r, k)?,
            "std" | "max" => bb = num(r, k)?,
            "value" => value = string(r, k)?,
            "values" => values = strings(r, k)?,
            "buckets" => buckets = uint(r, k)?,
            "bucket" => bucket = uint(r, k)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let transform = match kind.as_str() {
        "raw" => Transform::Raw,
        "standard" => Transform::Standard { mean: a, std: bb },
        "minmax" => Transform::MinMax { min: a, max: bb },
        "onehot" => Transform::OneHot { value },
        "code" => Transform::Code { values },
        "hash" => Transform::Hash { buckets, bucket },
        other => {
            return Err(DecodeError::Invalid(format!(
                "feature \"{name}\" has unknown transform \"{other}\""
            )))
        }
    };
    Ok(Feature {
        name,
        source,
        transform,
        label,
    })
}

fn read_head(r: &mut Reader) -> R<Head> {
    let mut name = String::new();
    let mut kind = String::new();
    let mut n = 0;
    let mut groups = 1;
    let mut link_code = 0;
    let mut lin = Linear {
        n_features: 0,
        link: Link::Identity,
        intercepts: Vec::new(),
        weights: Vec::new(),
    };
    let mut t = Trees::default();
    let mut c = Cooccur::default();
    map(r, "head", |k, r| {
        match k {
            "name" => name = string(r, k)?,
            "kind" => kind = string(r, k)?,
            "n" => n = uint(r, k)?,
            "groups" => groups = uint(r, k)?,
            "link" => link_code = uint(r, k)?,
            "intercepts" => lin.intercepts = read_f64s(r, k)?,
            "weights" => lin.weights = read_f64s(r, k)?,
            "base" => t.base_margin = read_f64s(r, k)?,
            "roots" => t.roots = read_u32s(r, k)?,
            "treeGroup" => t.tree_group = read_u32s(r, k)?,
            "nodeKind" => t.kind = r.bin().map_err(|e| bad(e, k))?.to_vec(),
            "feature" => t.feature = read_u32s(r, k)?,
            "threshold" => t.threshold = read_f64s(r, k)?,
            "left" => t.left = read_u32s(r, k)?,
            "right" => t.right = read_u32s(r, k)?,
            "missing" => t.missing = r.bin().map_err(|e| bad(e, k))?.to_vec(),
            "value" => t.value = read_f64s(r, k)?,
            "catStart" => t.cat_start = read_u32s(r, k)?,
            "catLen" => t.cat_len = read_u32s(r, k)?,
            "catWords" => t.cat_words = read_u32s(r, k)?,
            "items" => c.items = strings(r, k)?,
            "names" => c.names = strings(r, k)?,
            "category" => c.category = read_u32s(r, k)?,
            "categories" => c.categories = strings(r, k)?,
            "popularity" => c.popularity = read_f64s(r, k)?,
            "partnerStart" => c.partner_start = read_u32s(r, k)?,
            "partner" => c.partner = read_u32s(r, k)?,
            "partnerScore" => c.partner_score = read_f64s(r, k)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let kind = match kind.as_str() {
        "linear" => {
            lin.n_features = n;
            lin.link = link(link_code)?;
            HeadKind::Linear(lin)
        }
        "trees" => {
            t.n_features = n;
            t.n_groups = groups;
            t.link = link(link_code)?;
            HeadKind::Trees(t)
        }
        "cooccur" => HeadKind::Cooccur(c),
        other => {
            return Err(DecodeError::Invalid(format!(
                "head \"{name}\" has unknown kind \"{other}\""
            )))
        }
    };
    Ok(Head { name, kind })
}

fn read_surface(r: &mut Reader) -> R<Surface> {
    let mut s = Surface::default();
    map(r, "surface", |k, r| {
        match k {
            "head" => s.head = opt_string(r, k)?,
            "cooccur" => s.cooccur = opt_string(r, k)?,
            "rules" => s.rules = list(r, k, read_rule)?,
            "budgetPercent" => s.budget_percent = Some(num(r, k)?),
            "frequencyCap" => s.frequency_cap = Some(uint(r, k)?),
            "frequencyDays" => s.frequency_days = Some(num(r, k)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(s)
}

fn read_message(r: &mut Reader) -> R<Message> {
    let mut m = Message::default();
    map(r, "message", |k, r| {
        match k {
            "slot" => m.slot = string(r, k)?,
            "id" => m.id = string(r, k)?,
            "text" => m.text = string(r, k)?,
            "translations" => {
                let n = r.map().map_err(|e| bad(e, k))?;
                for _ in 0..n {
                    m.translations.push((string(r, k)?, string(r, k)?));
                }
            }
            "when" => m.when = read_conditions(r)?,
            "segment" => m.segment = opt_string(r, k)?,
            "priority" => {
                m.priority = r
                    .i64()
                    .ok()
                    .and_then(|p| i32::try_from(p).ok())
                    .ok_or_else(|| DecodeError::Invalid("message priority out of range".into()))?
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(m)
}

fn read_rule(r: &mut Reader) -> R<Rule> {
    let mut rule = Rule {
        id: String::new(),
        targets: Vec::new(),
        when: Vec::new(),
        segment: None,
        priority: 0,
        action: Action::Exclude,
        label: None,
    };
    let (mut action, mut conditions, mut amount, mut position) =
        (String::new(), Vec::new(), f64::NAN, 0);
    map(r, "rule", |k, r| {
        match k {
            "id" => rule.id = string(r, k)?,
            "targets" => rule.targets = strings(r, k)?,
            "when" => rule.when = read_conditions(r)?,
            "segment" => rule.segment = opt_string(r, k)?,
            "priority" => {
                rule.priority = r
                    .i64()
                    .ok()
                    .and_then(|p| i32::try_from(p).ok())
                    .ok_or_else(|| DecodeError::Invalid("rule priority out of range".into()))?
            }
            "action" => action = string(r, k)?,
            "conditions" => conditions = read_conditions(r)?,
            "amount" => amount = num(r, k)?,
            "position" => position = uint(r, k)?,
            "label" => rule.label = opt_string(r, k)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    rule.action = match action.as_str() {
        "eligible" => Action::EligibleIf(conditions),
        "exclude" => Action::Exclude,
        "boost" => Action::Boost(amount),
        "pin" => Action::Pin(position),
        other => {
            return Err(DecodeError::Invalid(format!(
                "rule \"{}\" has unknown action \"{other}\"",
                rule.id
            )))
        }
    };
    Ok(rule)
}

fn read_conditions(r: &mut Reader) -> R<Vec<Condition>> {
    list(r, "conditions", |r| {
        let (mut source, mut op, mut value) = (String::new(), String::new(), CondValue::None);
        map(r, "condition", |k, r| {
            match k {
                "source" => source = string(r, k)?,
                "op" => op = string(r, k)?,
                "value" => {
                    value = if r.nil().map_err(|e| bad(e, k))? {
                        CondValue::None
                    } else if let Ok(s) = r.opt_str().map(|s| s.map(str::to_owned)) {
                        CondValue::Text(s.unwrap_or_default())
                    } else if let Ok(n) = r.f64() {
                        CondValue::Num(n)
                    } else {
                        CondValue::List(strings(r, k)?)
                    }
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let op = op_from_name(&op).ok_or_else(|| {
            DecodeError::Invalid(format!("condition on \"{source}\" has unknown op \"{op}\""))
        })?;
        Ok(Condition { source, op, value })
    })
}

fn read_experiment(r: &mut Reader) -> R<Experiment> {
    let mut e = Experiment {
        key: String::new(),
        seed: String::new(),
        hash_version: 2,
        surface: String::new(),
        coverage: 1.0,
        arms: Vec::new(),
    };
    map(r, "experiment", |k, r| {
        match k {
            "key" => e.key = string(r, k)?,
            "seed" => e.seed = string(r, k)?,
            "hashVersion" => e.hash_version = uint(r, k)?,
            "surface" => e.surface = string(r, k)?,
            "coverage" => e.coverage = num(r, k)?,
            "arms" => {
                e.arms = list(r, k, |r| {
                    let mut a = Arm {
                        name: String::new(),
                        weight: f64::NAN,
                        holdout: false,
                        head: None,
                    };
                    map(r, "arm", |k, r| {
                        match k {
                            "name" => a.name = string(r, k)?,
                            "weight" => a.weight = num(r, k)?,
                            "holdout" => a.holdout = r.bool().map_err(|e| bad(e, k))?,
                            "head" => a.head = opt_string(r, k)?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                    Ok(a)
                })?
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(e)
}

// ---------------------------------------------------------------- signed envelopes

/// Magic of a signed bundle: `{magic, alg: "ES256", bundle: bin, signature: bin}`, the
/// signature (ECDSA P-256 with SHA-256, 64 bytes r‖s, as WebCrypto verifies it) over the
/// bundle bytes exactly.
pub const SIGNED_MAGIC: &str = "CPM-SIGNED";
pub const SIGNATURE_ALG: &str = "ES256";

pub struct Envelope<'a> {
    pub alg: &'a str,
    pub bundle: &'a [u8],
    pub signature: &'a [u8],
}

pub fn encode_envelope(bundle: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.map(4);
    w.str("magic");
    w.str(SIGNED_MAGIC);
    w.str("alg");
    w.str(SIGNATURE_ALG);
    w.str("bundle");
    w.bin(bundle);
    w.str("signature");
    w.bin(signature);
    w.into_bytes()
}

/// The envelope, if `bytes` is a signed bundle (`None` for a plain bundle or anything else).
pub fn read_envelope(bytes: &[u8]) -> Option<Envelope<'_>> {
    let mut r = Reader::new(bytes);
    let n = r.map().ok()?;
    let (mut magic, mut alg, mut bundle, mut signature) = (None, None, None, None);
    for _ in 0..n {
        match r.str().ok()? {
            "magic" => magic = Some(r.str().ok()?),
            "alg" => alg = Some(r.str().ok()?),
            "bundle" => bundle = Some(r.bin().ok()?),
            "signature" => signature = Some(r.bin().ok()?),
            _ => r.skip().ok()?,
        }
    }
    (magic? == SIGNED_MAGIC && r.is_at_end()).then_some(Envelope {
        alg: alg?,
        bundle: bundle?,
        signature: signature?,
    })
}
