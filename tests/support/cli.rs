//! Running the built `keypairs` binary, for the CLI tests (tests/cli_*.rs include this file as
//! `mod cli`).
#![allow(dead_code, reason = "each CLI test binary uses a part of it")]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// The binary cargo built for this test run.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_keypairs");

/// Runs `keypairs ARGS` with `stdin` as its standard input and returns what it did. The
/// environment's `OS_USER_ID` is removed so that the caller's shell cannot change an answer.
pub(crate) fn keypairs(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("OS_USER_ID")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keypairs");
    {
        let mut pipe = child.stdin.take().unwrap();
        // The command may exit before reading everything (a refused body); that is fine.
        let _ = pipe.write_all(stdin);
    }
    child.wait_with_output().unwrap()
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
