//! The library's integration tests, one binary (cargo's own `tests/testsuite/main.rs` layout):
//! one module per area, the shared helpers of `tests/support/` declared once here.
//!
//! - `parse`: the import parser against the committed test data and the import policy;
//! - `certificates`: certificates signed by every CA key type, against `ssh-keygen -L`;
//! - `generate`: RSA generation, against ssh-keygen, openssl and Python `cryptography`;
//! - `operator_keys`: Ed25519/ECDSA generation and passphrase-protected keys;
//! - `constant_time`: no variable-time call on secrets in the generation code;
//! - `file_forms`: authorized_keys, known_hosts and private key files, against `ssh-keygen`;
//! - `fuzz_corpus`: the committed fuzz seeds and regressions through the fuzz harnesses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

#[path = "../support/data.rs"]
mod data;
#[path = "../support/keyfile.rs"]
mod keyfile;
#[path = "../support/tools.rs"]
mod tools;

mod certificates;
mod constant_time;
mod file_forms;
mod fuzz_corpus;
mod generate;
mod operator_keys;
mod parse;
