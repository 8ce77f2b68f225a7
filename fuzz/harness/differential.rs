//! `keypairs::parse_public_key` against `ssh_key::PublicKey::from_openssh` (ssh-key 0.6, the
//! crate this one builds on) on the same bytes, in the same process. Shared by
//! `fuzz_targets/differential.rs` and `tests/library/fuzz_corpus.rs`.
//!
//! Both accept: the same blob (ssh-key's `to_bytes`), the same comment up to the separator and
//! trimming rules below, the same SHA-256 fingerprint.
//!
//! They may disagree only where the import policy (`README.md`, "Import: the rules") says this
//! crate is stricter or reads the text differently, and the harness checks each case on its own
//! rather than trusting the error:
//!
//! - `certificate` (policy 4): only this crate accepts, the key is a certificate (ssh-key's
//!   `PublicKey` holds none); where `ssh_key::Certificate` reads it, the certified key is the
//!   same.
//! - `sk-application` (policy 4: any value): only this crate accepts, the key is an `sk-` key
//!   whose application string is not UTF-8 (ssh-key reads it as a `String`).
//! - `text-form` (policy 1): only this crate accepts; ssh-key reads the canonical line
//!   (`to_openssh`) of the same key, and the input is that line up to leading/trailing ASCII
//!   whitespace and runs of SPACE/TAB between the fields (ssh-key wants one SPACE, nothing in
//!   front, and trims only the end).
//! - `stricter` (policies 1-4): only ssh-key accepts, and this crate's error is one of the rules
//!   ssh-key does not have, confirmed here where it is cheap: the 1024-byte limit (the length),
//!   control characters and line breaks in the comment (the bytes), Unicode separators, base64
//!   that is not canonical (the `base64` crate's strict decoder refuses the token), key types
//!   outside the list (ssh-key reads `name@domain` types as opaque keys; this crate may name
//!   such a first token by what the line looks like: `known_hosts_line` where a listed key type
//!   comes later, `authorized_keys_options`, `known_hosts_marker`), RSA sizes and
//!   exponents (ssh-key's own modulus and exponent), DSA sizes and ranges, ECDSA point checks,
//!   the certificate and sk rules, and wire-format rules (NUL in strings, canonical mpints,
//!   lengths checked against what remains: where ssh-key reads past a length, its own encoding
//!   of what it read is not the blob).
//!
//! Anything else is a finding: the harness panics with both answers.
#![allow(clippy::panic, reason = "a fuzz harness reports a breach by panicking")]

use base64::Engine as _;
use keypairs::{Error, PublicKey};

/// Runs the comparison on one input.
///
/// # Panics
/// On a disagreement that no rule explains.
pub(crate) fn check(data: &[u8]) {
    let ours = keypairs::parse_public_key(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(ours.is_err(), "accepted input that is not UTF-8");
        return;
    };
    let theirs = ssh_key::PublicKey::from_openssh(text);
    match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => both_accept(text, &ours, &theirs),
        (Ok(ours), Err(_)) => only_ours(text, &ours),
        (Err(e), Ok(theirs)) => only_theirs(text, &e, &theirs),
        (Err(_), Err(_)) => {}
    }
}

/// Leading/trailing whitespace this crate trims (policy 1).
const TRIM: [char; 4] = [' ', '\t', '\r', '\n'];

fn both_accept(text: &str, ours: &PublicKey, theirs: &ssh_key::PublicKey) {
    let blob = theirs.to_bytes().expect("ssh-key re-encodes what it read");
    assert_eq!(ours.blob(), &blob[..], "blobs differ: {text:?}");
    assert_eq!(
        ours.sha256_fingerprint().to_string(),
        theirs.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
        "SHA-256 fingerprints differ: {text:?}"
    );
    // ssh-key keeps blanks after the single SPACE and trims Unicode whitespace at the end;
    // this crate skips the separator run and trims ASCII whitespace (policy 1).
    let c = theirs.comment().trim_start_matches([' ', '\t']);
    assert!(
        ours.comment() == c || ours.comment().trim_end() == c.trim_end(),
        "comments differ: {:?} vs {:?}",
        ours.comment(),
        theirs.comment()
    );
}

/// The input with its fields joined by one SPACE: what ssh-key needs.
fn single_spaced(text: &str) -> String {
    let t = text.trim_matches(TRIM);
    let mut parts = t.splitn(2, [' ', '\t']);
    let ty = parts.next().unwrap_or_default();
    let rest = parts
        .next()
        .unwrap_or_default()
        .trim_start_matches([' ', '\t']);
    let mut parts = rest.splitn(2, [' ', '\t']);
    let b64 = parts.next().unwrap_or_default();
    let comment = parts
        .next()
        .unwrap_or_default()
        .trim_start_matches([' ', '\t']);
    if comment.is_empty() {
        format!("{ty} {b64}")
    } else {
        format!("{ty} {b64} {comment}")
    }
}

fn only_ours(text: &str, ours: &PublicKey) {
    let canonical = ours.to_openssh();
    if ours.is_certificate() {
        // certificate: ssh-key's PublicKey holds no certificates; its Certificate type reads
        // them. Where it does, the certified key is the one this crate reports.
        if let Ok(cert) = ssh_key::Certificate::from_openssh(&canonical) {
            assert_eq!(
                ours.sha256_fingerprint().to_string(),
                cert.public_key()
                    .fingerprint(ssh_key::HashAlg::Sha256)
                    .to_string(),
                "certified key differs from ssh-key's: {text:?}"
            );
        }
        return;
    }
    if ours.algorithm_name().starts_with("sk-") && !sk_application_is_utf8(ours.blob()) {
        // sk-application (policy 4: any value): ssh-key 0.6 reads the application as a
        // String, so it refuses one that is not UTF-8; OpenSSH and this crate take the bytes.
        return;
    }
    let reread = ssh_key::PublicKey::from_openssh(&canonical);
    match reread {
        Ok(theirs) => {
            // text-form: the same key in a form ssh-key does not read.
            assert_eq!(
                single_spaced(text),
                canonical,
                "ssh-key refused a form that is not a separator/trim variant of the key: {text:?}"
            );
            both_accept(&canonical, ours, &theirs);
        }
        Err(e) => panic!(
            "ssh-key refused the canonical line of a key this crate accepts ({e}): {canonical:?}"
        ),
    }
}

/// Key types this crate reads (policy 3); ssh-key reads every other `name@domain` as opaque.
const KNOWN: [&str; 9] = [
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-ed25519",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "ssh-mldsa44-ed25519@openssh.com",
];

fn only_theirs(text: &str, e: &Error, theirs: &ssh_key::PublicKey) {
    let algorithm = theirs.algorithm();
    let name = algorithm.as_str();
    let b64 = text
        .split(TRIM)
        .filter(|s| !s.is_empty())
        .nth(1)
        .unwrap_or_default();
    let why = match e {
        Error::InputTooLong { len, max } => {
            assert!(
                *len == text.len() && *len > *max && *max == 1024,
                "input_too_long"
            );
            "policy 1: 1024 bytes"
        }
        Error::ControlCharacter { offset, value } => {
            assert_eq!(
                text.as_bytes().get(*offset),
                Some(value),
                "control_character"
            );
            "policy 1: control characters"
        }
        Error::NulByte { offset } => {
            assert_eq!(text.as_bytes().get(*offset), Some(&0), "nul_byte");
            "policy 1: NUL"
        }
        Error::LineBreak { offset } => {
            assert!(
                matches!(text.as_bytes().get(*offset), Some(b'\r' | b'\n')),
                "line_break"
            );
            "policy 1: one line"
        }
        Error::NonAsciiSeparator { .. } => "policy 1: Unicode spaces are not separators",
        Error::PrivateKey => {
            assert!(text.contains("PRIVATE KEY"), "private_key");
            "policy 2: a private key below the line"
        }
        Error::UnknownKeyType { .. } | Error::SignatureAlgorithmName { .. } => {
            assert!(!KNOWN.contains(&name), "unknown_key_type for {name}");
            "policy 3: key types"
        }
        // The first token is no key type of the list, which ssh-key read as an opaque key of
        // that name, and this crate named what the line looks like instead (a key type later
        // in the line: host patterns or options before a key; a leading '@': a marker).
        Error::KnownHostsLine | Error::AuthorizedKeysOptions | Error::KnownHostsMarker => {
            assert!(
                !KNOWN.contains(&name) && theirs.key_data().is_other(),
                "{} for ssh-key's {name}",
                e.kind()
            );
            "policy 3: key types (a refused first token named by what the line looks like)"
        }
        Error::InvalidBase64 { .. }
        | Error::Base64Padding { .. }
        | Error::Base64TrailingBits { .. } => {
            assert!(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .is_err(),
                "base64 refused, but the strict decoder reads {b64:?}"
            );
            "policy 3: canonical base64"
        }
        Error::RsaKeySize { bits, min, max } => {
            let n = theirs
                .key_data()
                .rsa()
                .expect("an RSA key")
                .n
                .as_positive_bytes()
                .filter(|n| !n.is_empty());
            let got = n.map_or(0, |n| {
                u32::try_from(n.len() * 8).unwrap_or(u32::MAX) - n[0].leading_zeros()
            });
            assert!(got == *bits && (got < *min || got > *max), "rsa_key_size");
            "policy 4: RSA size"
        }
        Error::RsaModulusEven
        | Error::RsaExponentEven
        | Error::RsaExponentRange { .. }
        | Error::NegativeInteger { .. }
        | Error::ZeroInteger { .. }
        | Error::NonCanonicalInteger { .. } => {
            assert!(
                name == "ssh-rsa" || name == "ssh-dss",
                "mpint rule on {name}"
            );
            "policy 4: RSA and mpints"
        }
        Error::DsaKeySize { .. } | Error::DsaValueRange { .. } => {
            assert_eq!(name, "ssh-dss", "dsa rule");
            "policy 4: DSA"
        }
        Error::EcdsaCurveMismatch
        | Error::EcdsaPointAtInfinity
        | Error::EcdsaPointEncoding { .. }
        | Error::EcdsaCoordinateRange
        | Error::EcdsaPointNotOnCurve
        | Error::EcdsaCoordinateBounds => {
            assert!(name.contains("ecdsa-sha2-nistp"), "ecdsa rule on {name}");
            "policy 4: ECDSA"
        }
        Error::SkApplicationMissing => "policy 4: sk application",
        Error::MlDsaKeyLength { .. } => "policy 4: ML-DSA length",
        Error::NulInString { .. } => "policy 3: no NUL in strings",
        Error::KeyTypeMismatch => "policy 3: inner type equals outer",
        Error::TrailingData { .. } | Error::Truncated { .. } => {
            // Either ssh-key read the blob as opaque bytes (unknown and certificate types:
            // the structure is this crate's to check), or it read something other than what
            // is there: its own encoding of what it read is not the blob (ssh-key 0.6.7 takes
            // an Ed25519 length of 33 with 32 bytes left, for one).
            let blob = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("the blob is canonical base64 if only the wire format is refused");
            assert!(
                theirs.key_data().is_other()
                    || theirs.to_bytes().ok().as_deref() != Some(&blob[..]),
                "ssh-key read exactly this blob as {name}, this crate says {e}"
            );
            "policy 3: every length checked, the blob consumed exactly"
        }
        Error::CertificateNotAllowed
        | Error::CertificateType { .. }
        | Error::CertificateTooManyPrincipals { .. }
        | Error::CertificateCaIsCertificate
        | Error::CertificateCaKeyUnsupported
        | Error::CertificateSignatureAlgorithm
        | Error::CertificateSignatureInvalid
        | Error::CertificateCaKeySmallOrder => "policy 4: certificates",
        Error::Ed25519KeyLength { .. } => "policy 4: Ed25519 length",
        other => panic!(
            "ssh-key accepts an input this crate refuses with {} ({other}), which no rule explains: {text:?}",
            other.kind()
        ),
    };
    assert!(!why.is_empty());
}

/// Whether the last string of an sk key's blob (its application) is UTF-8.
fn sk_application_is_utf8(mut blob: &[u8]) -> bool {
    let mut last: &[u8] = &[];
    while blob.len() >= 4 {
        let len = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
        let Some(s) = blob.get(4..4 + len) else {
            return true;
        };
        last = s;
        blob = &blob[4 + len..];
    }
    std::str::from_utf8(last).is_ok()
}
