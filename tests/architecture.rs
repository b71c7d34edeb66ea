//! The invariants of ARCHITECTURE.md that the compiler does not check, checked on the
//! source text: where the browser is touched, who reaches the store, who builds keys and
//! errors, who vouches for a bundle, how big a file grows, and that `src/` files import
//! each other without cycles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, relative to the crate root, with its text.
fn sources(dir: &str) -> Vec<(String, String)> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join(dir), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The text before the file's `#[cfg(test)]` module, without comments: what ships.
fn shipped(text: &str) -> String {
    let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap();
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_test_file(path: &str) -> bool {
    path.ends_with("/tests.rs") || path.starts_with("src/fuzzing/")
}

/// Files (outside tests) whose shipped code contains any of `needles`.
fn files_using(needles: &[&str]) -> BTreeSet<String> {
    sources("src")
        .into_iter()
        .filter(|(p, _)| !is_test_file(p))
        .filter(|(_, t)| {
            let code = shipped(t);
            needles.iter().any(|n| code.contains(n))
        })
        .map(|(p, _)| p)
        .collect()
}

fn set(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

#[test]
fn only_src_web_touches_the_browser() {
    let outside: BTreeSet<String> = files_using(&["web_sys", "js_sys", "wasm_bindgen", "gloo"])
        .into_iter()
        .filter(|p| !p.starts_with("src/web/"))
        .collect();
    // lib.rs only declares the module, behind cfg(target_arch = "wasm32").
    assert_eq!(outside, set(&[]), "browser crates outside src/web/");
}

#[test]
fn only_the_storage_gate_reaches_the_store() {
    // The tracker hands its store to the gate and keeps none; no other file calls a
    // store's methods (the page's `localStorage` store is the web layer's `Store` impl).
    assert_eq!(
        files_using(&[" Storage::new("]),
        set(&["src/tracker/mod.rs"])
    );
    let callers: BTreeSet<String> = files_using(&[
        "store.set(",
        "store.remove(",
        "store.get(",
        "store.keys(",
        "store.get_head(",
        "store.get_base64(",
    ])
    .into_iter()
    .filter(|p| !p.starts_with("src/storage/"))
    .collect();
    assert_eq!(callers, set(&[]), "store calls outside src/storage/");
}

#[test]
fn only_storage_keys_builds_a_key() {
    // Every key is `<namespace>:<name>`; only keys.rs puts the colon after a namespace.
    let builders: BTreeSet<String> = files_using(&["format!(\"{}:", "format!(\"{ns}:"])
        .into_iter()
        .collect();
    assert_eq!(builders, set(&["src/storage/keys.rs"]));
}

#[test]
fn only_the_signature_check_vouches_for_a_bundle() {
    assert_eq!(
        files_using(&["VerifiedBundle::attest("]),
        set(&["src/web/delivery.rs"])
    );
}

#[test]
fn only_error_rs_makes_js_errors() {
    assert_eq!(
        files_using(&["JsError::new(", "js_sys::Error::new(", "Error::new(&"]),
        set(&["src/web/error.rs"])
    );
}

#[test]
fn no_file_outgrows_one_sitting() {
    let big: Vec<(String, usize)> = sources("src")
        .into_iter()
        .chain(sources("cli/src"))
        .filter(|(p, _)| !is_test_file(p))
        .map(|(p, t)| {
            let n = t
                .split("#[cfg(test)]\nmod tests {")
                .next()
                .unwrap()
                .lines()
                .count();
            (p, n)
        })
        .filter(|(_, n)| *n > 620)
        .collect();
    assert!(big.is_empty(), "files over 620 lines of code: {big:?}");
}

/// The module path of a file (`src/rank/mod.rs` → `rank`, `src/rank/score.rs` →
/// `rank::score`, `src/lib.rs` → ``).
fn module_of(path: &str) -> String {
    let p = path.trim_start_matches("src/").trim_end_matches(".rs");
    let p = p.trim_end_matches("/mod").trim_end_matches("lib");
    p.trim_end_matches('/').replace('/', "::")
}

/// The files a file names through `crate::…` or `super::…` paths (longest module prefix
/// that is a file), parents and children left out: what an import cycle is made of.
fn imports(path: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let me = module_of(path);
    let parent = |m: &str| {
        m.rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_owned())
    };
    let mut out = BTreeSet::new();
    let text = shipped(text);
    let bytes = text.as_bytes();
    for (start, prefix) in [("crate::", ""), ("super::", "super")] {
        for (i, _) in text.match_indices(start) {
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || b"_:".contains(&bytes[i - 1])) {
                continue;
            }
            let rest: String = text[i + start.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let base = if prefix == "super" {
                parent(&me)
            } else {
                String::new()
            };
            let mut target = base.clone();
            let mut best = None;
            for seg in rest.split("::").filter(|s| !s.is_empty()) {
                target = if target.is_empty() {
                    seg.to_owned()
                } else {
                    format!("{target}::{seg}")
                };
                if modules.contains(&target) {
                    best = Some(target.clone());
                }
            }
            let Some(t) = best.or_else(|| modules.contains(&base).then_some(base)) else {
                continue;
            };
            let related = t == me
                || t.starts_with(&format!("{me}::"))
                || me.starts_with(&format!("{t}::"))
                || t.is_empty();
            if !related {
                out.insert(t);
            }
        }
    }
    out
}

#[test]
fn src_files_import_each_other_without_cycles() {
    let files: Vec<(String, String)> = sources("src")
        .into_iter()
        .filter(|(p, _)| !is_test_file(p))
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|(p, _)| module_of(p)).collect();
    let graph: BTreeMap<String, BTreeSet<String>> = files
        .iter()
        .map(|(p, t)| (module_of(p), imports(p, t, &modules)))
        .collect();
    // The check sees real edges (a broken parser would find no cycle because no edge).
    assert!(
        graph["tracker"].contains("journal"),
        "{:?}",
        graph["tracker"]
    );
    assert!(
        graph["rank::cross_sell"].contains("model"),
        "{:?}",
        graph["rank::cross_sell"]
    );
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| s == n).unwrap();
                return Some(stack[at..].to_vec());
            }
            _ => {}
        }
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        let cycle = visit(n, &graph, &mut state, &mut Vec::new());
        assert!(cycle.is_none(), "import cycle: {:?}", cycle.unwrap());
    }
}

#[test]
fn no_ignored_file_is_tracked() {
    // Generated and vendored files (node_modules, pkg, target) stay out of the repository.
    let out = std::process::Command::new("git")
        .args(["ls-files", "-ci", "--exclude-standard"])
        .current_dir(root())
        .output()
        .expect("git runs (the tests run in a checkout)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tracked = String::from_utf8_lossy(&out.stdout);
    assert!(tracked.trim().is_empty(), "ignored but tracked:\n{tracked}");
}

#[test]
fn every_invariant_names_tests_that_exist() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let invariants = text
        .split("## Invariants")
        .nth(1)
        .expect("an Invariants section");
    let code: String = ["src", "tests", "cli"]
        .iter()
        .flat_map(|d| sources(d))
        .map(|(_, t)| t)
        .collect();
    let mut named = 0;
    for bullet in invariants.split("\n- ").skip(1) {
        let mut tests = 0;
        for quoted in bullet.split('`').skip(1).step_by(2) {
            let name = quoted.rsplit("::").next().unwrap();
            // Test functions are snake case with at least two words.
            if name.contains('_') && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                assert!(
                    code.contains(&format!("fn {name}(")),
                    "ARCHITECTURE.md names `{quoted}`, which is no test"
                );
                tests += 1;
            }
        }
        let cites_a_suite = bullet.contains("e2e") || bullet.contains("tests/");
        assert!(
            tests > 0 || cites_a_suite,
            "an invariant without a test: {bullet}"
        );
        named += tests;
    }
    assert!(named >= 20, "{named}");
}
