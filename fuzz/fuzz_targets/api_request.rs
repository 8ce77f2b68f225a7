//! Arbitrary bytes as a request body through the API entry point; see `harness/api_request.rs`.
#![no_main]

#[path = "../harness/fixed_key.rs"]
mod fixed_key;
#[path = "../harness/api_request.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check(data));
