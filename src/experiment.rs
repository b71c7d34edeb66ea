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

/// The arm of `e` for `user_id`, or `None` when the user is outside the coverage.
pub fn assign(e: &Experiment, user_id: &str) -> Option<usize> {
    let n = hash(&e.seed, user_id, e.hash_version)?;
    let weights: Vec<f64> = e.arms.iter().map(|a| a.weight).collect();
    choose_variation(n, &bucket_ranges(e.arms.len(), e.coverage, Some(&weights)))
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
}
