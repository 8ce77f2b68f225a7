//! The command line's integration tests (feature `cli`), one binary running the built `keypairs`:
//!
//! - `cli_api`: `keypairs import` and `keypairs api`;
//! - `cli_fingerprint`: `keypairs fingerprint` against ssh-keygen's output;
//! - `cli_operator`: `keypairs create` and `fingerprint` on operator files, against `ssh-keygen`;
//! - `cli_output`: read errors, bounded and escaped error output, closed pipes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

#[path = "../support/cli.rs"]
mod cli;
#[path = "../support/data.rs"]
mod data;

mod cli_api;
mod cli_fingerprint;
mod cli_operator;
mod cli_output;
