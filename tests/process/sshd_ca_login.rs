//! Certificates from every CA type the crate verifies, used for a real login: one `sshd` on
//! 127.0.0.1 (free port, own config and host key, `TrustedUserCAKeys` and no authorized_keys),
//! user keys made by this crate (Ed25519, ECDSA), certificates signed here by "security key" CAs
//! (the FIDO token's half is a plain Ed25519 / P-256 key signing what a token signs,
//! PROTOCOL.u2f) and by a DSA CA (`ssh-keygen -s`). What sshd accepts, the crate accepts, and a
//! certificate whose signature was altered is refused by both. A certificate "signed" by a
//! small-order Ed25519 CA key (R = identity, S = 0) is refused by the crate; whether sshd lets it
//! in is printed (OpenSSH 9.2 does). sshd is stopped on drop.
//!
//! Needs `sshd`, `ssh` and `ssh-keygen`: reported as ignored without them, a failure in CI.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::tools;

use crate::sshd;

use std::fs;
use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use keypairs::{Policy, SignatureAlgorithm, parse_public_key_with};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use sha2::Digest as _;
use sshd::{Sshd, TempDir, current_user, ssh, start_sshd, write_private};

/// On the binary's own harness (`libtest-mimic`, as tests/process/sshd_login.rs): without sshd, ssh or ssh-keygen the
/// test is reported as ignored (never as passed); with `CI` set it always runs.
pub(crate) fn trials() -> Vec<libtest_mimic::Trial> {
    let missing = sshd::missing_tools();
    let ignored = !missing.is_empty() && !tools::in_ci();
    if ignored {
        eprintln!("sshd CA login test ignored: {missing:?} not found");
    }
    let trial = libtest_mimic::Trial::test(
        "sshd_ca_login::sshd_accepts_logins_with_certificates_from_sk_cas_and_the_crate_agrees",
        || {
            sshd_accepts_logins_with_certificates_from_sk_cas_and_the_crate_agrees();
            Ok(())
        },
    )
    .with_ignored_flag(ignored);
    vec![trial]
}

/// `ssh -i KEY -o CertificateFile=CERT user@127.0.0.1 echo MARKER`: whether it logged in.
fn login(sshd: &Sshd, user: &str, key: &Path, cert: &Path, marker: &str) -> bool {
    let certificate = format!("CertificateFile={}", cert.display());
    let out = ssh(sshd, user, key, &[certificate], &format!("echo {marker}"));
    out.status.success() && String::from_utf8_lossy(&out.stdout).trim_end() == marker
}

// ----- certificates built here ----------------------------------------------------------------

fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&u32::try_from(s.len()).unwrap().to_be_bytes());
    out.extend_from_slice(s);
}

fn mpint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let start = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let mut m = magnitude[start..].to_vec();
    if m.first().is_some_and(|b| b & 0x80 != 0) {
        m.insert(0, 0);
    }
    string(out, &m);
}

fn unb64(line: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(line.split(' ').nth(1).unwrap())
        .unwrap()
}

/// The part of a certificate before the signature: a user certificate for `user`, valid forever,
/// of the plain key `user_blob`, signed by `ca_blob`.
fn to_be_signed(user_blob: &[u8], user: &str, ca_blob: &[u8]) -> Vec<u8> {
    let mut r = user_blob;
    let name_len = u32::from_be_bytes(r[..4].try_into().unwrap()) as usize;
    let name = std::str::from_utf8(&r[4..4 + name_len]).unwrap().to_owned();
    r = &r[4 + name_len..];
    let cert_name = format!("{name}-cert-v01@openssh.com");
    let mut t = Vec::new();
    string(&mut t, cert_name.as_bytes());
    string(&mut t, &[7u8; 32]); // nonce
    t.extend_from_slice(r); // the key's fields
    t.extend_from_slice(&1u64.to_be_bytes()); // serial
    t.extend_from_slice(&1u32.to_be_bytes()); // user certificate
    string(&mut t, b"sk-ca-login");
    let mut principals = Vec::new();
    string(&mut principals, user.as_bytes());
    string(&mut t, &principals);
    t.extend_from_slice(&0u64.to_be_bytes());
    t.extend_from_slice(&u64::MAX.to_be_bytes());
    string(&mut t, b""); // critical options
    string(&mut t, b""); // extensions
    string(&mut t, b""); // reserved
    string(&mut t, ca_blob);
    t
}

fn sk_message(application: &[u8], flags: u8, counter: u32, data: &[u8]) -> Vec<u8> {
    let mut m = sha2::Sha256::digest(application).to_vec();
    m.push(flags);
    m.extend_from_slice(&counter.to_be_bytes());
    m.extend_from_slice(&sha2::Sha256::digest(data));
    m
}

/// A certificate line signed by an sk-ssh-ed25519 CA; `tamper` changes the counter after signing.
fn cert_by_sk_ed25519(user_line: &str, user: &str, seed: u8, tamper: bool) -> (String, String) {
    use ed25519_dalek::Signer as _;
    let ca = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let mut ca_blob = Vec::new();
    string(&mut ca_blob, b"sk-ssh-ed25519@openssh.com");
    string(&mut ca_blob, &ca.verifying_key().to_bytes());
    string(&mut ca_blob, b"ssh:");
    let tbs = to_be_signed(&unb64(user_line), user, &ca_blob);
    let (flags, counter) = (0x01, 42);
    let sig = ca.sign(&sk_message(b"ssh:", flags, counter, &tbs));
    let mut sig_blob = Vec::new();
    string(&mut sig_blob, b"sk-ssh-ed25519@openssh.com");
    string(&mut sig_blob, &sig.to_bytes());
    sig_blob.push(flags);
    sig_blob.extend_from_slice(&(counter + u32::from(tamper)).to_be_bytes());
    finish(tbs, &sig_blob, &ca_blob)
}

/// A certificate line signed by an sk-ecdsa-sha2-nistp256 CA.
fn cert_by_sk_ecdsa(user_line: &str, user: &str, seed: u8) -> (String, String) {
    use p256::ecdsa::signature::Signer as _;
    let ca = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
    let point = ca.verifying_key().to_sec1_point(false);
    let mut ca_blob = Vec::new();
    string(&mut ca_blob, b"sk-ecdsa-sha2-nistp256@openssh.com");
    string(&mut ca_blob, b"nistp256");
    string(&mut ca_blob, point.as_bytes());
    string(&mut ca_blob, b"ssh:");
    let tbs = to_be_signed(&unb64(user_line), user, &ca_blob);
    let (flags, counter) = (0x05, 7);
    let sig: p256::ecdsa::Signature = ca.sign(&sk_message(b"ssh:", flags, counter, &tbs));
    let (r, s) = sig.split_bytes();
    let mut rs = Vec::new();
    mpint(&mut rs, &r);
    mpint(&mut rs, &s);
    let mut sig_blob = Vec::new();
    string(&mut sig_blob, b"sk-ecdsa-sha2-nistp256@openssh.com");
    string(&mut sig_blob, &rs);
    sig_blob.push(flags);
    sig_blob.extend_from_slice(&counter.to_be_bytes());
    finish(tbs, &sig_blob, &ca_blob)
}

/// A certificate "signed" by the small-order Ed25519 CA key `01 00..00` (the identity): R = the
/// identity, S = 0 verifies for every message under it.
fn cert_by_identity_ca(user_line: &str, user: &str) -> (String, String) {
    let identity = {
        let mut k = [0u8; 32];
        k[0] = 1;
        k
    };
    let mut ca_blob = Vec::new();
    string(&mut ca_blob, b"ssh-ed25519");
    string(&mut ca_blob, &identity);
    let tbs = to_be_signed(&unb64(user_line), user, &ca_blob);
    let mut sig = identity.to_vec();
    sig.extend_from_slice(&[0; 32]);
    let mut sig_blob = Vec::new();
    string(&mut sig_blob, b"ssh-ed25519");
    string(&mut sig_blob, &sig);
    finish(tbs, &sig_blob, &ca_blob)
}

/// (certificate line, CA public line).
fn finish(mut tbs: Vec<u8>, sig_blob: &[u8], ca_blob: &[u8]) -> (String, String) {
    string(&mut tbs, sig_blob);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut r = &tbs[..];
    let len = u32::from_be_bytes(r[..4].try_into().unwrap()) as usize;
    r = &r[4..4 + len];
    let cert_type = std::str::from_utf8(r).unwrap().to_owned();
    let ca_len = u32::from_be_bytes(ca_blob[..4].try_into().unwrap()) as usize;
    let ca_type = std::str::from_utf8(&ca_blob[4..4 + ca_len])
        .unwrap()
        .to_owned();
    (
        format!("{cert_type} {} cert", b64(&tbs)),
        format!("{ca_type} {} ca", b64(ca_blob)),
    )
}

fn sshd_accepts_logins_with_certificates_from_sk_cas_and_the_crate_agrees() {
    let dir = TempDir::new("ca");
    let user = current_user();
    let ed = keypairs::generate_ed25519(&mut ChaCha20Rng::from_seed([1; 32]), "u1").unwrap();
    let ec = keypairs::generate_ecdsa(&mut ChaCha20Rng::from_seed([2; 32]), 384, "u2").unwrap();
    let (ed_line, ec_line) = (ed.public_line(), ec.public_line());
    let ed_key = dir.path("id_ed25519");
    write_private(&ed_key, &ed.into_private_openssh().unwrap());
    let ec_key = dir.path("id_ecdsa");
    write_private(&ec_key, &ec.into_private_openssh().unwrap());

    let (cert_ed, ca_ed) = cert_by_sk_ed25519(&ed_line, &user, 11, false);
    let (cert_bad, _) = cert_by_sk_ed25519(&ed_line, &user, 11, true);
    let (cert_ec, ca_ec) = cert_by_sk_ecdsa(&ec_line, &user, 12);
    // A DSA CA (ssh-keygen -s): the crate verifies it; sshd's default CASignatureAlgorithms
    // leaves ssh-dss out.
    let ca_dsa = dir.path("ca_dsa");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ca");
    write_private(&ca_dsa, &fs::read_to_string(data.join("ca_dsa")).unwrap());
    let dsa_user = dir.path("id_dsa_user");
    write_private(&dsa_user, &fs::read_to_string(&ed_key).unwrap());
    fs::write(dir.path("id_dsa_user.pub"), format!("{ed_line}\n")).unwrap();
    let signed = Command::new("ssh-keygen")
        .args(["-q", "-s"])
        .arg(&ca_dsa)
        .args(["-I", "dsa-ca-login", "-n", &user])
        .arg(dir.path("id_dsa_user.pub"))
        .status()
        .unwrap();
    assert!(signed.success());
    let cert_dsa = fs::read_to_string(dir.path("id_dsa_user-cert.pub")).unwrap();
    let ca_dsa_line = fs::read_to_string(data.join("ca_dsa.pub")).unwrap();

    // The crate's verdicts.
    let policy = Policy::inspect();
    let alg = |c: &str| {
        parse_public_key_with(c.trim_end().as_bytes(), &policy)
            .map(|k| k.certificate().unwrap().signature_algorithm())
    };
    assert_eq!(alg(&cert_ed).unwrap(), SignatureAlgorithm::SkEd25519);
    assert_eq!(alg(&cert_ec).unwrap(), SignatureAlgorithm::SkEcdsaP256);
    assert_eq!(alg(&cert_dsa).unwrap(), SignatureAlgorithm::Dsa);
    assert_eq!(
        alg(&cert_bad).unwrap_err().kind(),
        "certificate_signature_invalid"
    );
    let (cert_forged, ca_identity) = cert_by_identity_ca(&ed_line, &user);
    assert_eq!(
        alg(&cert_forged).unwrap_err().kind(),
        "certificate_ca_key_small_order"
    );

    let cas = dir.path("trusted_cas");
    fs::write(
        &cas,
        format!(
            "{ca_ed}\n{ca_ec}\n{}\n{ca_identity}\n",
            ca_dsa_line.trim_end()
        ),
    )
    .unwrap();
    let sshd = start_sshd(
        &dir,
        &user,
        &format!(
            "AuthorizedKeysFile none\nTrustedUserCAKeys {}",
            cas.display()
        ),
    );
    let cases = [
        ("sk-ed25519", &ed_key, &cert_ed, Some(true)),
        ("sk-ecdsa", &ec_key, &cert_ec, Some(true)),
        (
            "sk-ed25519, counter altered",
            &ed_key,
            &cert_bad,
            Some(false),
        ),
        (
            "dsa (not in sshd's default CASignatureAlgorithms)",
            &dsa_user,
            &cert_dsa,
            Some(false),
        ),
        (
            "small-order Ed25519 CA, R = identity, S = 0",
            &ed_key,
            &cert_forged,
            None,
        ),
    ];
    for (i, (what, key, cert, expected)) in cases.into_iter().enumerate() {
        let cert_path = dir.path(&format!("cert{i}.pub"));
        fs::write(&cert_path, cert).unwrap();
        let ok = login(&sshd, &user, key, &cert_path, &format!("ca-login-{i}"));
        let Some(expected) = expected else {
            // Shown, not asserted: whether this OpenSSH lets the forged certificate in.
            note!("{what}: sshd accepted it: {ok}");
            continue;
        };
        assert_eq!(
            ok,
            expected,
            "{what}: sshd said {ok}\nsshd log:\n{}",
            sshd.log()
        );
    }
}
