//! The native model CLI's library: importers (XGBoost, LightGBM, scikit-learn), the
//! co-occurrence builder, the TOML bundle spec, and inspection. `main.rs` is only argument
//! parsing. Nothing here reaches the wasm module: this crate depends on it, not the reverse.

pub mod abreport;
pub mod choice;
pub mod cooccur;
pub mod ease;
pub mod exports;
pub mod lightgbm;
pub mod replay;
pub mod sign;
pub mod sklearn;
pub mod spec;
pub mod stats;
pub mod train;
pub mod xgboost;

use checkout_personalizer::model::{self, Bundle, Head, HeadKind};
use std::fmt;
use std::path::Path;

#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

pub fn err(msg: impl Into<String>) -> Error {
    Error(msg.into())
}

/// A head's link function by its spec name (shared by the spec and the scikit-learn import).
pub fn link(name: &str) -> Result<model::Link> {
    match name {
        "identity" => Ok(model::Link::Identity),
        "logistic" => Ok(model::Link::Logistic),
        "softmax" => Ok(model::Link::Softmax),
        _ => Err(err(format!("spec: unknown link \"{name}\""))),
    }
}

/// `feature_names` of a model JSON (XGBoost and LightGBM both have one), or none.
pub fn feature_names(json: &serde_json::Value) -> Vec<String> {
    json.get("feature_names")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| err(format!("{}: {e}", path.display())))
}

pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    serde_json::from_str(&read_text(path)?).map_err(|e| err(format!("{}: {e}", path.display())))
}

/// Creation time for new bundles: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible
/// builds; else now.
pub fn created_ms() -> i64 {
    if let Some(s) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        return s * 1000;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Validates (exactly as the browser will) and encodes a bundle.
pub fn encode_checked(b: &Bundle) -> Result<Vec<u8>> {
    let bytes = model::format::encode(b);
    model::decode(&bytes).map_err(|e| err(e.to_string()))?;
    Ok(bytes)
}

/// A bundle holding one imported head and nothing else.
pub fn single_head(id: &str, head: Head, expires_days: Option<f64>) -> Bundle {
    let created = created_ms();
    Bundle {
        id: id.to_owned(),
        version: "1".into(),
        created_ms: created,
        expires_ms: expires_days.map(|d| created + (d * 86_400_000.0) as i64),
        heads: vec![head],
        ..Bundle::default()
    }
}

/// A human-readable summary of a bundle (`personalizer inspect`).
pub fn describe(m: &model::Model) -> String {
    use std::fmt::Write;
    let b = m.bundle();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "bundle {} version {} (format {})",
        b.id,
        b.version,
        model::FORMAT_VERSION
    );
    let _ = writeln!(s, "created  {} ms", b.created_ms);
    let _ = writeln!(
        s,
        "expires  {}",
        b.expires_ms.map_or("never".into(), |e| format!("{e} ms"))
    );
    let _ = writeln!(s, "features {}", b.features.len());
    for f in &b.features {
        let _ = writeln!(s, "  {:<28} {:<28} {:?}", f.name, f.source, f.transform);
    }
    let _ = writeln!(s, "heads    {}", b.heads.len());
    for h in &b.heads {
        let what = match &h.kind {
            HeadKind::Linear(l) => format!(
                "linear, {} features, {} outputs, {:?}",
                l.n_features,
                l.intercepts.len(),
                l.link
            ),
            HeadKind::Trees(t) => format!(
                "trees, {} trees, {} nodes, {} features, {} groups, {:?}",
                t.roots.len(),
                t.kind.len(),
                t.n_features,
                t.n_groups,
                t.link
            ),
            HeadKind::Cooccur(c) => format!(
                "co-occurrence, {} items, {} partner links, {} categories",
                c.items.len(),
                c.partner.len(),
                c.categories.len()
            ),
        };
        let _ = writeln!(s, "  {:<20} {what}", h.name);
    }
    for (name, surface) in [("payment", &b.payment), ("crossSell", &b.cross_sell)] {
        if let Some(x) = surface {
            let _ = writeln!(
                s,
                "{name:<10}head {:?}, co-occurrence {:?}, {} rules",
                x.head,
                x.cooccur,
                x.rules.len()
            );
            for r in &x.rules {
                let _ = writeln!(s, "  rule {:<20} {:?} -> {:?}", r.id, r.targets, r.action);
            }
        }
    }
    let _ = writeln!(
        s,
        "segments {}",
        b.segments
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for e in &b.experiments {
        let arms: Vec<String> = e
            .arms
            .iter()
            .map(|a| format!("{} {}", a.name, a.weight))
            .collect();
        let _ = writeln!(
            s,
            "experiment {} on {} (coverage {}): {}",
            e.key,
            e.surface,
            e.coverage,
            arms.join(", ")
        );
    }
    s
}

/// Parses a features CSV: an optional header (a first row with a cell that is neither a
/// number nor empty), then one row per line; empty cells are missing (NaN).
pub fn read_feature_rows(text: &str) -> Result<Vec<Vec<f64>>> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed: std::result::Result<Vec<f64>, _> = cells
            .iter()
            .map(|c| {
                if c.is_empty() || c.eq_ignore_ascii_case("nan") {
                    Ok(f64::NAN)
                } else {
                    c.parse::<f64>()
                }
            })
            .collect();
        match parsed {
            Ok(r) => rows.push(r),
            Err(_) if i == 0 => continue,
            Err(_) => return Err(err(format!("line {}: not a number in {line:?}", i + 1))),
        }
    }
    Ok(rows)
}
