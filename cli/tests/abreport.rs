//! `ab-report` on the seeded synthetic exports (tests/fixtures/ab/, from
//! scripts/make_ab_export.py) against the statsmodels/scipy figures that
//! eval/abreport_check.py wrote to reference.json: the clean export, the same with every
//! tenth batch resent, and experiments whose treatment or control arm never converts.

use flate2::read::GzDecoder;
use personalizer_cli::abreport::{report, to_text, Options, Report};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/ab")
        .join(name);
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Every tenth batch (in order of first appearance, k % 10 == 3) sent again at the end:
/// the rule of scripts/make_ab_export.py's `resent`.
fn resent(text: &str) -> String {
    let mut order: Vec<String> = Vec::new();
    let mut by_batch: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let b = v["batch"].as_str().unwrap().to_owned();
        if !by_batch.contains_key(&b) {
            order.push(b.clone());
        }
        by_batch.entry(b).or_default().push(line);
    }
    let mut out = text.to_owned();
    for (k, b) in order.iter().enumerate() {
        if k % 10 == 3 {
            for line in &by_batch[b] {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn reference() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ab/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn same_as_reference(name: &str, r: &Report, reference: &Value) {
    let want = &reference[name];
    assert_eq!(
        r.experiments.len(),
        want.as_object().unwrap().len(),
        "{name}"
    );
    for e in &r.experiments {
        let w = &want[&e.experiment];
        let sr = e.sample_ratio.as_ref().unwrap();
        assert!(close(sr.chi2, w["chi2"].as_f64().unwrap()), "{name}: chi2");
        assert!(
            close(sr.p_value, w["srm_p"].as_f64().unwrap()),
            "{name}: srm p"
        );
        for (a, w) in e.arms.iter().zip(w["arms"].as_array().unwrap()) {
            let what = format!("{name}/{}", a.arm);
            assert_eq!(a.exposed, w["exposed"].as_u64().unwrap(), "{what}");
            assert_eq!(a.conversions, w["conversions"].as_u64().unwrap(), "{what}");
            assert_eq!(a.orders, w["orders"].as_u64().unwrap(), "{what}");
            assert!(
                close(a.revenue, w["revenue"].as_f64().unwrap()),
                "{what}: revenue"
            );
            let opt = |k: &str, got: Option<f64>| match (got, w.get(k).map(Value::as_f64)) {
                (_, None) => {}
                (Some(g), Some(Some(x))) => assert!(close(g, x), "{what}: {k} {g} vs {x}"),
                (None, Some(None)) => {}
                (g, Some(x)) => panic!("{what}: {k} {g:?} vs {x:?}"),
            };
            opt("average_order_value", a.average_order_value);
            opt("p_value", a.p_value);
            opt("lift", a.lift);
            opt("revenue_per_shopper_p", a.revenue_per_shopper_p);
            opt("average_order_value_p", a.average_order_value_p);
            match (a.lift_ci95, w.get("lift_ci95")) {
                (Some((lo, hi)), Some(Value::Array(ci))) => {
                    assert!(close(lo, ci[0].as_f64().unwrap()), "{what}: ci low");
                    assert!(close(hi, ci[1].as_f64().unwrap()), "{what}: ci high");
                }
                (None, Some(Value::Null)) | (None, None) => {}
                (got, want) => panic!("{what}: ci {got:?} vs {want:?}"),
            }
        }
    }
}

#[test]
fn the_clean_export_matches_statsmodels_and_scipy() {
    let r = report(&fixture("export.jsonl.gz"), &Options::default()).unwrap();
    same_as_reference("export", &r, &reference());
    let e = &r.experiments[0];
    assert_eq!(r.duplicates_dropped, 0);
    assert!(
        e.multiple_exposures > 0,
        "the export has shoppers in both arms"
    );
    assert!(!e.sample_ratio.as_ref().unwrap().mismatch);
}

#[test]
fn resent_batches_count_once() {
    let clean = report(&fixture("export.jsonl.gz"), &Options::default()).unwrap();
    let text = resent(&fixture("export.jsonl.gz"));
    let r = report(&text, &Options::default()).unwrap();
    assert!(r.duplicates_dropped > 1000, "{}", r.duplicates_dropped);
    assert_eq!(r.experiments, clean.experiments);
    same_as_reference("resent", &r, &reference());
}

#[test]
fn an_arm_without_conversions_gets_no_ratio_and_says_so() {
    let reference = reference();
    for name in ["zero_treatment", "zero_control"] {
        let r = report(&fixture(&format!("{name}.jsonl.gz")), &Options::default()).unwrap();
        same_as_reference(name, &r, &reference);
        let t = &r.experiments[0].arms[1];
        assert_eq!((t.lift, t.lift_ci95), (None, None), "{name}");
        let text = to_text(&r);
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with("treatment"))
            .unwrap();
        assert!(
            row.contains("n/a") && !row.contains("control"),
            "{name}: {row}"
        );
    }
}

#[test]
fn excluding_shoppers_in_both_arms_and_checking_the_split() {
    let text = fixture("export.jsonl.gz");
    let all = report(&text, &Options::default()).unwrap();
    let options = Options {
        exclude_multiple: true,
        ..Options::default()
    };
    let some = report(&text, &options).unwrap();
    let (a, b) = (&all.experiments[0], &some.experiments[0]);
    let exposed = |e: &personalizer_cli::abreport::ExperimentReport| {
        e.arms.iter().map(|a| a.exposed).sum::<u64>()
    };
    assert_eq!(exposed(a) - exposed(b), a.multiple_exposures);
    // Against a configured 90/10 split, a 50/50 export is a sample ratio mismatch.
    let options = Options {
        weights: [("checkout-order".to_owned(), vec![0.9, 0.1])].into(),
        ..Options::default()
    };
    let r = report(&text, &options).unwrap();
    let e = &r.experiments[0];
    assert!(e.sample_ratio.as_ref().unwrap().mismatch);
    assert!(
        e.verdict.starts_with("sample ratio mismatch"),
        "{}",
        e.verdict
    );
}
