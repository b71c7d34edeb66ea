//! Deterministic experiment bucketing, compatible with GrowthBook's SDKs.
//!
//! The same user id, seed and weights give the same arm here as in any GrowthBook SDK:
//! FNV-1a 32 over UTF-16 code units; hash v1 `(fnv(value + seed) % 1000) / 1000`, v2
//! `(fnv(str(fnv(seed + value))) % 10000) / 10000`; bucket ranges from weights and coverage.
//! Tested against GrowthBook's published vectors. Pure.

use crate::model::Experiment;

/// FNV-1a 32 over UTF-16 code units, as GrowthBook's `hashFnv32a` (JS `charCodeAt`).
pub fn fnv32a_utf16(s: &str) -> u32 {
    s.encode_utf16().fold(0x811c_9dc5u32, |h, unit| {
        (h ^ u32::from(unit)).wrapping_mul(0x0100_0193)
    })
}

/// GrowthBook's `hash(seed, value, version)`: a number in [0, 1), or `None` for an unknown
/// version.
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => Some(f64::from(fnv32a_utf16(&format!("{value}{seed}")) % 1000) / 1000.0),
        2 => {
            let inner = fnv32a_utf16(&format!("{seed}{value}"));
            Some(f64::from(fnv32a_utf16(&inner.to_string()) % 10000) / 10000.0)
        }
        _ => None,
    }
}

/// GrowthBook's `getEqualWeights`.
pub fn equal_weights(n: i64) -> Vec<f64> {
    if n <= 0 {
        return Vec::new();
    }
    vec![1.0 / n as f64; n as usize]
}

/// GrowthBook's `getBucketRanges`: weights that do not match `n` or do not sum to 1 (±0.01)
/// are replaced by equal weights; coverage is clamped to [0, 1].
pub fn bucket_ranges(n: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    let coverage = coverage.clamp(0.0, 1.0);
    let equal = equal_weights(n as i64);
    let mut w: &[f64] = weights.unwrap_or(&equal);
    if w.len() != n {
        w = &equal;
    }
    let total: f64 = w.iter().sum();
    if !(0.99..=1.01).contains(&total) {
        w = &equal;
    }
    let mut cumulative = 0.0;
    w.iter()
        .map(|&w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// GrowthBook's `chooseVariation`: the range `n` falls in, or `None`.
pub fn choose_variation(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges
        .iter()
        .position(|&(start, end)| n >= start && n < end)
}

/// GrowthBook's `inNamespace`.
pub fn in_namespace(user_id: &str, namespace: &str, start: f64, end: f64) -> bool {
    hash(&format!("__{namespace}"), user_id, 1).is_some_and(|n| n >= start && n < end)
}

/// The arm of `e` for `user_id`, or `None` when the shopper is not in the experiment.
/// GrowthBook's order of checks (`_run`), for the fields a bundle carries: fewer than two
/// arms, inactive, no id, filtered out (or, without filters, outside the namespace), then
/// the hash against the explicit ranges or those of coverage and weights.
pub fn assign(e: &Experiment, user_id: &str) -> Option<usize> {
    if e.arms.len() < 2 || !e.active || user_id.is_empty() {
        return None;
    }
    let in_ranges = |n: f64, ranges: &[(f64, f64)]| ranges.iter().any(|&(a, z)| n >= a && n < z);
    if !e.filters.is_empty() {
        let kept = e.filters.iter().all(|f| {
            hash(&f.seed, user_id, f.hash_version).is_some_and(|n| in_ranges(n, &f.ranges))
        });
        if !kept {
            return None;
        }
    } else if let Some(ns) = &e.namespace {
        if !in_namespace(user_id, &ns.id, ns.start, ns.end) {
            return None;
        }
    }
    let n = hash(&e.seed, user_id, e.hash_version)?;
    match &e.ranges {
        Some(r) => choose_variation(n, r),
        None => {
            let weights: Vec<f64> = e.arms.iter().map(|a| a.weight).collect();
            choose_variation(n, &bucket_ranges(e.arms.len(), e.coverage, Some(&weights)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn cases() -> Value {
        serde_json::from_str(include_str!("../tests/fixtures/growthbook_cases.json")).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn growthbook_hash_vectors() {
        let c = cases();
        let rows = c["hash"].as_array().unwrap();
        assert_eq!(rows.len(), 15);
        for r in rows {
            let got = hash(
                r[0].as_str().unwrap(),
                r[1].as_str().unwrap(),
                r[2].as_u64().unwrap() as u32,
            );
            match r[3].as_f64() {
                Some(want) => assert!(got.is_some_and(|g| close(g, want)), "{r}: {got:?}"),
                None => assert_eq!(got, None, "{r}"),
            }
        }
    }

    #[test]
    fn growthbook_bucket_range_vectors() {
        let c = cases();
        let rows = c["getBucketRange"].as_array().unwrap();
        assert_eq!(rows.len(), 13);
        for r in rows {
            let args = &r[1];
            let n = args[0].as_i64().unwrap();
            let weights: Option<Vec<f64>> = args[2]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_f64().unwrap()).collect());
            let got = bucket_ranges(
                n.max(0) as usize,
                args[1].as_f64().unwrap(),
                weights.as_deref(),
            );
            let want: Vec<(f64, f64)> = r[2]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            assert_eq!(got.len(), want.len(), "{}", r[0]);
            for (g, w) in got.iter().zip(&want) {
                // GrowthBook's own test rounds to 6 places.
                assert!(
                    (g.0 - w.0).abs() < 1e-6 && (g.1 - w.1).abs() < 1e-6,
                    "{}: {got:?}",
                    r[0]
                );
            }
        }
    }

    #[test]
    fn growthbook_choose_variation_namespace_and_weights_vectors() {
        let c = cases();
        for r in c["chooseVariation"].as_array().unwrap() {
            let ranges: Vec<(f64, f64)> = r[2]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            let got = choose_variation(r[1].as_f64().unwrap(), &ranges).map_or(-1, |i| i as i64);
            assert_eq!(got, r[3].as_i64().unwrap(), "{}", r[0]);
        }
        for r in c["inNamespace"].as_array().unwrap() {
            let ns = &r[2];
            let got = in_namespace(
                r[1].as_str().unwrap(),
                ns[0].as_str().unwrap(),
                ns[1].as_f64().unwrap(),
                ns[2].as_f64().unwrap(),
            );
            assert_eq!(got, r[3].as_bool().unwrap(), "{}", r[0]);
        }
        for r in c["getEqualWeights"].as_array().unwrap() {
            let got = equal_weights(r[0].as_i64().unwrap());
            let want: Vec<f64> = r[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(got.len(), want.len());
            assert!(
                got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-8),
                "{r}"
            );
        }
    }

    #[test]
    fn utf16_units_not_bytes() {
        // "é" is one UTF-16 unit (0xE9) but two UTF-8 bytes: the hashes must differ from a
        // byte-wise FNV of the same string.
        let bytewise = "é".bytes().fold(0x811c_9dc5u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        assert_ne!(fnv32a_utf16("é"), bytewise);
        assert_eq!(fnv32a_utf16("a"), 0xe40c292c);
    }

    /// GrowthBook's `run` cases for the fields a bundle carries, through `assign`; the
    /// others are out of scope for the reasons `growthbook_scope.json` gives (and the test
    /// checks that list is exactly what is skipped).
    #[test]
    fn growthbook_run_cases() {
        use crate::model::{Arm, Filter, Namespace};
        let scope: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/growthbook_scope.json")).unwrap();
        let (mut ran, mut skipped) = (0, Vec::new());
        for c in cases()["run"].as_array().unwrap() {
            let (name, ctx, exp) = (c[0].as_str().unwrap(), &c[1], &c[2]);
            let why = out_of_scope(ctx, exp, &scope);
            if let Some(why) = why {
                skipped.push((name.to_owned(), why));
                continue;
            }
            let variations = exp["variations"].as_array().unwrap();
            let f = |v: &serde_json::Value| v.as_f64().unwrap();
            let pairs = |r: &serde_json::Value| -> Vec<(f64, f64)> {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (f(&p[0]), f(&p[1])))
                    .collect()
            };
            let n = variations.len();
            let weights: Vec<f64> = match exp.get("weights") {
                Some(w) => w.as_array().unwrap().iter().map(f).collect(),
                None => vec![1.0 / n as f64; n],
            };
            let key = exp["key"].as_str().unwrap();
            let mut e = Experiment::new(
                key,
                "payment",
                (0..n)
                    .map(|i| Arm {
                        name: format!("v{i}"),
                        weight: weights.get(i).copied().unwrap_or(0.0),
                        holdout: false,
                        head: None,
                    })
                    .collect(),
            );
            if let Some(s) = exp["seed"].as_str() {
                e.seed = s.to_owned();
            }
            if let Some(v) = exp["hashVersion"].as_u64() {
                e.hash_version = v as u32;
            }
            if let Some(c) = exp["coverage"].as_f64() {
                e.coverage = c;
            }
            if let Some(a) = exp["active"].as_bool() {
                e.active = a;
            }
            if let Some(ns) = exp["namespace"].as_array() {
                e.namespace = Some(Namespace {
                    id: ns[0].as_str().unwrap().to_owned(),
                    start: f(&ns[1]),
                    end: f(&ns[2]),
                });
            }
            if let Some(r) = exp.get("ranges") {
                e.ranges = Some(pairs(r));
            }
            for flt in exp["filters"].as_array().into_iter().flatten() {
                e.filters.push(Filter {
                    seed: flt["seed"].as_str().unwrap().to_owned(),
                    hash_version: flt["hashVersion"].as_u64().unwrap_or(2) as u32,
                    ranges: pairs(&flt["ranges"]),
                });
            }
            let id = ctx["attributes"]["id"].as_str().unwrap_or("");
            let got = assign(&e, id);
            let want_in = c[4].as_bool().unwrap();
            let want = want_in.then(|| variations.iter().position(|v| *v == c[3]).unwrap());
            assert_eq!(got, want, "{name}");
            ran += 1;
        }
        eprintln!("{ran} run cases in scope; out of scope: {skipped:?}");
        assert_eq!(ran + skipped.len(), 73);
        assert!(ran >= 55, "{ran}");
        // Every reason given is used, so the list says exactly what is left out.
        let used: std::collections::BTreeSet<&str> =
            skipped.iter().map(|(_, w)| w.as_str()).collect();
        let listed = ["experiment", "context"]
            .iter()
            .flat_map(|k| scope[k].as_object().unwrap().values())
            .filter_map(|v| v.as_str())
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(used, listed);
    }

    /// Why a case is out of scope (`growthbook_scope.json`), or `None`. Cases without an
    /// id are run natively (the empty id is in no experiment).
    fn out_of_scope(
        ctx: &serde_json::Value,
        exp: &serde_json::Value,
        scope: &serde_json::Value,
    ) -> Option<String> {
        let reason = |section: &str, key: &str| scope[section][key].as_str().map(str::to_owned);
        for (k, _) in scope["experiment"].as_object().unwrap() {
            let present = match k.as_str() {
                "filters.attribute" => exp["filters"]
                    .as_array()
                    .is_some_and(|fs| fs.iter().any(|f| f.get("attribute").is_some())),
                "hashAttribute" => exp
                    .get("hashAttribute")
                    .is_some_and(|a| a.as_str() != Some("id")),
                other => exp.get(other).is_some(),
            };
            if present {
                return reason("experiment", k);
            }
        }
        for (k, _) in scope["context"].as_object().unwrap() {
            if ctx.get(k).is_some() {
                return reason("context", k);
            }
        }
        None
    }
}
