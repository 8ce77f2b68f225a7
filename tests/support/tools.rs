//! External tools a test talks to (sshd, ssh, ssh-keygen): which are missing, and whether a
//! missing one makes the test ignored (a developer machine) or failed (CI).
#![allow(dead_code, reason = "each test binary uses a part of it")]

use std::process::{Command, Stdio};

/// `CI` is set (and not `0`/`false`): tests that need external tools must run, not be ignored.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The tools of `tools` that cannot be started here (`TOOL -V` fails to spawn).
pub(crate) fn missing_tools(tools: &[&str]) -> Vec<String> {
    tools
        .iter()
        .filter(|tool| {
            Command::new(tool)
                .arg("-V")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .map(|tool| (*tool).to_owned())
        .collect()
}
