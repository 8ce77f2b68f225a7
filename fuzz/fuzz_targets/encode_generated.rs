//! Fuzzed comments and format choices over one key generated once; see
//! `harness/encode_generated.rs`.
#![no_main]

#[path = "../harness/fixed_key.rs"]
mod fixed_key;
#[path = "../harness/encode_generated.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check(data));
