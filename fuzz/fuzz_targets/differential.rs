//! parse_public_key against ssh-key's PublicKey::from_openssh; see `harness/differential.rs`.
#![no_main]

#[path = "../harness/differential.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::check(data));
