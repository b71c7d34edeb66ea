//! Every key and enumerated word of the bundle's MessagePack layout, spelt once: the writer
//! and the reader both use these.

pub const MAGIC: &str = "magic";
pub const FORMAT: &str = "format";
pub const ID: &str = "id";
pub const VERSION: &str = "version";
pub const CREATED: &str = "created";
pub const EXPIRES: &str = "expires";
pub const FEATURES: &str = "features";
pub const HEADS: &str = "heads";
pub const PAYMENT: &str = "payment";
pub const CROSS_SELL: &str = "crossSell";
pub const SHIPPING: &str = "shipping";
pub const OFFERS: &str = "offers";
pub const MESSAGES: &str = "messages";
pub const SEGMENTS: &str = "segments";
pub const EXPERIMENTS: &str = "experiments";

// A feature.
pub const NAME: &str = "name";
pub const SOURCE: &str = "source";
pub const TRANSFORM: &str = "transform";
pub const LABEL: &str = "label";
pub const MEAN: &str = "mean";
pub const STD: &str = "std";
pub const MIN: &str = "min";
pub const MAX: &str = "max";
pub const VALUE: &str = "value";
pub const VALUES: &str = "values";
pub const BUCKETS: &str = "buckets";
pub const BUCKET: &str = "bucket";
// Transform names.
pub const RAW: &str = "raw";
pub const STANDARD: &str = "standard";
pub const MINMAX: &str = "minmax";
pub const ONEHOT: &str = "onehot";
pub const CODE: &str = "code";
pub const HASH: &str = "hash";

// A head.
pub const KIND: &str = "kind";
pub const N: &str = "n";
pub const GROUPS: &str = "groups";
pub const LINK: &str = "link";
pub const INTERCEPTS: &str = "intercepts";
pub const WEIGHTS: &str = "weights";
pub const BASE: &str = "base";
pub const ROOTS: &str = "roots";
pub const TREE_GROUP: &str = "treeGroup";
pub const NODE_KIND: &str = "nodeKind";
pub const FEATURE: &str = "feature";
pub const THRESHOLD: &str = "threshold";
pub const LEFT: &str = "left";
pub const RIGHT: &str = "right";
pub const MISSING: &str = "missing";
pub const CAT_START: &str = "catStart";
pub const CAT_LEN: &str = "catLen";
pub const CAT_WORDS: &str = "catWords";
pub const ITEMS: &str = "items";
pub const NAMES: &str = "names";
pub const CATEGORY: &str = "category";
pub const CATEGORIES: &str = "categories";
pub const POPULARITY: &str = "popularity";
pub const PARTNER_START: &str = "partnerStart";
pub const PARTNER: &str = "partner";
pub const PARTNER_SCORE: &str = "partnerScore";
pub const PARTNER_GAP: &str = "partnerGap";
pub const PARTNER_Q: &str = "partnerQ";
pub const PARTNER_EXP: &str = "partnerExp";
// Head kinds.
pub const LINEAR: &str = "linear";
pub const TREES: &str = "trees";
pub const COOCCUR: &str = "cooccur";

// A surface and its rules.
pub const HEAD: &str = "head";
pub const RULES: &str = "rules";
pub const BUDGET_PERCENT: &str = "budgetPercent";
pub const FREQUENCY_CAP: &str = "frequencyCap";
pub const FREQUENCY_DAYS: &str = "frequencyDays";
pub const TARGETS: &str = "targets";
pub const WHEN: &str = "when";
pub const PRIORITY: &str = "priority";
pub const ACTION: &str = "action";
pub const SEGMENT: &str = "segment";
pub const CONDITIONS: &str = "conditions";
pub const AMOUNT: &str = "amount";
pub const POSITION: &str = "position";
// Rule actions.
pub const ELIGIBLE: &str = "eligible";
pub const EXCLUDE: &str = "exclude";
pub const BOOST: &str = "boost";
pub const PIN: &str = "pin";
// A condition.
pub const OP: &str = "op";

// A message.
pub const SLOT: &str = "slot";
pub const TEXT: &str = "text";
pub const TRANSLATIONS: &str = "translations";
pub const REQUIRES: &str = "requires";

// An experiment.
pub const KEY: &str = "key";
pub const SEED: &str = "seed";
pub const HASH_VERSION: &str = "hashVersion";
pub const SURFACE: &str = "surface";
pub const COVERAGE: &str = "coverage";
pub const ACTIVE: &str = "active";
pub const NAMESPACE: &str = "namespace";
pub const RANGES: &str = "ranges";
pub const FILTERS: &str = "filters";
pub const START: &str = "start";
pub const END: &str = "end";
pub const ARMS: &str = "arms";
pub const WEIGHT: &str = "weight";
pub const HOLDOUT: &str = "holdout";

// A signed envelope.
pub const ALG: &str = "alg";
pub const BUNDLE: &str = "bundle";
pub const SIGNATURE: &str = "signature";
