//! The os-keypairs API's integration tests (`keypairs::api`, feature `api`), one binary:
//!
//! - `api`: bodies, name rules, schema errors, faults, create vs import per microversion;
//! - `api_redaction`: a pasted private key is never echoed by a schema error.

#[allow(
    clippy::panic,
    reason = "shared test support: panics name the missing file"
)]
#[path = "../support/data.rs"]
mod data;

mod api;
mod api_redaction;
