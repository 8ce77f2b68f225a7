//! Invariants of encoding a generated key with fuzzed comments and format choices. Shared by the
//! fuzz target (`fuzz_targets/encode_generated.rs`) and the corpus replay test
//! (`tests/library/fuzz_corpus.rs`).
//!
//! One 2048-bit key is generated once per process (seeded RNG) and kept, with its PKCS#1 PEM;
//! each input gets it with the fuzzed comment, exactly as if it had just been generated with
//! that comment: in fuzz builds by `GeneratedKey::fuzzing_copy` (no reload), elsewhere (the
//! replay test) by `GeneratedKey::from_pkcs1_pem(pem, comment)`. Input: byte 0 picks the output
//! (bits 0-1: `into_private(Pem)`, `into_private(OpenSsh)`, `into_private_pem`,
//! `into_private_openssh`); the rest is the comment (UTF-8; invalid sequences replaced by
//! U+FFFD).
//!
//! - Refusal is `Error::InvalidComment`, exactly for the comments the documented rule names
//!   (control characters, U+2028/U+2029, whitespace at either end), and every comment that could
//!   not come back from a public line unchanged (the line `ssh-rsa BLOB COMMENT` is refused by
//!   the import parser or reads back another comment) is refused.
//! - Otherwise the public line parses back to the same key and comment, the fingerprints agree,
//!   and the private text decodes back: PKCS#1 PEM reloads to the same public line, OpenSSH text
//!   (read by `ssh-key`) holds the same public key and the same comment.

use std::sync::OnceLock;

use super::fixed_key::FixedRsaKey;
use keypairs::{Error, Policy, PrivateKeyFormat};

/// The fixed key and its public blob (base64), made once.
fn fixed() -> &'static (FixedRsaKey, String) {
    static KEY: OnceLock<(FixedRsaKey, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = FixedRsaKey::new(0x6b65_7970_6169_7273);
        let b64 = key
            .public_line()
            .split(' ')
            .nth(1)
            .expect("ssh-rsa BLOB")
            .to_owned();
        (key, b64)
    })
}

/// `generate_rsa`'s documented comment rule: what it must refuse.
fn breaks_rule(comment: &str) -> bool {
    comment
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
        || comment.starts_with(char::is_whitespace)
        || comment.ends_with(char::is_whitespace)
}

/// Runs every invariant on one input.
///
/// # Panics
/// On a breach, with a message naming the invariant: that is how the fuzzer and the replay test
/// see it.
pub(crate) fn check(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let comment = String::from_utf8_lossy(rest);
    let (fixed_key, b64) = fixed();
    let pem = &fixed_key.pem;
    let candidate = if comment.is_empty() {
        format!("ssh-rsa {b64}")
    } else {
        format!("ssh-rsa {b64} {comment}")
    };
    let representable = keypairs::parse_public_key_with(candidate.as_bytes(), &Policy::inspect())
        .is_ok_and(|k| k.comment() == comment);

    let key = match fixed_key.with_comment(&comment) {
        Ok(key) => key,
        Err(e) => {
            assert_eq!(e, Error::InvalidComment, "refused with another error");
            assert!(
                breaks_rule(&comment),
                "a comment within the rule was refused"
            );
            return;
        }
    };
    assert!(
        !breaks_rule(&comment),
        "a comment against the rule was accepted"
    );
    assert!(
        representable,
        "a comment that cannot round-trip was accepted"
    );

    let line = key.public_line();
    assert_eq!(line, candidate, "the public line");
    let parsed = keypairs::parse_public_key_with(line.as_bytes(), &Policy::inspect())
        .expect("the public line parses");
    assert_eq!(parsed.comment(), comment, "comment after the round trip");
    assert_eq!(
        parsed.md5_fingerprint(),
        key.md5_fingerprint(),
        "MD5 fingerprint"
    );
    assert_eq!(
        parsed.sha256_fingerprint(),
        key.sha256_fingerprint(),
        "SHA-256 fingerprint"
    );
    assert_eq!(&parsed, key.public_key(), "the public key");
    assert_eq!(key.bits(), 2048, "bits");

    let (public, text, format) = match choice & 3 {
        0 => {
            let (p, t) = key.into_private(PrivateKeyFormat::Pem).expect("PEM");
            (p, t, PrivateKeyFormat::Pem)
        }
        1 => {
            let (p, t) = key
                .into_private(PrivateKeyFormat::OpenSsh)
                .expect("OpenSSH");
            (p, t, PrivateKeyFormat::OpenSsh)
        }
        2 => (
            parsed.clone(),
            key.into_private_pem().expect("PEM"),
            PrivateKeyFormat::Pem,
        ),
        _ => (
            parsed.clone(),
            key.into_private_openssh().expect("OpenSSH"),
            PrivateKeyFormat::OpenSsh,
        ),
    };
    assert_eq!(public, parsed, "into_private's public key");
    match format {
        PrivateKeyFormat::Pem => {
            assert!(
                text.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"),
                "PEM header"
            );
            // The fixed PEM reloads to the key's public line (checked once, in `FixedRsaKey::new`).
            assert_eq!(&text, pem, "the PEM is the key's");
        }
        PrivateKeyFormat::OpenSsh => {
            assert!(
                text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"),
                "OpenSSH header"
            );
            let private = ssh_key::PrivateKey::from_openssh(text.as_bytes())
                .expect("ssh-key reads the OpenSSH private key");
            assert_eq!(private.comment(), comment, "comment inside the OpenSSH key");
            let blob = private.public_key().to_bytes().expect("public blob");
            assert_eq!(blob, parsed.blob(), "the OpenSSH key's public key");
        }
        _ => {}
    }
}
