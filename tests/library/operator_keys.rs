//! Ed25519 and ECDSA generation and passphrase-protected private keys, against the real
//! `ssh-keygen` (reads them back, fingerprints them, refuses a wrong passphrase) and `openssl`.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::keyfile;

use std::process::{Command, Output};

use keyfile::KeyFile;

use keypairs::{
    Error, GeneratedEcKey, KeyType, generate_ecdsa, generate_ed25519, parse_public_key,
};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng as _;

fn seeded(n: u8) -> ChaCha8Rng {
    let mut seed = *b"keypairs operator keys seed 0000";
    seed[31] = n;
    ChaCha8Rng::from_seed(seed)
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn stdout_ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Every generated type and size, with the label `ssh-keygen -l` prints.
fn all_types(seed: u8, comment: &str) -> Vec<(GeneratedEcKey, &'static str)> {
    vec![
        (
            generate_ed25519(&mut seeded(seed), comment).unwrap(),
            "ED25519",
        ),
        (
            generate_ecdsa(&mut seeded(seed), 256, comment).unwrap(),
            "ECDSA",
        ),
        (
            generate_ecdsa(&mut seeded(seed), 384, comment).unwrap(),
            "ECDSA",
        ),
        (
            generate_ecdsa(&mut seeded(seed), 521, comment).unwrap(),
            "ECDSA",
        ),
    ]
}

#[test]
fn shapes_and_determinism() {
    let expected = [
        (KeyType::Ed25519, 256),
        (KeyType::EcdsaP256, 256),
        (KeyType::EcdsaP384, 384),
        (KeyType::EcdsaP521, 521),
    ];
    let again = all_types(1, "c");
    for ((key, _), ((twin, _), (key_type, bits))) in
        all_types(1, "c").iter().zip(again.iter().zip(expected))
    {
        assert_eq!(key.public_key().key_type(), key_type);
        assert_eq!(key.bits(), bits);
        assert_eq!(key.public_line(), twin.public_line(), "same seed, same key");
        let reparsed = parse_public_key(key.public_line().as_bytes()).unwrap();
        assert_eq!(reparsed.sha256_fingerprint(), key.sha256_fingerprint());
        assert_eq!(reparsed.md5_fingerprint(), key.md5_fingerprint());
        assert!(key.public_line().ends_with(" c"));
    }
    let other = all_types(2, "c");
    for ((a, _), (b, _)) in again.iter().zip(&other) {
        assert_ne!(
            a.public_line(),
            b.public_line(),
            "another seed, another key"
        );
    }
}

#[test]
fn refusals_are_typed() {
    assert_eq!(
        generate_ecdsa(&mut seeded(1), 255, "").unwrap_err(),
        Error::UnsupportedCurve { bits: 255 }
    );
    assert_eq!(
        generate_ed25519(&mut seeded(1), "a\nb").unwrap_err(),
        Error::InvalidComment
    );
    assert_eq!(
        generate_ecdsa(&mut seeded(1), 256, " lead").unwrap_err(),
        Error::InvalidComment
    );
}

#[test]
#[cfg(feature = "encryption")]
fn passphrase_refusals_are_typed() {
    use keypairs::MAX_KDF_ROUNDS;
    let key = generate_ed25519(&mut seeded(1), "").unwrap();
    assert_eq!(
        key.into_private_openssh_encrypted(&mut seeded(2), b"", 16)
            .unwrap_err(),
        Error::EmptyPassphrase
    );
    for rounds in [0, MAX_KDF_ROUNDS + 1] {
        let key = generate_ecdsa(&mut seeded(1), 256, "").unwrap();
        assert_eq!(
            key.into_private_openssh_encrypted(&mut seeded(2), b"pw", rounds)
                .unwrap_err(),
            Error::KdfRounds {
                rounds,
                max: MAX_KDF_ROUNDS
            }
        );
    }
}

#[test]
fn debug_shows_only_the_public_half() {
    for (key, _) in all_types(3, "dbg") {
        let shown = format!("{key:?}");
        assert!(shown.starts_with("GeneratedEcKey { public: "), "{shown}");
        assert!(shown.ends_with(".. }"), "{shown}");
        assert!(!shown.to_lowercase().contains("secret"), "{shown}");
    }
}

/// `ssh-keygen -y` derives our public line from our private file, `ssh-keygen -l` prints our
/// fingerprint for it, for every type and size.
#[test]
fn ssh_keygen_reads_generated_keys() {
    for (i, (key, label)) in all_types(4, "op@example").into_iter().enumerate() {
        let line = key.public_line();
        let sha256 = key.sha256_fingerprint().to_string();
        let bits = key.bits();
        let file = KeyFile::new(&format!("plain{i}"), &key.into_private_openssh().unwrap());
        let derived = stdout_ok(
            &run("ssh-keygen", &["-y", "-f", file.path()]),
            "ssh-keygen -y",
        );
        assert_eq!(derived.trim_end(), line);
        let listed = stdout_ok(
            &run("ssh-keygen", &["-l", "-f", file.path()]),
            "ssh-keygen -l",
        );
        assert_eq!(
            listed.trim_end(),
            format!("{bits} {sha256} op@example ({label})")
        );
    }
}

/// An encrypted key opens with its passphrase in `ssh-keygen -y -P`, and not with another one.
#[test]
#[cfg(feature = "encryption")]
fn ssh_keygen_opens_encrypted_keys_with_the_passphrase_only() {
    use keypairs::{DEFAULT_KDF_ROUNDS, generate_rsa};
    let mut cases: Vec<(String, String)> = all_types(5, "enc")
        .into_iter()
        .map(|(key, _)| {
            let line = key.public_line();
            let text = key
                .into_private_openssh_encrypted(
                    &mut seeded(9),
                    b"correct horse",
                    DEFAULT_KDF_ROUNDS,
                )
                .unwrap();
            (line, text.to_string())
        })
        .collect();
    let rsa = generate_rsa(&mut seeded(5), 2048, "enc").unwrap();
    let line = rsa.public_line();
    let text = rsa
        .into_private_openssh_encrypted(&mut seeded(9), b"correct horse", 8)
        .unwrap();
    cases.push((line, text.to_string()));
    for (i, (line, text)) in cases.iter().enumerate() {
        assert!(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        let file = KeyFile::new(&format!("enc{i}"), text);
        let out = run(
            "ssh-keygen",
            &["-y", "-P", "correct horse", "-f", file.path()],
        );
        assert_eq!(stdout_ok(&out, "ssh-keygen -y -P").trim_end(), line);
        let out = run(
            "ssh-keygen",
            &["-y", "-P", "wrong horse", "-f", file.path()],
        );
        assert!(!out.status.success(), "a wrong passphrase opened key {i}");
        let out = run("ssh-keygen", &["-y", "-P", "", "-f", file.path()]);
        assert!(!out.status.success(), "no passphrase opened key {i}");
    }
}

/// The cipher and KDF are ssh-keygen's: aes256-ctr, bcrypt with the rounds asked for (the header
/// of the binary format says so in clear).
#[test]
#[cfg(feature = "encryption")]
fn encrypted_key_header_names_aes256_ctr_and_bcrypt() {
    use base64::Engine as _;
    let key = generate_ed25519(&mut seeded(6), "").unwrap();
    let text = key
        .into_private_openssh_encrypted(&mut seeded(7), b"pw", 33)
        .unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let bin = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let mut expected = b"openssh-key-v1\0".to_vec();
    for s in [&b"aes256-ctr"[..], b"bcrypt"] {
        expected.extend_from_slice(&u32::try_from(s.len()).unwrap().to_be_bytes());
        expected.extend_from_slice(s);
    }
    assert!(bin.starts_with(&expected));
    // kdfoptions: string(string salt(16) || uint32 rounds)
    let opts = &bin[expected.len()..];
    assert_eq!(&opts[..4], &24u32.to_be_bytes());
    assert_eq!(&opts[4..8], &16u32.to_be_bytes());
    assert_eq!(&opts[24..28], &33u32.to_be_bytes());
}

/// The PEM forms: PKCS#8 for Ed25519, SEC1 for ECDSA; openssl reads them and derives our key.
#[test]
fn pem_forms_are_read_by_openssl() {
    for (i, (key, _)) in all_types(8, "").into_iter().enumerate() {
        let public = key.public_key().clone();
        let pem = key.into_private_pem().unwrap();
        let label = if i == 0 {
            "-----BEGIN PRIVATE KEY-----\n"
        } else {
            "-----BEGIN EC PRIVATE KEY-----\n"
        };
        assert!(pem.starts_with(label), "{i}");
        let file = KeyFile::new(&format!("pem{i}"), &pem);
        let out = run("openssl", &["pkey", "-in", file.path(), "-pubout"]);
        let spki = stdout_ok(&out, "openssl pkey -pubout");
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        // ssh-keygen converts the SPKI to its public line: the same key.
        let spki_file = KeyFile::new(&format!("spki{i}"), &spki);
        let out = run("ssh-keygen", &["-i", "-m", "PKCS8", "-f", spki_file.path()]);
        if i == 0 && !out.status.success() {
            // OpenSSH 9.2 does not import Ed25519 SPKI; compare the raw key instead.
            let out = run("openssl", &["pkey", "-in", file.path(), "-noout", "-text"]);
            let text = stdout_ok(&out, "openssl pkey -text");
            let hex: String = text
                .split("pub:")
                .nth(1)
                .unwrap()
                .chars()
                .filter(char::is_ascii_hexdigit)
                .collect();
            let line = public.to_openssh();
            let blob = line.split(' ').nth(1).unwrap();
            use base64::Engine as _;
            let blob = base64::engine::general_purpose::STANDARD
                .decode(blob)
                .unwrap();
            let raw: String = blob[blob.len() - 32..]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hex, raw);
            continue;
        }
        let line = stdout_ok(&out, "ssh-keygen -i -m PKCS8");
        let imported = parse_public_key(line.trim_end().as_bytes()).unwrap();
        assert_eq!(imported.sha256_fingerprint(), public.sha256_fingerprint());
    }
}
