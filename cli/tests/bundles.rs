//! The committed bundles used by the ranking cases are exactly what `personalizer build`
//! makes of their specs now, and the CLI's commands work end to end.

use checkout_personalizer::model;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

#[test]
fn committed_spec_bundles_are_fresh() {
    for stem in ["ranking", "experiment"] {
        let spec = std::fs::read_to_string(fixtures().join(format!("{stem}.toml"))).unwrap();
        let b = personalizer_cli::spec::build(&spec, &fixtures(), 1_795_000_000_000).unwrap();
        let bytes = personalizer_cli::encode_checked(&b).unwrap();
        let committed = std::fs::read(fixtures().join(format!("{stem}.cpm"))).unwrap();
        assert!(
            bytes == committed,
            "tests/fixtures/{stem}.cpm is stale: SOURCE_DATE_EPOCH=1795000000 cargo run --bin personalizer -- build tests/fixtures/{stem}.toml -o tests/fixtures/{stem}.cpm"
        );
    }
}

#[test]
fn spec_errors_name_the_problem() {
    let e = |toml: &str| {
        personalizer_cli::spec::build(toml, &fixtures(), 0)
            .err()
            .unwrap()
            .to_string()
    };
    assert!(e("id = \"x\"\nversion = \"1\"\nfeatuers = []").contains("unknown field `featuers`"));
    assert!(
        e("id = \"x\"\nversion = \"1\"\n[[heads]]\nname = \"h\"\nkind = \"forest\"")
            .contains("unknown kind \"forest\"")
    );
    let b = personalizer_cli::spec::build(
        "id = \"x\"\nversion = \"1\"\n[payment]\nhead = \"missing\"",
        &fixtures(),
        0,
    )
    .unwrap();
    assert_eq!(
        personalizer_cli::encode_checked(&b)
            .err()
            .unwrap()
            .to_string(),
        "model: payment refers to a missing head \"missing\""
    );
}

#[test]
fn cli_commands_end_to_end() {
    let bin = env!("CARGO_BIN_EXE_personalizer");
    let dir = std::env::temp_dir().join(format!("cpm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("m.cpm");
    let run = |args: &[&str]| {
        let o = Command::new(bin).args(args).output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let fx = |f: &str| fixtures().join(f).to_string_lossy().into_owned();
    let (ok, _, err) = run(&[
        "import",
        "lightgbm",
        &fx("lgb_binary.json"),
        "-o",
        out.to_str().unwrap(),
        "--head",
        "intent",
    ]);
    assert!(ok, "{err}");
    let (ok, stdout, _) = run(&["inspect", out.to_str().unwrap()]);
    assert!(
        ok && stdout.contains("intent") && stdout.contains("60 trees"),
        "{stdout}"
    );
    let (ok, stdout, err) = run(&[
        "predict",
        out.to_str().unwrap(),
        "--head",
        "intent",
        "--csv",
        &fx("shoppers_rows.csv"),
    ]);
    assert!(ok, "{err}");
    let want: Vec<f64> = std::fs::read_to_string(fixtures().join("lgb_binary.pred"))
        .unwrap()
        .lines()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    let got: Vec<f64> = stdout.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(got.len(), 400);
    assert!(got.iter().zip(&want).all(|(g, w)| (g - w).abs() <= 1e-6));
    let (ok, _, err) = run(&[
        "cooccur",
        &fx("baskets_small.csv"),
        "-o",
        out.to_str().unwrap(),
        "--min-support",
        "1",
        "--top-k",
        "3",
    ]);
    assert!(ok, "{err}");
    let m = model::decode(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(m.info().heads[0].items, Some(11));
    // Clear errors, non-zero exit.
    let (ok, _, err) = run(&["inspect", &fx("shoppers_rows.csv")]);
    assert!(
        !ok && err.contains("model: not a checkout-personalizer bundle"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "import",
        "xgboost",
        &fx("lgb_binary.json"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("xgboost: missing \"learner\""), "{err}");
    for cmd in ["import", "cooccur", "build", "inspect", "predict"] {
        let (ok, stdout, _) = run(&[cmd, "--help"]);
        assert!(ok && stdout.contains("Usage"), "{cmd} --help");
    }
    std::fs::remove_dir_all(&dir).ok();
}
