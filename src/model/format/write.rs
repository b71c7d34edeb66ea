//! Writing a bundle (the CLI's side; the module only reads). Every map is written through
//! `map`, which counts its entries, so no header is counted by hand.

use super::keys as k;
use super::partners::Packed;
use super::*;
use crate::msgpack::Writer;

/// The entries of one MessagePack map, counted as they are written.
struct Map {
    w: Writer,
    n: usize,
}

impl Map {
    fn key(&mut self, key: &str) -> &mut Writer {
        self.n += 1;
        self.w.str(key);
        &mut self.w
    }
    fn str(&mut self, key: &str, v: &str) {
        self.key(key).str(v);
    }
    fn u64(&mut self, key: &str, v: u64) {
        self.key(key).u64(v);
    }
    fn i64(&mut self, key: &str, v: i64) {
        self.key(key).i64(v);
    }
    fn f64(&mut self, key: &str, v: f64) {
        self.key(key).f64(v);
    }
    fn bool(&mut self, key: &str, v: bool) {
        self.key(key).bool(v);
    }
    fn bin(&mut self, key: &str, v: &[u8]) {
        self.key(key).bin(v);
    }
    fn u32s(&mut self, key: &str, v: &[u32]) {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.key(key).bin(&bytes);
    }
    fn f64s(&mut self, key: &str, v: &[f64]) {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.key(key).bin(&bytes);
    }
    fn strs(&mut self, key: &str, v: &[String]) {
        strs(self.key(key), v);
    }
    fn opt_str(&mut self, key: &str, v: &Option<String>) {
        if let Some(v) = v {
            self.str(key, v);
        }
    }
    /// A value written by `f` (a list, a nested map).
    fn with(&mut self, key: &str, f: impl FnOnce(&mut Writer)) {
        f(self.key(key));
    }
}

/// Writes a map whose entries `f` writes.
fn map(w: &mut Writer, f: impl FnOnce(&mut Map)) {
    let mut m = Map {
        w: Writer::new(),
        n: 0,
    };
    f(&mut m);
    w.map(m.n);
    w.raw(&m.w.into_bytes());
}

fn strs(w: &mut Writer, v: &[String]) {
    w.array(v.len());
    for s in v {
        w.str(s);
    }
}

fn ranges(w: &mut Writer, r: &[(f64, f64)]) {
    list(w, r, |w, &(a, b)| {
        w.array(2);
        w.f64(a);
        w.f64(b);
    });
}

fn list<T>(w: &mut Writer, items: &[T], f: impl Fn(&mut Writer, &T)) {
    w.array(items.len());
    for i in items {
        f(w, i);
    }
}

pub fn encode(b: &Bundle) -> Vec<u8> {
    let mut w = Writer::new();
    map(&mut w, |m| {
        m.str(k::MAGIC, MAGIC);
        // Each co-occurrence head's compact partner lists, packed once: they decide the
        // format version and are then written with their head.
        let heads: Vec<(&Head, Option<Packed>)> = b
            .heads
            .iter()
            .map(|h| match &h.kind {
                HeadKind::Cooccur(c) => (h, super::partners::pack(c)),
                _ => (h, None),
            })
            .collect();
        let compact = heads.iter().any(|(_, p)| p.is_some());
        let runs = b.features.iter().any(in_run);
        m.u64(
            k::FORMAT,
            if runs {
                3
            } else if compact {
                2
            } else {
                1
            },
        );
        m.str(k::ID, &b.id);
        m.str(k::VERSION, &b.version);
        m.i64(k::CREATED, b.created_ms);
        if let Some(e) = b.expires_ms {
            m.i64(k::EXPIRES, e);
        }
        m.with(k::FEATURES, |w| write_features(w, &b.features));
        m.with(k::HEADS, |w| {
            list(w, &heads, |w, (h, packed)| {
                write_head(w, h, packed.as_ref())
            })
        });
        for (key, surface) in [
            (k::PAYMENT, &b.payment),
            (k::CROSS_SELL, &b.cross_sell),
            (k::SHIPPING, &b.shipping),
            (k::OFFERS, &b.offers),
        ] {
            if let Some(s) = surface {
                m.with(key, |w| write_surface(w, s));
            }
        }
        if !b.messages.is_empty() {
            m.with(k::MESSAGES, |w| list(w, &b.messages, write_message));
        }
        m.with(k::SEGMENTS, |w| {
            list(w, &b.segments, |w, s| {
                map(w, |m| {
                    m.str(k::NAME, &s.name);
                    m.with(k::WHEN, |w| write_conditions(w, &s.when));
                })
            })
        });
        m.with(k::EXPERIMENTS, |w| {
            list(w, &b.experiments, write_experiment)
        });
    });
    w.into_bytes()
}

/// Whether a feature is written in a one-hot run: one-hot, under its default name.
fn in_run(f: &Feature) -> bool {
    matches!(&f.transform, Transform::OneHot { value } if f.name == super::one_hot_name(&f.source, value))
}

/// The feature list: consecutive features [`in_run`] that share source and label as one
/// array `[source, label | nil, value…]`, the rest as maps.
fn write_features(w: &mut Writer, features: &[Feature]) {
    let same = |a: &Feature, b: &Feature| {
        in_run(a) && in_run(b) && a.source == b.source && a.label == b.label
    };
    let runs: Vec<&[Feature]> = features.chunk_by(same).collect();
    w.array(runs.len());
    for run in runs {
        match run {
            [f] if !in_run(f) => write_feature(w, f),
            _ => {
                w.array(run.len() + 2);
                w.str(&run[0].source);
                w.opt_str(run[0].label.as_deref());
                for f in run {
                    if let Transform::OneHot { value } = &f.transform {
                        w.str(value);
                    }
                }
            }
        }
    }
}

fn write_feature(w: &mut Writer, f: &Feature) {
    map(w, |m| {
        m.str(k::NAME, &f.name);
        m.str(k::SOURCE, &f.source);
        match &f.transform {
            Transform::Raw => m.str(k::TRANSFORM, k::RAW),
            Transform::Standard { mean, std } => {
                m.str(k::TRANSFORM, k::STANDARD);
                m.f64(k::MEAN, *mean);
                m.f64(k::STD, *std);
            }
            Transform::MinMax { min, max } => {
                m.str(k::TRANSFORM, k::MINMAX);
                m.f64(k::MIN, *min);
                m.f64(k::MAX, *max);
            }
            Transform::OneHot { value } => {
                m.str(k::TRANSFORM, k::ONEHOT);
                m.str(k::VALUE, value);
            }
            Transform::Code { values } => {
                m.str(k::TRANSFORM, k::CODE);
                m.strs(k::VALUES, values);
            }
            Transform::Hash { buckets, bucket } => {
                m.str(k::TRANSFORM, k::HASH);
                m.u64(k::BUCKETS, u64::from(*buckets));
                m.u64(k::BUCKET, u64::from(*bucket));
            }
        }
        m.opt_str(k::LABEL, &f.label);
    });
}

/// One head; `packed` is a co-occurrence head's compact partner lists, if they apply.
fn write_head(w: &mut Writer, h: &Head, packed: Option<&Packed>) {
    map(w, |m| {
        m.str(k::NAME, &h.name);
        match &h.kind {
            HeadKind::Linear(l) => {
                m.str(k::KIND, k::LINEAR);
                m.u64(k::N, u64::from(l.n_features));
                m.u64(k::LINK, l.link as u64);
                m.f64s(k::INTERCEPTS, &l.intercepts);
                m.f64s(k::WEIGHTS, &l.weights);
            }
            HeadKind::Trees(t) => {
                m.str(k::KIND, k::TREES);
                m.u64(k::N, u64::from(t.n_features));
                m.u64(k::GROUPS, u64::from(t.n_groups));
                m.u64(k::LINK, t.link as u64);
                m.f64s(k::BASE, &t.base_margin);
                m.u32s(k::ROOTS, &t.roots);
                m.u32s(k::TREE_GROUP, &t.tree_group);
                m.bin(k::NODE_KIND, &t.kind);
                m.u32s(k::FEATURE, &t.feature);
                m.f64s(k::THRESHOLD, &t.threshold);
                m.u32s(k::LEFT, &t.left);
                m.u32s(k::RIGHT, &t.right);
                m.bin(k::MISSING, &t.missing);
                m.f64s(k::VALUE, &t.value);
                m.u32s(k::CAT_START, &t.cat_start);
                m.u32s(k::CAT_LEN, &t.cat_len);
                m.u32s(k::CAT_WORDS, &t.cat_words);
            }
            HeadKind::Cooccur(c) => {
                m.str(k::KIND, k::COOCCUR);
                m.strs(k::ITEMS, &c.items);
                m.strs(k::NAMES, &c.names);
                m.u32s(k::CATEGORY, &c.category);
                m.strs(k::CATEGORIES, &c.categories);
                m.f64s(k::POPULARITY, &c.popularity);
                m.u32s(k::PARTNER_START, &c.partner_start);
                match packed {
                    Some((gaps, q, exp)) => {
                        m.bin(k::PARTNER_GAP, gaps);
                        m.bin(k::PARTNER_Q, q);
                        m.bin(k::PARTNER_EXP, exp);
                    }
                    None => {
                        m.u32s(k::PARTNER, &c.partner);
                        m.f64s(k::PARTNER_SCORE, &c.partner_score);
                    }
                }
            }
        }
    });
}

fn write_surface(w: &mut Writer, s: &Surface) {
    map(w, |m| {
        if let Some(b) = s.budget_percent {
            m.f64(k::BUDGET_PERCENT, b);
        }
        if let Some(c) = s.frequency_cap {
            m.u64(k::FREQUENCY_CAP, u64::from(c));
        }
        if let Some(d) = s.frequency_days {
            m.f64(k::FREQUENCY_DAYS, d);
        }
        m.opt_str(k::HEAD, &s.head);
        m.opt_str(k::COOCCUR, &s.cooccur);
        m.with(k::RULES, |w| list(w, &s.rules, write_rule));
    });
}

fn write_rule(w: &mut Writer, r: &Rule) {
    map(w, |m| {
        m.str(k::ID, &r.id);
        m.strs(k::TARGETS, &r.targets);
        m.with(k::WHEN, |w| write_conditions(w, &r.when));
        m.i64(k::PRIORITY, i64::from(r.priority));
        match &r.action {
            Action::EligibleIf(c) => {
                m.str(k::ACTION, k::ELIGIBLE);
                m.with(k::CONDITIONS, |w| write_conditions(w, c));
            }
            Action::Exclude => m.str(k::ACTION, k::EXCLUDE),
            Action::Boost(a) => {
                m.str(k::ACTION, k::BOOST);
                m.f64(k::AMOUNT, *a);
            }
            Action::Pin(p) => {
                m.str(k::ACTION, k::PIN);
                m.u64(k::POSITION, u64::from(*p));
            }
        }
        m.opt_str(k::SEGMENT, &r.segment);
        m.opt_str(k::LABEL, &r.label);
    });
}

fn write_conditions(w: &mut Writer, cs: &[Condition]) {
    list(w, cs, |w, c| {
        map(w, |m| {
            m.str(k::SOURCE, &c.source);
            m.str(k::OP, op_name(c.op));
            m.with(k::VALUE, |w| match &c.value {
                CondValue::None => w.nil(),
                CondValue::Num(n) => w.f64(*n),
                CondValue::Text(t) => w.str(t),
                CondValue::List(l) => strs(w, l),
            });
        })
    });
}

fn write_message(w: &mut Writer, msg: &Message) {
    map(w, |m| {
        m.str(k::SLOT, &msg.slot);
        m.str(k::ID, &msg.id);
        m.str(k::TEXT, &msg.text);
        m.with(k::TRANSLATIONS, |w| {
            w.map(msg.translations.len());
            for (lang, text) in &msg.translations {
                w.str(lang);
                w.str(text);
            }
        });
        m.with(k::WHEN, |w| write_conditions(w, &msg.when));
        m.i64(k::PRIORITY, i64::from(msg.priority));
        m.opt_str(k::SEGMENT, &msg.segment);
        m.str(k::KIND, k::TEXT);
        if !msg.requires.is_empty() {
            m.strs(k::REQUIRES, &msg.requires);
        }
    });
}

fn write_experiment(w: &mut Writer, e: &Experiment) {
    map(w, |m| {
        m.str(k::KEY, &e.key);
        m.str(k::SEED, &e.seed);
        m.u64(k::HASH_VERSION, u64::from(e.hash_version));
        m.str(k::SURFACE, &e.surface);
        m.f64(k::COVERAGE, e.coverage);
        // Written only when set, so bundles without them stay byte-identical.
        if !e.active {
            m.bool(k::ACTIVE, false);
        }
        if let Some(n) = &e.namespace {
            m.with(k::NAMESPACE, |w| {
                map(w, |m| {
                    m.str(k::ID, &n.id);
                    m.f64(k::START, n.start);
                    m.f64(k::END, n.end);
                })
            });
        }
        if let Some(r) = &e.ranges {
            m.with(k::RANGES, |w| ranges(w, r));
        }
        if !e.filters.is_empty() {
            m.with(k::FILTERS, |w| {
                list(w, &e.filters, |w, f| {
                    map(w, |m| {
                        m.str(k::SEED, &f.seed);
                        m.u64(k::HASH_VERSION, u64::from(f.hash_version));
                        m.with(k::RANGES, |w| ranges(w, &f.ranges));
                    })
                })
            });
        }
        m.with(k::ARMS, |w| {
            list(w, &e.arms, |w, a| {
                map(w, |m| {
                    m.str(k::NAME, &a.name);
                    m.f64(k::WEIGHT, a.weight);
                    m.bool(k::HOLDOUT, a.holdout);
                    m.opt_str(k::HEAD, &a.head);
                })
            })
        });
    });
}

/// A signed envelope: `{magic, alg, bundle, signature}`.
pub fn encode_envelope(bundle: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    map(&mut w, |m| {
        m.str(k::MAGIC, SIGNED_MAGIC);
        m.str(k::ALG, SIGNATURE_ALG);
        m.bin(k::BUNDLE, bundle);
        m.bin(k::SIGNATURE, signature);
    });
    w.into_bytes()
}
