//! Private key files from arbitrary bytes (byte 0 picks the armour); see `harness/private_key_file.rs`.
#![no_main]

#[path = "../harness/common.rs"]
mod common;
#[path = "../harness/private_key_file.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check(data));
