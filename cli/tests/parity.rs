//! Parity with the real libraries: models trained by scripts/make_fixtures.py with XGBoost
//! 3.2, LightGBM 4.7 and scikit-learn 1.9 on the UCI online-shoppers data (NaNs injected,
//! categorical features), imported here, encoded, decoded and scored: every probability
//! within 1e-6 of the library's own. Also checks that the committed .cpm files (used by the
//! wasm tests) are exactly what the importers produce now.

use checkout_personalizer::model::{self, Bundle, Head, HeadKind, Model};
use personalizer_cli::{lightgbm, read_feature_rows, read_json, sklearn, xgboost};
use std::path::{Path, PathBuf};

/// Fixed creation time of the committed fixture bundles.
const CREATED_MS: i64 = 1_795_000_000_000;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn rows() -> Vec<Vec<f64>> {
    read_feature_rows(&std::fs::read_to_string(fixture("shoppers_rows.csv")).unwrap()).unwrap()
}

fn reference(name: &str) -> Vec<Vec<f64>> {
    read_feature_rows(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn bundle(kind: HeadKind) -> Bundle {
    Bundle {
        id: "fixture".into(),
        version: "1".into(),
        created_ms: CREATED_MS,
        heads: vec![Head {
            name: "model".into(),
            kind,
        }],
        ..Bundle::default()
    }
}

/// Imports, round-trips through bytes, and checks the committed .cpm matches.
fn load(stem: &str) -> Model {
    let json = read_json(&fixture(&format!("{stem}.json"))).unwrap();
    let kind = match &stem[..3] {
        "xgb" => HeadKind::Trees(xgboost::import(&json).unwrap().trees),
        "lgb" => HeadKind::Trees(lightgbm::import(&json).unwrap().trees),
        _ => HeadKind::Linear(sklearn::import(&json).unwrap().linear),
    };
    let bytes = model::format::encode(&bundle(kind));
    let committed = std::fs::read(fixture(&format!("{stem}.cpm"))).unwrap_or_default();
    assert!(
        committed == bytes,
        "tests/fixtures/{stem}.cpm is stale: regenerate it (see tests/fixtures/README.md)"
    );
    model::decode(&bytes).unwrap()
}

fn check(stem: &str, transform: impl Fn(&[f64]) -> Vec<f64>, margin_tol: f64) {
    let m = load(stem);
    let want = reference(&format!("{stem}.pred"));
    let rows = rows();
    assert_eq!(rows.len(), want.len());
    assert_eq!(rows.len(), 400);
    let (mut max_p, mut max_m) = (0.0f64, 0.0f64);
    for (row, want) in rows.iter().zip(&want) {
        let x = transform(row);
        let p = m.predict("model", &x).unwrap();
        let raw = m.predict_raw("model", &x).unwrap();
        let k = p.len();
        assert_eq!(want.len(), 2 * k);
        for j in 0..k {
            max_p = max_p.max((p[j] - want[j]).abs());
            max_m = max_m.max((raw[j] - want[k + j]).abs());
        }
    }
    eprintln!("{stem}: max |Δp| = {max_p:e}, max |Δmargin| = {max_m:e}");
    assert!(max_p <= 1e-6, "{stem}: max |Δp| = {max_p}");
    assert!(max_m <= margin_tol, "{stem}: max |Δmargin| = {max_m}");
}

// XGBoost sums leaves in float32: margins agree to ~1e-6, probabilities far closer.
#[test]
fn xgboost_binary_with_categoricals_and_nan() {
    check("xgb_binary", <[f64]>::to_vec, 1e-5);
}

#[test]
fn xgboost_multiclass() {
    check("xgb_multi", <[f64]>::to_vec, 1e-5);
}

#[test]
fn lightgbm_binary_with_categoricals_and_nan() {
    check("lgb_binary", <[f64]>::to_vec, 1e-9);
}

#[test]
fn lightgbm_multiclass() {
    check("lgb_multi", <[f64]>::to_vec, 1e-9);
}

#[test]
fn sklearn_logistic_regression() {
    let json = read_json(&fixture("sk_logistic.json")).unwrap();
    let nums = |k: &str| -> Vec<f64> {
        json[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let (mean, scale) = (nums("mean"), nums("scale"));
    // Standardise; a missing value stays missing and contributes 0 (= mean imputation).
    check(
        "sk_logistic",
        |row| {
            row.iter()
                .zip(mean.iter().zip(&scale))
                .map(|(x, (m, s))| (x - m) / s)
                .collect()
        },
        1e-9,
    );
}

/// Our path contributions for the first rows of `stem` against XGBoost's `approx_contribs`.
fn check_contributions(stem: &str, contribs: &str) {
    let m = load(stem);
    let want = reference(contribs);
    let head = m.head("model").unwrap();
    let mut contrib = Vec::new();
    let mut max = 0.0f64;
    for (row, want) in rows().iter().zip(&want) {
        let bias = head.contributions(row, &mut contrib);
        assert_eq!(want.len(), contrib.len() + 1);
        for (c, w) in contrib.iter().zip(want) {
            max = max.max((c - w).abs());
        }
        max = max.max((bias - want[contrib.len()]).abs());
    }
    eprintln!("{stem} contributions: max |Δ| = {max:e}");
    assert!(max <= 1e-4, "max |Δ| = {max}");
}

#[test]
fn xgboost_path_contributions_match_approx_contribs() {
    check_contributions("xgb_binary", "xgb_contribs.csv");
}

/// Numeric splits at depth 6: the complete-tree layout (src/model/perfect.rs) scores it,
/// and must agree with XGBoost as the general walk does.
#[test]
fn xgboost_numeric_depth_6_takes_the_complete_tree_path() {
    let m = load("xgb_numeric");
    let HeadKind::Trees(t) = &m.head("model").unwrap().kind else {
        panic!("a tree head");
    };
    assert!(t.compiled.perfect.is_some(), "every tree qualifies");
    check("xgb_numeric", <[f64]>::to_vec, 1e-5);
    check_contributions("xgb_numeric", "xgb_numeric_contribs.csv");
}
