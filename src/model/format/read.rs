//! Reading a bundle: shape only (`decode::validate` checks the meaning). Unknown keys are
//! skipped, so later versions can add fields.

use super::keys as k;
use super::*;
use crate::msgpack::{ReadError, Reader};

/// Most entries reserved before they are read (lengths come from the input).
const PREALLOCATE: usize = 64;

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
            k::MAGIC => {
                let m = r.str().map_err(|e| bad(e, key))?;
                if m != MAGIC {
                    return Err(DecodeError::NotABundle);
                }
                magic = true;
            }
            k::FORMAT => format = Some(uint(r, key)?),
            k::ID => b.id = string(r, key)?,
            k::VERSION => b.version = string(r, key)?,
            k::CREATED => b.created_ms = r.i64().map_err(|e| bad(e, key))?,
            k::EXPIRES => b.expires_ms = Some(r.i64().map_err(|e| bad(e, key))?),
            k::FEATURES => b.features = read_features(r)?,
            k::HEADS => b.heads = list(r, key, read_head)?,
            k::PAYMENT => b.payment = Some(read_surface(r)?),
            k::CROSS_SELL => b.cross_sell = Some(read_surface(r)?),
            k::SHIPPING => b.shipping = Some(read_surface(r)?),
            k::OFFERS => b.offers = Some(read_surface(r)?),
            k::MESSAGES => b.messages = list(r, key, read_message)?,
            k::SEGMENTS => {
                b.segments = list(r, key, |r| {
                    let mut s = Segment {
                        name: String::new(),
                        when: Vec::new(),
                    };
                    map(r, "segment", |k, r| {
                        match k {
                            k::NAME => s.name = string(r, k)?,
                            k::WHEN => s.when = read_conditions(r)?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                    Ok(s)
                })?
            }
            k::EXPERIMENTS => b.experiments = list(r, key, read_experiment)?,
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
        Some(1..=FORMAT_VERSION) => {}
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

/// The feature list: full features (maps) and one-hot runs (arrays, format 3).
fn read_features(r: &mut Reader) -> R<Vec<Feature>> {
    let n = r.array().map_err(|e| bad(e, k::FEATURES))?;
    let mut out = Vec::with_capacity(n.min(PREALLOCATE));
    for _ in 0..n {
        if !r.at_array() {
            out.push(read_feature(r)?);
            continue;
        }
        let m = r.array().map_err(|e| bad(e, k::FEATURES))?;
        if m < 2 {
            return Err(DecodeError::Invalid(
                "a one-hot run without its source".into(),
            ));
        }
        let source = string(r, k::SOURCE)?;
        let label = opt_string(r, k::LABEL)?;
        for _ in 2..m {
            // Checked here, not only by `validate`: a run expands, and must not expand a
            // small input into a large allocation.
            if out.len() >= crate::model::decode::MAX_FEATURES {
                return Err(DecodeError::Invalid(format!(
                    "more than {} features",
                    crate::model::decode::MAX_FEATURES
                )));
            }
            let value = string(r, k::VALUE)?;
            out.push(Feature {
                name: super::one_hot_name(&source, &value),
                source: source.clone(),
                transform: Transform::OneHot { value },
                label: label.clone(),
            });
        }
    }
    Ok(out)
}

fn read_feature(r: &mut Reader) -> R<Feature> {
    let (mut name, mut source, mut kind, mut label) =
        (String::new(), String::new(), String::new(), None);
    let (mut a, mut bb) = (f64::NAN, f64::NAN);
    let (mut value, mut values) = (String::new(), Vec::new());
    let (mut buckets, mut bucket) = (0, 0);
    map(r, "feature", |k, r| {
        match k {
            k::NAME => name = string(r, k)?,
            k::SOURCE => source = string(r, k)?,
            k::TRANSFORM => kind = string(r, k)?,
            k::LABEL => label = opt_string(r, k)?,
            "mean" | k::MIN => a = num(r, k)?,
            "std" | k::MAX => bb = num(r, k)?,
            k::VALUE => value = string(r, k)?,
            k::VALUES => values = strings(r, k)?,
            k::BUCKETS => buckets = uint(r, k)?,
            k::BUCKET => bucket = uint(r, k)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let transform = match kind.as_str() {
        k::RAW => Transform::Raw,
        k::STANDARD => Transform::Standard { mean: a, std: bb },
        k::MINMAX => Transform::MinMax { min: a, max: bb },
        k::ONEHOT => Transform::OneHot { value },
        k::CODE => Transform::Code { values },
        k::HASH => Transform::Hash { buckets, bucket },
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
    let mut compact: [Option<&[u8]>; 3] = [None; 3];
    map(r, "head", |k, r| {
        match k {
            k::NAME => name = string(r, k)?,
            k::KIND => kind = string(r, k)?,
            k::N => n = uint(r, k)?,
            k::GROUPS => groups = uint(r, k)?,
            k::LINK => link_code = uint(r, k)?,
            k::INTERCEPTS => lin.intercepts = read_f64s(r, k)?,
            k::WEIGHTS => lin.weights = read_f64s(r, k)?,
            k::BASE => t.base_margin = read_f64s(r, k)?,
            k::ROOTS => t.roots = read_u32s(r, k)?,
            k::TREE_GROUP => t.tree_group = read_u32s(r, k)?,
            k::NODE_KIND => t.kind = r.bin().map_err(|e| bad(e, k))?.to_vec(),
            k::FEATURE => t.feature = read_u32s(r, k)?,
            k::THRESHOLD => t.threshold = read_f64s(r, k)?,
            k::LEFT => t.left = read_u32s(r, k)?,
            k::RIGHT => t.right = read_u32s(r, k)?,
            k::MISSING => t.missing = r.bin().map_err(|e| bad(e, k))?.to_vec(),
            k::VALUE => t.value = read_f64s(r, k)?,
            k::CAT_START => t.cat_start = read_u32s(r, k)?,
            k::CAT_LEN => t.cat_len = read_u32s(r, k)?,
            k::CAT_WORDS => t.cat_words = read_u32s(r, k)?,
            k::ITEMS => c.items = strings(r, k)?,
            k::NAMES => c.names = strings(r, k)?,
            k::CATEGORY => c.category = read_u32s(r, k)?,
            k::CATEGORIES => c.categories = strings(r, k)?,
            k::POPULARITY => c.popularity = read_f64s(r, k)?,
            k::PARTNER_START => c.partner_start = read_u32s(r, k)?,
            k::PARTNER => c.partner = read_u32s(r, k)?,
            k::PARTNER_SCORE => c.partner_score = read_f64s(r, k)?,
            k::PARTNER_GAP => compact[0] = Some(r.bin().map_err(|e| bad(e, k))?),
            k::PARTNER_Q => compact[1] = Some(r.bin().map_err(|e| bad(e, k))?),
            k::PARTNER_EXP => compact[2] = Some(r.bin().map_err(|e| bad(e, k))?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let kind = match kind.as_str() {
        k::LINEAR => {
            lin.n_features = n;
            lin.link = link(link_code)?;
            HeadKind::Linear(lin)
        }
        k::TREES => {
            t.n_features = n;
            t.n_groups = groups;
            t.link = link(link_code)?;
            HeadKind::Trees(t)
        }
        k::COOCCUR => {
            match compact {
                [None, None, None] => {}
                [Some(gaps), Some(q), Some(exp)]
                    if c.partner.is_empty() && c.partner_score.is_empty() =>
                {
                    (c.partner, c.partner_score) =
                        super::partners::unpack(&c.partner_start, gaps, q, exp)?;
                }
                _ => {
                    return Err(DecodeError::Invalid(format!(
                        "head \"{name}\": partnerGap, partnerQ and partnerExp go together, \
                         instead of partner and partnerScore"
                    )))
                }
            }
            HeadKind::Cooccur(c)
        }
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
            k::HEAD => s.head = opt_string(r, k)?,
            k::COOCCUR => s.cooccur = opt_string(r, k)?,
            k::RULES => s.rules = list(r, k, read_rule)?,
            k::BUDGET_PERCENT => s.budget_percent = Some(num(r, k)?),
            k::FREQUENCY_CAP => s.frequency_cap = Some(uint(r, k)?),
            k::FREQUENCY_DAYS => s.frequency_days = Some(num(r, k)?),
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
            k::SLOT => m.slot = string(r, k)?,
            k::ID => m.id = string(r, k)?,
            k::TEXT => m.text = string(r, k)?,
            k::TRANSLATIONS => {
                let n = r.map().map_err(|e| bad(e, k))?;
                for _ in 0..n {
                    m.translations.push((string(r, k)?, string(r, k)?));
                }
            }
            k::WHEN => m.when = read_conditions(r)?,
            k::SEGMENT => m.segment = opt_string(r, k)?,
            k::REQUIRES => m.requires = strings(r, k)?,
            k::PRIORITY => {
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
            k::ID => rule.id = string(r, k)?,
            k::TARGETS => rule.targets = strings(r, k)?,
            k::WHEN => rule.when = read_conditions(r)?,
            k::SEGMENT => rule.segment = opt_string(r, k)?,
            k::PRIORITY => {
                rule.priority = r
                    .i64()
                    .ok()
                    .and_then(|p| i32::try_from(p).ok())
                    .ok_or_else(|| DecodeError::Invalid("rule priority out of range".into()))?
            }
            k::ACTION => action = string(r, k)?,
            k::CONDITIONS => conditions = read_conditions(r)?,
            k::AMOUNT => amount = num(r, k)?,
            k::POSITION => position = uint(r, k)?,
            k::LABEL => rule.label = opt_string(r, k)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    rule.action = match action.as_str() {
        k::ELIGIBLE => Action::EligibleIf(conditions),
        k::EXCLUDE => Action::Exclude,
        k::BOOST => Action::Boost(amount),
        k::PIN => Action::Pin(position),
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
                k::SOURCE => source = string(r, k)?,
                k::OP => op = string(r, k)?,
                k::VALUE => {
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

/// `[[start, end], …]`.
fn read_ranges(r: &mut Reader, field: &str) -> R<Vec<(f64, f64)>> {
    list(r, field, |r| {
        if r.array().map_err(|e| bad(e, field))? != 2 {
            return Err(DecodeError::Invalid(format!(
                "\"{field}\": a range is [start, end]"
            )));
        }
        Ok((num(r, field)?, num(r, field)?))
    })
}

fn read_experiment(r: &mut Reader) -> R<Experiment> {
    let mut e = Experiment::new("", "", Vec::new());
    map(r, "experiment", |k, r| {
        match k {
            k::KEY => e.key = string(r, k)?,
            k::SEED => e.seed = string(r, k)?,
            k::HASH_VERSION => e.hash_version = uint(r, k)?,
            k::SURFACE => e.surface = string(r, k)?,
            k::COVERAGE => e.coverage = num(r, k)?,
            k::ACTIVE => e.active = r.bool().map_err(|e| bad(e, k))?,
            k::NAMESPACE => {
                let mut n = Namespace {
                    id: String::new(),
                    start: f64::NAN,
                    end: f64::NAN,
                };
                map(r, "namespace", |k, r| {
                    match k {
                        k::ID => n.id = string(r, k)?,
                        k::START => n.start = num(r, k)?,
                        k::END => n.end = num(r, k)?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                e.namespace = Some(n);
            }
            k::RANGES => e.ranges = Some(read_ranges(r, k)?),
            k::FILTERS => {
                e.filters = list(r, k, |r| {
                    let mut f = Filter {
                        seed: String::new(),
                        hash_version: 2,
                        ranges: Vec::new(),
                    };
                    map(r, "filter", |k, r| {
                        match k {
                            k::SEED => f.seed = string(r, k)?,
                            k::HASH_VERSION => f.hash_version = uint(r, k)?,
                            k::RANGES => f.ranges = read_ranges(r, k)?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                    Ok(f)
                })?
            }
            k::ARMS => {
                e.arms = list(r, k, |r| {
                    let mut a = Arm {
                        name: String::new(),
                        weight: f64::NAN,
                        holdout: false,
                        head: None,
                    };
                    map(r, "arm", |k, r| {
                        match k {
                            k::NAME => a.name = string(r, k)?,
                            k::WEIGHT => a.weight = num(r, k)?,
                            k::HOLDOUT => a.holdout = r.bool().map_err(|e| bad(e, k))?,
                            k::HEAD => a.head = opt_string(r, k)?,
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
