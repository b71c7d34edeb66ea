//! Replays the fuzzers' corpora (fuzz/corpus/<target>/*) through the same entry points, on
//! stable, in every `cargo test`: every input that ever mattered stays a regression test.

use super as fuzzing;
use crate::value::Value;
use std::path::Path;

fn replay(target: &str, f: impl Fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        f(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "no corpus in {}", dir.display());
    n
}

#[test]
fn decode_model_corpus() {
    eprintln!("{} inputs", replay("decode_model", fuzzing::decode_model));
}

#[test]
fn ingest_event_corpus() {
    replay("ingest_event", |d| {
        if let Ok(v) = serde_json::from_slice::<Value>(d) {
            fuzzing::ingest_event(&v);
        }
    });
}

#[test]
fn restore_journal_corpus() {
    replay("restore_journal", fuzzing::restore_journal);
}

#[test]
fn profile_sequence_corpus() {
    replay("profile_sequence", fuzzing::profile_sequence);
}

#[test]
fn decode_large_corpus() {
    replay("decode_large", fuzzing::decode_large);
}
