//! Invariants of the private-key-file reader (`keypairs::read_private_key_file`) on arbitrary
//! bytes. Shared by `fuzz_targets/private_key_file.rs` and `tests/library/fuzz_corpus.rs`.
//!
//! Byte 0 picks how the rest is given to the reader, so that the fuzzer mutates the binary
//! inside the PEM armour rather than its base64: 0 = the rest as it is; 1 = the rest as the
//! binary of an OpenSSH key (`openssh-key-v1\0...`, also encrypted) under
//! `-----BEGIN OPENSSH PRIVATE KEY-----`; 2, 3, 4 = the rest as DER under `RSA PRIVATE KEY`
//! (PKCS#1), `EC PRIVATE KEY` (SEC1), `PRIVATE KEY` (PKCS#8); anything else as 0.
//!
//! - `is_private_key_file` is true exactly when the reader does not answer
//!   `not_private_key_file` (inputs within 16 KiB), and it is true for every armoured input.
//! - Accepted: the kind is the label's; the public key's canonical line parses again to the
//!   same key; an encrypted key is OpenSSH, has a cipher name and 1 to `MAX_KDF_ROUNDS` rounds
//!   (or no KDF), and no comment (the comment is encrypted).
//! - An OpenSSH binary with bcrypt rounds over `MAX_KDF_ROUNDS` (or 0) is never accepted: it is
//!   refused with `kdf_rounds` carrying that count (or as invalid where it is broken elsewhere).
//! - Errors: a non-empty snake_case kind and a short message that never holds the input's
//!   text (no token of 12 bytes or more: no private material echoed).
#![allow(clippy::panic, reason = "a fuzz harness reports a breach by panicking")]

use super::common::check_error;
use base64::Engine as _;
use keypairs::{Error, MAX_KDF_ROUNDS, Policy, PrivateKeyFileKind, is_private_key_file};

/// The input as the reader sees it.
pub(crate) fn input(data: &[u8]) -> Vec<u8> {
    let Some((&mode, rest)) = data.split_first() else {
        return Vec::new();
    };
    let label = match mode {
        1 => "OPENSSH PRIVATE KEY",
        2 => "RSA PRIVATE KEY",
        3 => "EC PRIVATE KEY",
        4 => "PRIVATE KEY",
        _ => return rest.to_vec(),
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(rest);
    let mut out = format!("-----BEGIN {label}-----\n");
    let width = if mode == 1 { 70 } else { 64 };
    for chunk in b64.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

/// The bcrypt rounds an `openssh-key-v1` binary asks for, read independently of the crate.
fn bcrypt_rounds(blob: &[u8]) -> Option<u32> {
    fn string<'a>(b: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = usize::try_from(u32::from_be_bytes(b.get(..4)?.try_into().ok()?)).ok()?;
        let s = b.get(4..4 + len)?;
        *b = &b[4 + len..];
        Some(s)
    }
    let mut b = blob.strip_prefix(b"openssh-key-v1\0")?;
    let cipher = string(&mut b)?;
    let kdf = string(&mut b)?;
    let mut options = string(&mut b)?;
    if cipher == b"none" || kdf != b"bcrypt" {
        return None;
    }
    string(&mut options)?;
    Some(u32::from_be_bytes(options.get(..4)?.try_into().ok()?))
}

/// Runs every invariant on one input.
///
/// # Panics
/// On a breach, with a message naming the invariant.
pub(crate) fn check(data: &[u8]) {
    let text = input(data);
    let policy = Policy::inspect();
    let result = keypairs::read_private_key_file(&text, &policy);
    let armoured = matches!(data.first(), Some(1..=4));
    if armoured {
        assert!(
            is_private_key_file(&text),
            "an armoured input is a private key file"
        );
    }
    if text.len() <= keypairs::INSPECT_MAX_LEN {
        assert_eq!(
            is_private_key_file(&text),
            !matches!(result, Err(Error::NotPrivateKeyFile)),
            "is_private_key_file and the reader disagree"
        );
    }
    match &result {
        Ok(file) => {
            let key = file.public_key();
            let line = key.to_openssh();
            let again = keypairs::parse_public_key_with(line.as_bytes(), &policy)
                .expect("the public half's canonical line parses");
            assert_eq!(&again, key, "public half round trip");
            let label = std::str::from_utf8(&text)
                .ok()
                .and_then(|t| t.trim_start().strip_prefix("-----BEGIN "))
                .and_then(|t| t.split("-----").next())
                .expect("an accepted file has a label");
            let kind = match label {
                "OPENSSH PRIVATE KEY" => PrivateKeyFileKind::OpenSsh,
                "RSA PRIVATE KEY" => PrivateKeyFileKind::Pkcs1,
                "EC PRIVATE KEY" => PrivateKeyFileKind::Sec1,
                "PRIVATE KEY" => PrivateKeyFileKind::Pkcs8,
                other => panic!("accepted a file labelled {other:?}"),
            };
            assert_eq!(file.kind(), kind, "kind is not the label's");
            if let Some(enc) = file.encryption() {
                assert_eq!(
                    kind,
                    PrivateKeyFileKind::OpenSsh,
                    "encrypted non-OpenSSH file"
                );
                assert!(
                    !enc.cipher().is_empty() && enc.cipher() != "none",
                    "cipher name"
                );
                if let Some(r) = enc.kdf_rounds() {
                    assert!((1..=MAX_KDF_ROUNDS).contains(&r), "rounds {r} accepted");
                }
                assert!(key.comment().is_empty(), "an encrypted key shows a comment");
            }
        }
        Err(e) => {
            check_error(e);
            let msg = e.to_string();
            for token in String::from_utf8_lossy(&text).split_whitespace() {
                assert!(
                    token.len() < 12 || !msg.contains(token),
                    "error message quotes the file"
                );
            }
        }
    }
    if data.first() == Some(&1)
        && let Some(rounds) = bcrypt_rounds(&data[1..])
        && (rounds == 0 || rounds > MAX_KDF_ROUNDS)
    {
        // Refused for the rounds, or earlier for a structure that is broken before them.
        match result {
            Err(Error::KdfRounds { rounds: r, max }) => {
                assert_eq!((r, max), (rounds, MAX_KDF_ROUNDS), "kdf_rounds numbers");
            }
            Err(_) => {}
            Ok(_) => panic!("an encrypted key with {rounds} rounds was accepted"),
        }
    }
}
