//! What every harness asserts of a refusal, shared by the harnesses of parse_public_key,
//! parse_line and private_key_file (each fuzz target and tests/library/fuzz_corpus.rs include
//! this file as `common`, beside the harness).

use keypairs::Error;

/// The error's kind is a snake_case name and its message is short and not empty.
pub(crate) fn check_error(e: &Error) {
    let kind = e.kind();
    assert!(
        !kind.is_empty()
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "error kind is not snake_case"
    );
    let msg = e.to_string();
    assert!(!msg.is_empty(), "empty error message");
    assert!(msg.len() <= 200, "error message of {} bytes", msg.len());
}
