//! Arbitrary bytes through the import parser; see `harness/parse_public_key.rs`.
#![no_main]

#[path = "../harness/common.rs"]
mod common;
#[path = "../harness/parse_public_key.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check(data));
