//! Certificates signed by every CA key type OpenSSH verifies (DSA, security keys) and the CA keys
//! the crate refuses although OpenSSH accepts them (small-order Ed25519), against
//! `tests/data/ca_signatures.txt` and the installed `ssh-keygen -L`.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use crate::data;

use std::process::Command;

use keypairs::{Policy, SignatureAlgorithm, parse_public_key_with};

/// `EXPECT<TAB>OPENSSH<TAB>FILE<TAB># note`.
fn cases() -> Vec<(String, String, String, usize)> {
    let text = String::from_utf8(data::read("ca_signatures.txt")).unwrap();
    let cases: Vec<_> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let mut f = l.split('\t');
            let (Some(expect), Some(openssh), Some(file)) = (f.next(), f.next(), f.next()) else {
                panic!("ca_signatures.txt:{}: EXPECT, OPENSSH and FILE", i + 1);
            };
            (
                expect.to_owned(),
                openssh.to_owned(),
                file.to_owned(),
                i + 1,
            )
        })
        .collect();
    assert!(cases.len() >= 20, "too few cases: {}", cases.len());
    cases
}

#[test]
fn ca_signature_cases_give_their_result() {
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (expect, _, file, line) in cases() {
        // `A,min0:B`: A under `Policy::inspect()`, B with no smallest RSA size (tiny CA keys).
        let (expect, min0) = match expect.split_once(",min0:") {
            Some((a, b)) => (a.to_owned(), Some(b.to_owned())),
            None => (expect, None),
        };
        let policies = [
            Some((expect, Policy::inspect())),
            min0.map(|b| (b, Policy::inspect().with_min_rsa_bits(0))),
        ];
        for (expect, policy) in policies.into_iter().flatten() {
            let got = match parse_public_key_with(&data::read(&file), &policy) {
                Ok(key) => {
                    let info = key.certificate().expect("a certificate");
                    let alg = info.signature_algorithm();
                    if alg == SignatureAlgorithm::Dsa {
                        assert!(key.warnings().legacy_ca_signature, "{file}: DSA is legacy");
                    }
                    format!("ok:{}", alg.name())
                }
                Err(e) => e.kind().to_owned(),
            };
            seen.insert(got.clone());
            if got != expect {
                failures.push(format!(
                    "ca_signatures.txt:{line}: {file} (min RSA bits {}): expected {expect}, got {got}",
                    policy.min_rsa_bits
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for needed in [
        "ok:ssh-dss",
        "ok:sk-ssh-ed25519@openssh.com",
        "ok:sk-ecdsa-sha2-nistp256@openssh.com",
        "certificate_ca_key_small_order",
        "certificate_signature_invalid",
    ] {
        assert!(seen.contains(needed), "no case gives {needed}");
    }
}

/// The OPENSSH column is what the installed OpenSSH does: `ssh-keygen -L` verifies the CA
/// signature when it parses a certificate (`cert_parse`).
#[test]
fn openssh_column_is_what_ssh_keygen_does() {
    let mut failures = Vec::new();
    for (_, openssh, file, line) in cases() {
        let path = data::data_dir().join(&file);
        let out = Command::new("ssh-keygen")
            .arg("-L")
            .arg("-f")
            .arg(&path)
            .output()
            .expect("ssh-keygen runs");
        let got = if out.status.success() {
            "accepts"
        } else {
            "refuses"
        };
        if got != openssh {
            failures.push(format!(
                "ca_signatures.txt:{line}: ssh-keygen -L {got} {file}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Fresh DSA-signed certificates from `ssh-keygen -s` (the committed CA, new keys and serials
/// each run) all verify, and flipping any one bit of the signature breaks each.
#[test]
fn ssh_keygen_dsa_ca_certificates_verify() {
    let dir = std::env::temp_dir().join(format!("keypairs-dsa-ca-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca_dsa");
    std::fs::copy(data::data_dir().join("ca/ca_dsa"), &ca).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&ca, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    for i in 0..8 {
        let key = dir.join(format!("k{i}"));
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-t", "ecdsa", "-N", "", "-f"])
            .arg(&key)
            .status()
            .unwrap()
            .success()
            && Command::new("ssh-keygen")
                .args(["-q", "-s"])
                .arg(&ca)
                .args(["-I", "t", "-n", "alice", "-z", &i.to_string()])
                .arg(key.with_extension("pub"))
                .status()
                .unwrap()
                .success();
        assert!(ok, "ssh-keygen failed");
        let cert = std::fs::read(dir.join(format!("k{i}-cert.pub"))).unwrap();
        let key = parse_public_key_with(&cert, &Policy::inspect()).unwrap();
        assert_eq!(
            key.certificate().unwrap().signature_algorithm(),
            SignatureAlgorithm::Dsa
        );
        // The last 40 bytes of the blob are r || s: flip one bit in each.
        let text = String::from_utf8(cert).unwrap();
        let b64 = text.split(' ').nth(1).unwrap();
        let mut blob = base64_decode(b64);
        for at in [blob.len() - 1, blob.len() - 21, blob.len() - 40] {
            blob[at] ^= 0x10;
            let line = format!(
                "{} {}",
                text.split(' ').next().unwrap(),
                base64_encode(&blob)
            );
            let e = parse_public_key_with(line.as_bytes(), &Policy::inspect()).unwrap_err();
            assert_eq!(e.kind(), "certificate_signature_invalid", "bit at {at}");
            blob[at] ^= 0x10;
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}
