#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<checkout_personalizer::Value>(data) {
        checkout_personalizer::fuzzing::ingest_event(&v);
    }
});
