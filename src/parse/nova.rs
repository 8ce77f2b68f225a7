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
