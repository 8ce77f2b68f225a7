//! Nova's own refusals ([`Policy::nova`](crate::Policy::nova)), checked after the key passed
//! OpenSSH's rules, so that the API accepts a key only when Nova would too.
//!
//! Nova validates a key with pyca/cryptography's `load_ssh_public_key` (the input must match
//! `\A(\S+)[ \t]+(\S+)`; `sk-*` application strings must start with `ssh:`; no `sk-*`
//! certificates; a fixed set of key types) and hashes `base64.b64decode(public_key.split(' ')[1])`
//! (the key must follow the first SPACE).

use crate::error::{Error, Result};
use crate::key::KeyType;
use crate::wire::Reader;

/// Checks the rules Nova adds to OpenSSH's. `text` is the whole input, `start` the offset of
/// the key type (after trimming), `b64_offset` the offset of the base64 token, `fields` the
/// plain key's fields inside `blob`.
pub(super) fn check(
    text: &str,
    start: usize,
    b64_offset: usize,
    key_type: KeyType,
    is_cert: bool,
    blob: &[u8],
    fields: &core::ops::Range<usize>,
) -> Result<()> {
    if start > 0 {
        return Err(Error::NovaLeadingWhitespace);
    }
    // The blanks between the type token and the base64 token.
    let separator = text
        .as_bytes()
        .get(..b64_offset)
        .unwrap_or_default()
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    let run = text
        .as_bytes()
        .get(separator..b64_offset)
        .unwrap_or_default();
    if !run.contains(&b' ') {
        return Err(Error::NovaTabSeparator { offset: separator });
    }
    // Nova hashes `base64.b64decode(public_key.split(' ')[1])`: that must decode.
    let token = text.split(' ').nth(1).unwrap_or_default();
    if !python_b64decode_ok(token.as_bytes()) {
        return Err(Error::NovaBase64Token);
    }
    match key_type {
        KeyType::SkEd25519 | KeyType::SkEcdsaP256 if is_cert => Err(Error::NovaKeyType),
        KeyType::MlDsa44Ed25519 => Err(Error::NovaKeyType),
        KeyType::SkEd25519 | KeyType::SkEcdsaP256 => {
            let mut r = Reader::new(blob.get(fields.clone()).unwrap_or_default());
            // sk-ssh-ed25519: string pk, string application; sk-ecdsa: string curve, string
            // point, string application.
            if key_type == KeyType::SkEcdsaP256 {
                r.read_string("curve")?;
            }
            r.read_string("public key")?;
            let application = r.read_string("application")?;
            if application.starts_with(b"ssh:") {
                Ok(())
            } else {
                Err(Error::NovaSkApplication)
            }
        }
        _ => Ok(()),
    }
}

/// Whether Python's `base64.b64decode(token)` (not validating) succeeds: the token must be
/// ASCII (`str.encode('ascii')`), characters outside the alphabet are skipped, decoding stops
/// at the padding that completes a quantum, and the data characters must not end one past a
/// multiple of four nor two or three past one without that padding (CPython's `a2b_base64`).
fn python_b64decode_ok(token: &[u8]) -> bool {
    if !token.is_ascii() {
        return false;
    }
    let mut quad_pos = 0u8;
    let mut pads = 0u8;
    for &c in token {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return true;
                }
            }
            continue;
        }
        if !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/') {
            continue;
        }
        pads = 0;
        quad_pos = (quad_pos + 1) % 4;
    }
    quad_pos == 0
}

#[cfg(test)]
mod tests {
    use super::python_b64decode_ok as ok;

    #[test]
    fn python_b64decode() {
        assert!(ok(b""));
        assert!(ok(b"AAAA"));
        assert!(ok(b"AA=="));
        assert!(ok(b"AAA="));
        assert!(ok(b"AA==junk after the padding"));
        assert!(ok(b"A*A*A*A"));
        assert!(ok(b"AA=A="));
        assert!(!ok(b"A"));
        assert!(!ok(b"AA"));
        assert!(!ok(b"AAA"));
        assert!(!ok(b"AA="));
        assert!(!ok(b"AAAA\xc3\xa9"));
        assert!(!ok("AAAA\u{e9}".as_bytes()));
    }
}
