#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| checkout_personalizer::fuzzing::decode_large(data));
