//! The import parser against the committed test data: ssh-keygen's keys and fingerprints, Nova's
//! vectors, accepted variants and one case per line of every rule of the import policy.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use crate::data;

use std::collections::BTreeMap;

use keypairs::{
    Error, MAX_PUBLIC_KEY_LEN, Policy, PublicKey, parse_public_key, parse_public_key_with,
};
use proptest::prelude::*;

/// `ssh-keygen -l`'s line for a key, as the CLI prints it.
fn keygen_line(key: &PublicKey, md5: bool) -> String {
    let fp = if md5 {
        key.md5_fingerprint().prefixed()
    } else {
        key.sha256_fingerprint().to_string()
    };
    let comment = if key.comment().is_empty() {
        "no comment"
    } else {
        key.comment()
    };
    format!("{} {fp} {comment} ({})", key.bits(), key.label())
}

/// Policy named by a case's expected field: `kind` (API policy) or `kind@inspect`.
fn policy_and_kind(expected: &str) -> (Policy, &str) {
    match expected.split_once('@') {
        Some((kind, "inspect")) => (Policy::inspect(), kind),
        Some((_, other)) => panic!("unknown policy {other}"),
        None => (Policy::api(), expected),
    }
}

/// Kinds every rule of the import policy maps to: each needs at least one case.
const POLICY_KINDS: &[&str] = &[
    "input_too_long",
    "not_utf8",
    "empty",
    "line_break",
    "nul_byte",
    "control_character",
    "non_ascii_separator",
    "missing_key_data",
    "missing_key_type",
    "authorized_keys_options",
    "comment_line",
    "known_hosts_line",
    "known_hosts_marker",
    "rfc4716_public_key",
    "pem_text",
    "private_key",
    "ssh1_key",
    "unknown_key_type",
    "signature_algorithm_name",
    "invalid_base64",
    "base64_padding",
    "base64_trailing_bits",
    "truncated",
    "trailing_data",
    "nul_in_string",
    "key_type_mismatch",
    "negative_integer",
    "zero_integer",
    "non_canonical_integer",
    "rsa_key_size",
    "rsa_modulus_even",
    "rsa_exponent_even",
    "rsa_exponent_range",
    "dsa_key_size",
    "dsa_value_range",
    "ecdsa_curve_mismatch",
    "ecdsa_point_at_infinity",
    "ecdsa_point_encoding",
    "ecdsa_coordinate_range",
    "ecdsa_point_not_on_curve",
    "ecdsa_coordinate_bounds",
    "ed25519_key_length",
    "sk_application_missing",
    "mldsa_key_length",
    "certificate_type",
    "certificate_ca_is_certificate",
    "certificate_ca_key_unsupported",
    "certificate_signature_algorithm",
    "certificate_signature_invalid",
];

/// Whether an error message repeats a piece of the input (a token of 8 bytes or more).
fn echoes_input(message: &str, input: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(input);
    text.split([' ', '\t', '\n', '\r'])
        .filter(|t| t.len() >= 8)
        // Fixed names the crate itself prints (signature algorithm names and their key types).
        .filter(|t| {
            !t.starts_with("rsa-sha2-")
                && !t.starts_with("webauthn-")
                && !t.ends_with("@openssh.com")
                && !["@cert-authority", "@revoked", "@cert-authority,"].contains(t)
        })
        .find(|t| message.contains(t))
        .map(str::to_owned)
}

#[test]
fn invalid_cases_fail_with_their_error_kind() {
    let cases = data::cases("invalid.txt");
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let (policy, kind) = policy_and_kind(&case.expected);
        *per_kind.entry(kind.to_owned()).or_default() += 1;
        match parse_public_key_with(&case.input, &policy) {
            Ok(key) => failures.push(format!(
                "invalid.txt:{}: expected {kind}, parsed as {} ({})",
                case.line,
                key.algorithm_name(),
                case.note
            )),
            Err(e) => {
                if e.kind() != kind {
                    failures.push(format!(
                        "invalid.txt:{}: expected {kind}, got {} ({e}) {}",
                        case.line,
                        e.kind(),
                        case.note
                    ));
                }
                let message = e.to_string();
                if let Some(t) = echoes_input(&message, &case.input) {
                    failures.push(format!(
                        "invalid.txt:{}: message echoes input {t:?}",
                        case.line
                    ));
                }
            }
        }
    }
    println!("{} invalid cases; per error kind:", cases.len());
    for (k, n) in &per_kind {
        println!("  {k:32} {n}");
    }
    let missing: Vec<_> = POLICY_KINDS
        .iter()
        .filter(|k| !per_kind.contains_key(**k))
        .collect();
    assert!(
        missing.is_empty(),
        "policy rules without a case: {missing:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn valid_variants_are_accepted_with_their_fingerprint() {
    let mut failures = Vec::new();
    let cases = data::cases("valid_variants.txt");
    for case in &cases {
        let (policy, expected) = policy_and_kind(&case.expected);
        match parse_public_key_with(&case.input, &policy) {
            Ok(key) => {
                if key.md5_fingerprint().to_string() != expected {
                    failures.push(format!(
                        "valid_variants.txt:{}: md5 {}",
                        case.line,
                        key.md5_fingerprint()
                    ));
                }
                round_trip(&key);
            }
            Err(e) => failures.push(format!(
                "valid_variants.txt:{}: rejected: {e} ({})",
                case.line, case.note
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nova_vectors() {
    let cases = data::cases("nova/valid.txt");
    for case in &cases {
        let key = parse_public_key(&case.input)
            .unwrap_or_else(|e| panic!("nova/valid.txt:{}: {e}", case.line));
        assert_eq!(
            key.md5_fingerprint().to_string(),
            case.expected,
            "nova/valid.txt:{}",
            case.line
        );
    }
    // The seed document's example key.
    let seed = b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC9mC3WZN9UGLxgPBpP7H5jZMc6pKwOoSgre8yun6REFktn/Kz7DUt9jaR1UJyRzHxITfCfAIgSxPdGqB/oF1suMyWgu5i0625vavLB5z5kC8Hq3qZJ9zJO1poE1kyD+htiTtPWJ88e12xuH2XB/CZN9OpEiF98hAagiOE0EnOS5Q== Generated by Nova\n";
    let key = parse_public_key(seed).unwrap();
    assert_eq!(
        key.md5_fingerprint().to_string(),
        "35:9d:d0:c3:4a:80:d3:d8:86:f1:ca:f7:df:c4:f9:d8"
    );
    assert_eq!(key.comment(), "Generated by Nova");
    assert_eq!(key.bits(), 1024);
}

#[test]
fn key_files_match_ssh_keygen() {
    let lines = data::fingerprint_lines();
    assert!(
        lines.len() >= 20,
        "too few fingerprint lines: {}",
        lines.len()
    );
    let mut failures = Vec::new();
    for (file, expected) in &lines {
        let input = data::read(file);
        let key = match parse_public_key_with(&input, &Policy::inspect()) {
            Ok(k) => k,
            Err(e) => {
                failures.push(format!("{file}: rejected: {e}"));
                continue;
            }
        };
        let md5 = expected
            .split(' ')
            .nth(1)
            .is_some_and(|f| f.starts_with("MD5:"));
        let got = keygen_line(&key, md5);
        if &got != expected {
            failures.push(format!("{file}:\n  expected {expected}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// parse -> canonical line -> parse gives the same key and fingerprints.
fn round_trip(key: &PublicKey) {
    let line = key.to_openssh();
    let again =
        parse_public_key_with(line.as_bytes(), &Policy::inspect()).expect("canonical line parses");
    assert_eq!(&again, key);
    assert_eq!(again.md5_fingerprint(), key.md5_fingerprint());
    assert_eq!(again.sha256_fingerprint(), key.sha256_fingerprint());
    assert_eq!(again.to_openssh(), line);
    if !key.is_certificate() {
        assert_eq!(key.plain_blob(), key.blob());
    }
}

#[test]
fn every_key_file_round_trips() {
    for path in data::key_files() {
        let input = std::fs::read(&path).unwrap();
        let key = parse_public_key_with(&input, &Policy::inspect())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        round_trip(&key);
        // DSA is deprecated as a key and as a certified key (ssh-dss-cert-v01@openssh.com).
        assert_eq!(
            key.warnings().deprecated_dsa,
            key.algorithm_name().starts_with("ssh-dss"),
            "{}",
            path.display()
        );
        if !key.is_certificate() {
            assert!(!key.warnings().legacy_ca_signature, "{}", path.display());
        }
        // The canonical line is the file's line when the file has single-space separators.
        let text = String::from_utf8(input.clone()).unwrap();
        let text = text.trim_end();
        if !text.contains('\t') && !text.contains("  ") {
            assert_eq!(key.to_openssh(), text, "{}", path.display());
        }
    }
}

#[test]
fn certificates_report_the_embedded_key() {
    let mut seen = 0;
    for path in data::key_files() {
        let key =
            parse_public_key_with(&std::fs::read(&path).unwrap(), &Policy::inspect()).unwrap();
        if let Some(cert) = key.certificate() {
            seen += 1;
            assert!(key.algorithm_name().contains("-cert-v01@openssh.com"));
            assert!(key.label().ends_with("-CERT"));
            assert_ne!(key.plain_blob(), key.blob());
            assert_eq!(
                key.md5_fingerprint(),
                keypairs::Md5Fingerprint::of_blob(&key.plain_blob())
            );
            assert!(!key.certificate_ca_key_blob().is_empty());
            assert_eq!(
                key.warnings().legacy_ca_signature,
                cert.signature_algorithm().is_legacy()
            );
        }
    }
    assert!(seen >= 5, "only {seen} certificates in tests/data/keys");
}

#[test]
fn the_limit_is_1024_bytes_exactly() {
    let base = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz ";
    let at_limit = format!("{base}{}", "c".repeat(MAX_PUBLIC_KEY_LEN - base.len()));
    assert_eq!(at_limit.len(), 1024);
    assert!(parse_public_key(at_limit.as_bytes()).is_ok());
    let over = format!("{at_limit}c");
    assert_eq!(
        parse_public_key(over.as_bytes()),
        Err(Error::InputTooLong {
            len: 1025,
            max: 1024
        })
    );
    // Trailing whitespace counts: the limit applies to the bytes as given.
    let over_ws = format!("{at_limit}\n");
    assert!(matches!(
        parse_public_key(over_ws.as_bytes()),
        Err(Error::InputTooLong { .. })
    ));
}

#[test]
fn comment_and_separators() {
    let b64 = "AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";
    let key =
        parse_public_key(format!("\n ssh-ed25519\t \t{b64} \t a\tb  c \r\n").as_bytes()).unwrap();
    assert_eq!(key.comment(), "a\tb  c");
    assert_eq!(key.to_openssh(), format!("ssh-ed25519 {b64} a\tb  c"));
    let key = parse_public_key(format!("ssh-ed25519 {b64}").as_bytes()).unwrap();
    assert_eq!(key.comment(), "");
    assert_eq!(key.to_openssh(), format!("ssh-ed25519 {b64}"));
}

#[test]
fn private_key_errors_do_not_echo() {
    let pem = String::from_utf8(data::read("nova/rsa_prv.pem")).unwrap_or_else(|_| {
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA5G44D6lEgMj6cRwCPydsMl1VRN2B9DVyV5lmwssGeJClywZM\n-----END RSA PRIVATE KEY-----\n".to_owned()
    });
    let head: String = pem.chars().take(1000).collect();
    let e = parse_public_key(head.as_bytes()).unwrap_err();
    assert_eq!(e, Error::PrivateKey);
    assert!(!format!("{e} {e:?}").contains("MII"));
    // Below a public line, too.
    let b64 = "AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";
    let mixed = format!(
        "ssh-ed25519 {b64}\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----"
    );
    assert_eq!(parse_public_key(mixed.as_bytes()), Err(Error::PrivateKey));
}

#[test]
fn policy_switches() {
    let dsa = data::cases("nova/valid.txt")
        .into_iter()
        .find(|c| c.input.starts_with(b"ssh-dss "))
        .expect("a DSA vector");
    let key = parse_public_key(&dsa.input).unwrap();
    assert!(key.deprecated() && key.warnings().deprecated_dsa);
    assert_eq!(
        parse_public_key_with(&dsa.input, &Policy::api().with_dsa(false)),
        Err(Error::DsaNotAllowed)
    );
    // Small-order Ed25519 keys: accepted as OpenSSH does, refused on request.
    let zero = data::read("keys/ed25519_zero.pub");
    assert!(parse_public_key(&zero).is_ok());
    let strict = Policy::api().with_small_order_ed25519(false);
    assert_eq!(
        parse_public_key_with(&zero, &strict),
        Err(Error::Ed25519SmallOrder)
    );
    let identity =
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        parse_public_key_with(identity, &strict),
        Err(Error::Ed25519SmallOrder)
    );
    let ed = data::read("keys/ed25519.pub");
    assert!(parse_public_key_with(&ed, &strict).is_ok());
    let rsa1024 = b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova";
    assert!(parse_public_key(rsa1024).is_ok());
    assert_eq!(
        parse_public_key_with(rsa1024, &Policy::api().with_min_rsa_bits(2048)),
        Err(Error::RsaKeySize {
            bits: 1024,
            min: 2048,
            max: 16384
        })
    );
}

fn valid_inputs() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = data::key_files()
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() <= MAX_PUBLIC_KEY_LEN)
        .collect();
    v.extend(data::cases("nova/valid.txt").into_iter().map(|c| c.input));
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, .. ProptestConfig::default() })]

    /// Arbitrary bytes never panic; what parses round-trips.
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..1100)) {
        if let Ok(key) = parse_public_key(&input) {
            round_trip(&key);
        }
    }

    /// Mutations of valid keys (in the text and in the decoded blob) never panic; what parses
    /// round-trips and fingerprints its plain blob.
    #[test]
    fn mutated_keys_never_panic(
        which in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..4), 1..6),
    ) {
        let inputs = valid_inputs();
        let mut input = inputs[which.index(inputs.len())].clone();
        for (at, byte, op) in edits {
            if input.is_empty() { break; }
            let i = at.index(input.len());
            match op {
                0 => input[i] = byte,
                1 => { input.remove(i); }
                2 => input.insert(i, byte),
                _ => input.truncate(i),
            }
        }
        if let Ok(key) = parse_public_key_with(&input, &Policy::inspect()) {
            round_trip(&key);
            prop_assert_eq!(key.md5_fingerprint(), keypairs::Md5Fingerprint::of_blob(&key.plain_blob()));
        }
    }

    /// Blob-level mutations: re-encoded with valid base64 so the wire parser sees them.
    #[test]
    fn mutated_blobs_never_panic(
        which in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
    ) {
        use base64::Engine as _;
        let inputs = valid_inputs();
        let text = String::from_utf8(inputs[which.index(inputs.len())].clone()).unwrap();
        let mut parts = text.split_whitespace();
        let ty = parts.next().unwrap();
        let mut blob = base64::engine::general_purpose::STANDARD.decode(parts.next().unwrap()).unwrap();
        for (at, byte, op) in edits {
            if blob.is_empty() { break; }
            let i = at.index(blob.len());
            match op {
                0 => blob[i] = byte,
                1 => { blob.remove(i); }
                2 => blob.insert(i, byte),
                _ => blob.truncate(i),
            }
        }
        let line = format!("{ty} {}", base64::engine::general_purpose::STANDARD.encode(&blob));
        if let Ok(key) = parse_public_key_with(line.as_bytes(), &Policy::inspect()) {
            round_trip(&key);
        }
    }
}

/// The RSA verifier's larger integer sizes: an 8192-bit CA (certificate over 1024 bytes).
#[test]
fn rsa_8192_ca_signature_verifies_and_a_flipped_bit_does_not() {
    use base64::Engine as _;
    let text = String::from_utf8(data::read("keys/ed25519-by-rsa8192-sha512-cert.pub")).unwrap();
    let key = parse_public_key_with(text.as_bytes(), &Policy::inspect()).unwrap();
    assert_eq!(
        key.certificate().unwrap().signature_algorithm(),
        keypairs::SignatureAlgorithm::RsaSha512
    );
    let mut parts = text.split(' ');
    let ty = parts.next().unwrap();
    let mut blob = base64::engine::general_purpose::STANDARD
        .decode(parts.next().unwrap())
        .unwrap();
    let last = blob.len() - 1;
    blob[last] ^= 1;
    let line = format!(
        "{ty} {}",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    );
    assert_eq!(
        parse_public_key_with(line.as_bytes(), &Policy::inspect()),
        Err(Error::CertificateSignatureInvalid)
    );
}

/// A PEM block is refused with what its label says it holds (the data files check the error's
/// kind only; cargo-mutants found each label's arm deletable).
#[test]
fn pem_blocks_are_named_by_their_label() {
    use keypairs::PemKind;
    for (label, kind) in [
        ("PUBLIC KEY", PemKind::PublicKey),
        ("RSA PUBLIC KEY", PemKind::RsaPublicKey),
        ("CERTIFICATE", PemKind::Certificate),
        ("X509 CERTIFICATE", PemKind::Certificate),
        ("TRUSTED CERTIFICATE", PemKind::Certificate),
        ("CERTIFICATE REQUEST", PemKind::Other),
    ] {
        let input =
            format!("-----BEGIN {label}-----\nMFkwEwYHKoZIzj0CAQYI\n-----END {label}-----\n");
        assert_eq!(
            parse_public_key(input.as_bytes()).unwrap_err(),
            Error::PemText { kind },
            "{label}"
        );
    }
}

/// A TAB is a separator, not a control character: with one before a real control character, the
/// error names the latter (cargo-mutants: the TAB arm of the slow path was deletable).
#[test]
fn a_control_character_after_a_tab_is_the_one_named() {
    let input =
        b"ssh-ed25519\tAAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz a\x07b";
    let at = input.iter().position(|&b| b == 7).unwrap();
    assert_eq!(
        parse_public_key(input).unwrap_err(),
        Error::ControlCharacter {
            offset: at,
            value: 7
        }
    );
}

/// A line of control characters alone is refused as one (cargo-mutants: the branch-free
/// pre-filter of `check_controls` could miss it while every test line held a printable byte).
#[test]
fn a_line_of_control_characters_alone_is_named() {
    assert_eq!(
        parse_public_key(b"\x01\x02").unwrap_err(),
        Error::ControlCharacter {
            offset: 0,
            value: 1
        }
    );
}

/// How a line that does not start with a key type is named: each heuristic of the classifier on
/// inputs that hold for one of its conditions and not the other (cargo-mutants: `||`/`&&` swaps
/// and offset arithmetic there survived while every test line met all conditions or none).
#[test]
fn non_key_lines_are_named_by_each_condition() {
    const ED: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIKo80eNvOCf0nZ30e+LrgaUqbSjNPjMmYDW1snUqFnuH";
    let err = |line: &str| parse_public_key(line.as_bytes()).unwrap_err();
    // A token before a key type: with '=' or with '"' it is an option list, else host patterns.
    assert_eq!(
        err(&format!("x=1 ssh-ed25519 {ED}")),
        Error::AuthorizedKeysOptions
    );
    assert_eq!(
        err(&format!("a\"b ssh-ed25519 {ED}")),
        Error::AuthorizedKeysOptions
    );
    assert_eq!(
        err(&format!("host1 ssh-ed25519 {ED}")),
        Error::KnownHostsLine
    );
    // SSH-1: three numbers, not two and a word (nor a number and two words).
    assert_eq!(err("1024 65537 12345"), Error::Ssh1Key);
    assert!(matches!(
        err("1024 65537 xyz"),
        Error::UnknownKeyType { .. }
    ));
    assert!(matches!(err("1024 x y"), Error::UnknownKeyType { .. }));
    // Base64 without a type: starts with "AAAA", at least 16 characters, all base64.
    assert_eq!(err("AAAAC3NzaC1lZDI1"), Error::MissingKeyType);
    assert_eq!(
        err("AAAAC3NzaC1lZDI"),
        Error::UnknownKeyType { len: 15 },
        "15 characters"
    );
    assert_eq!(
        err("BBBBC3NzaC1lZDI1NTE5"),
        Error::UnknownKeyType { len: 20 },
        "not AAAA"
    );
    assert_eq!(
        err("AAAAC3NzaC1lZDI1NTE5!x"),
        Error::UnknownKeyType { len: 22 },
        "not base64"
    );
    // A non-ASCII space inside the first token right after a key type, at its offset in the
    // input (leading blanks counted); another non-ASCII character there is no separator.
    assert_eq!(
        err(&format!("  ssh-ed25519\u{a0}{ED}")),
        Error::NonAsciiSeparator { offset: 13 }
    );
    assert_eq!(err("ssh-ed25519\u{e9}x"), Error::UnknownKeyType { len: 14 });
    assert_eq!(
        err("ssh-ed25519\u{e9}\u{a0}x"),
        Error::UnknownKeyType { len: 16 }
    );
    // Inside the base64: the offset is the input's, not the token's.
    let line = "  ssh-ed25519 AAAAC3Nz\u{a0}aC1lZDI1NTE5AA";
    assert_eq!(err(line), Error::NonAsciiSeparator { offset: 22 });
}
