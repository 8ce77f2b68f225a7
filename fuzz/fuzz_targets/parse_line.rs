//! Operator lines (authorized_keys, known_hosts, ssh-keygen -l) from arbitrary bytes; see `harness/parse_line.rs`.
#![no_main]

#[path = "../harness/common.rs"]
mod common;
#[path = "../harness/parse_line.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check(data));
