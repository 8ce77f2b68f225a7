//! The os-keypairs API's integration tests (`keypairs::api`, feature `api`), one binary:
//!
//! - `api`: bodies, name rules, schema errors, faults, create vs import per microversion;
//! - `api_redaction`: a pasted private key is never echoed by a schema error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

#[path = "../support/data.rs"]
mod data;

mod api;
mod api_redaction;
