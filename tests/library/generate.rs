//! RSA key generation: shapes, determinism, Nova's vector, and cross-checks with ssh-keygen,
//! openssl and Python `cryptography`.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use keypairs::{
    Error, GeneratedKey, KeyType, NOVA_COMMENT, PrivateKeyFormat, generate_rsa, parse_public_key,
};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng as _;

const SEED: [u8; 32] = *b"keypairs generate test seed 0001";

/// Nova's `rsa_prv` (nova/tests/unit/test_crypto.py), its public line and MD5 fingerprint.
const NOVA_RSA_PRV: &str = include_str!("../data/nova/rsa_prv.pem");
const NOVA_RSA_PUB: &str = include_str!("../data/nova/rsa_pub.txt");
const NOVA_RSA_FP: &str = include_str!("../data/nova/rsa_fp.txt");

fn seeded(n: u8) -> ChaCha8Rng {
    let mut seed = SEED;
    seed[31] = n;
    ChaCha8Rng::from_seed(seed)
}

#[test]
fn nova_vector_v0() {
    let key = GeneratedKey::from_pkcs1_pem(NOVA_RSA_PRV, NOVA_COMMENT).unwrap();
    assert_eq!(key.public_line(), NOVA_RSA_PUB);
    assert_eq!(key.md5_fingerprint().to_string(), NOVA_RSA_FP);
    assert_eq!(key.bits(), 2048);
    // The PEM written back is Nova's byte for byte (same DER, same 64-column wrapping).
    assert_eq!(key.into_private_pem().unwrap().as_str(), NOVA_RSA_PRV);
}

#[test]
fn generated_2048_shapes() {
    let key = generate_rsa(&mut seeded(1), 2048, NOVA_COMMENT).unwrap();
    let line = key.public_line();
    assert!(line.starts_with("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ"));
    assert!(line.ends_with(" Generated-by-Nova"));
    assert!(!line.ends_with('\n'));
    let reparsed = parse_public_key(line.as_bytes()).unwrap();
    assert_eq!(reparsed.key_type(), KeyType::Rsa);
    assert_eq!(reparsed.bits(), 2048);
    assert_eq!(reparsed.md5_fingerprint(), key.md5_fingerprint());
    assert_eq!(reparsed.sha256_fingerprint(), key.sha256_fingerprint());

    let pem = key.into_private_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert!(pem.ends_with("-----END RSA PRIVATE KEY-----\n"));
    let lines: Vec<&str> = pem.lines().collect();
    let body = &lines[1..lines.len() - 1];
    assert!(body[..body.len() - 1].iter().all(|l| l.len() == 64));
    assert!((1..=64).contains(&body[body.len() - 1].len()));
}

#[test]
fn openssh_private_shape() {
    let key = generate_rsa(&mut seeded(2), 2048, "a comment").unwrap();
    let text = key.into_private_openssh().unwrap();
    assert!(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    assert!(text.ends_with("-----END OPENSSH PRIVATE KEY-----\n"));
}

#[test]
fn seeded_is_deterministic() {
    let a = generate_rsa(&mut seeded(3), 2048, "c").unwrap();
    let b = generate_rsa(&mut seeded(3), 2048, "c").unwrap();
    assert_eq!(a.public_line(), b.public_line());
    assert_eq!(
        a.into_private_pem().unwrap().as_str(),
        b.into_private_pem().unwrap().as_str()
    );
}

#[test]
fn unsupported_sizes_are_errors() {
    for bits in [
        0,
        1,
        2,
        64,
        512,
        1024,
        2047,
        2049,
        3000,
        4095,
        4097,
        8192,
        usize::MAX,
    ] {
        let err = generate_rsa(&mut seeded(4), bits, "c").unwrap_err();
        assert_eq!(err, Error::UnsupportedKeySize { bits });
    }
}

#[test]
fn bad_comments_are_errors() {
    for comment in [
        "a\nb",
        "a\rb",
        "a\0b",
        "\tx",
        " x",
        "x ",
        "x\u{7f}",
        "x\u{2028}y",
    ] {
        let err = generate_rsa(&mut seeded(5), 2048, comment).unwrap_err();
        assert_eq!(err, Error::InvalidComment, "{comment:?}");
    }
}

#[test]
fn debug_shows_nothing_secret() {
    let key = generate_rsa(&mut seeded(6), 2048, "c").unwrap();
    let dbg = format!("{key:?}");
    assert!(dbg.starts_with("GeneratedKey"));
    assert!(dbg.len() < 300, "{dbg}");
}

// ----- the glue's promises, checked on the key rsa reads back ---------------------------------

mod glue {
    use super::*;
    use crypto_bigint::ConcatenatingMul as _;
    use rsa::BoxedUint;
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};

    fn check(bits: usize, seed: u8) {
        let key = generate_rsa(&mut seeded(seed), bits, "glue").unwrap();
        let pem = key.into_private_pem().unwrap();
        let k = rsa::PrivateKey::from_pkcs1_pem(&pem).unwrap();
        k.validate().unwrap();
        let half = u32::try_from(bits / 2).unwrap();
        assert_eq!(k.n().bit_width_vartime(), u32::try_from(bits).unwrap());
        assert_eq!(k.e(), &BoxedUint::from(65537u64));
        let [p, q] = k.primes() else {
            panic!("two primes")
        };
        assert_ne!(p.as_ref(), q.as_ref());
        let e = BoxedUint::from(65537u64);
        let e_nz = crypto_bigint::NonZero::new(e.clone()).unwrap();
        for prime in [p.as_ref(), q.as_ref()] {
            assert_eq!(prime.bit_width_vartime(), half);
            assert!(prime.bit_vartime(half - 1) && prime.bit_vartime(half - 2));
            assert!(crypto_primes::is_prime(crypto_primes::Flavor::Any, prime));
            // e is prime, so gcd(e, p - 1) = 1 exactly when e does not divide p - 1.
            let minus_one = prime.wrapping_sub(BoxedUint::one());
            assert!(!trimmed(&minus_one.rem_vartime(&e_nz)).is_empty());
            // d e = 1 mod (p - 1) (and the CRT values are rsa's own, checked by validate()).
            let m = crypto_bigint::NonZero::new(minus_one).unwrap();
            assert_eq!(trimmed(&k.d().concatenating_mul(&e).rem_vartime(&m)), [1]);
        }
    }

    fn trimmed(x: &BoxedUint) -> Vec<u8> {
        x.to_be_bytes_trimmed_vartime().into_vec()
    }

    #[test]
    fn key_2048() {
        for seed in 10..13 {
            check(2048, seed);
        }
    }

    #[test]
    fn key_3072() {
        check(3072, 20);
    }

    #[test]
    fn key_4096() {
        check(4096, 30);
    }

    #[test]
    fn thread_count_does_not_change_the_key() {
        let one = generate_rsa(&mut seeded(40), 2048, "t")
            .unwrap()
            .public_line();
        for threads in [0, 2, 3] {
            let many = keypairs::generate_rsa_parallel(&mut seeded(40), 2048, "t", threads)
                .unwrap()
                .public_line();
            assert_eq!(one, many, "{threads} threads");
        }
    }

    #[test]
    fn openssh_text_decodes_to_the_same_key() {
        let key = generate_rsa(&mut seeded(41), 2048, "me@host").unwrap();
        let line = key.public_line();
        let text = key.into_private_openssh().unwrap();
        let decoded = ssh_key::PrivateKey::from_openssh(text.as_str()).unwrap();
        assert_eq!(decoded.comment(), "me@host");
        assert_eq!(decoded.public_key().to_openssh().unwrap(), line);
        let ssh_key::private::KeypairData::Rsa(rsa_pair) = decoded.key_data() else {
            panic!("an RSA key")
        };
        let k = rsa::PrivateKey::from_p_q(
            BoxedUint::from_be_slice_vartime(rsa_pair.private.p.as_positive_bytes().unwrap()),
            BoxedUint::from_be_slice_vartime(rsa_pair.private.q.as_positive_bytes().unwrap()),
            BoxedUint::from(65537u64),
        )
        .unwrap();
        let iqmp = k.crt_coefficient().unwrap();
        assert_eq!(
            rsa_pair.private.iqmp.as_positive_bytes().unwrap(),
            &*iqmp.to_be_bytes_trimmed_vartime()
        );
    }
}

#[test]
fn never_panics_for_any_size() {
    let mut rng = seeded(50);
    for bits in (0..5000)
        .step_by(7)
        .chain([usize::MAX, usize::MAX / 2, 1 << 20])
    {
        match generate_rsa(&mut rng, bits, "x") {
            Ok(key) => {
                assert!(keypairs::SUPPORTED_RSA_BITS.contains(&bits) && key.bits() as usize == bits)
            }
            Err(e) => assert_eq!(e, Error::UnsupportedKeySize { bits }),
        }
    }
}

#[test]
fn seeded_is_deterministic_for_each_size() {
    for bits in keypairs::SUPPORTED_RSA_BITS {
        let a = generate_rsa(&mut seeded(60), bits, "c").unwrap();
        let b = generate_rsa(&mut seeded(60), bits, "c").unwrap();
        assert_eq!(a.bits() as usize, bits);
        assert_eq!(a.public_line(), b.public_line());
        assert_eq!(
            a.into_private_openssh().unwrap().as_str(),
            b.into_private_openssh().unwrap().as_str()
        );
    }
}

#[test]
fn failing_rng_is_an_error() {
    struct Broken;
    impl rand_core::TryRng for Broken {
        type Error = core::fmt::Error;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Err(core::fmt::Error)
        }
    }
    impl rand_core::TryCryptoRng for Broken {}
    assert_eq!(
        generate_rsa(&mut Broken, 2048, "x").unwrap_err(),
        Error::Crypto
    );
}

// ----- against real tools: ssh-keygen, openssl, Python cryptography ---------------------------

mod tools {
    use super::*;
    use crate::keyfile::KeyFile;
    use crate::tools::in_ci;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    /// Runs a tool; `None` (with a skip notice) if it is not installed, a failure in CI.
    fn run(program: &str, args: &[&str], stdin: &[u8]) -> Option<std::process::Output> {
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(!in_ci(), "CI is set but {program} is not installed");
                eprintln!("skipping: {program} not found");
                return None;
            }
            Err(e) => panic!("cannot run {program}: {e}"),
        };
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        Some(child.wait_with_output().unwrap())
    }

    fn ok(out: &std::process::Output, what: &str) -> String {
        assert!(
            out.status.success(),
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout.clone()).unwrap()
    }

    fn without_comment(line: &str) -> &str {
        let mut it = line.splitn(3, ' ');
        let (t, b) = (it.next().unwrap(), it.next().unwrap());
        &line[..t.len() + 1 + b.len()]
    }

    #[test]
    fn ssh_keygen_reads_both_private_formats() {
        for (i, format) in [PrivateKeyFormat::Pem, PrivateKeyFormat::OpenSsh]
            .into_iter()
            .enumerate()
        {
            let key = generate_rsa(
                &mut seeded(70 + u8::try_from(i).unwrap()),
                2048,
                NOVA_COMMENT,
            )
            .unwrap();
            let line = key.public_line();
            let md5 = key.md5_fingerprint().prefixed();
            let sha256 = key.sha256_fingerprint().to_string();
            let (_, private) = key.into_private(format).unwrap();
            let file = KeyFile::new(&format!("{format:?}"), &private);

            let Some(out) = run("ssh-keygen", &["-y", "-f", file.path()], b"") else {
                return;
            };
            let derived = ok(&out, "ssh-keygen -y");
            assert_eq!(without_comment(derived.trim_end()), without_comment(&line));

            let out = run("ssh-keygen", &["-l", "-E", "md5", "-f", file.path()], b"").unwrap();
            let listed = ok(&out, "ssh-keygen -l -E md5 (private)");
            assert!(listed.starts_with(&format!("2048 {md5} ")), "{listed}");

            let public = KeyFile::new(&format!("{format:?}.pub"), &format!("{line}\n"));
            let out = run("ssh-keygen", &["-l", "-E", "md5", "-f", public.path()], b"").unwrap();
            assert_eq!(
                ok(&out, "ssh-keygen -l -E md5"),
                format!("2048 {md5} {NOVA_COMMENT} (RSA)\n")
            );
            let out = run("ssh-keygen", &["-l", "-f", public.path()], b"").unwrap();
            assert_eq!(
                ok(&out, "ssh-keygen -l"),
                format!("2048 {sha256} {NOVA_COMMENT} (RSA)\n")
            );
        }
    }

    fn modulus_hex(key: &GeneratedKey) -> String {
        // n from our own public blob: string "ssh-rsa", mpint e, mpint n.
        let blob = key.public_key().blob();
        let mut at = 0;
        let mut fields = Vec::new();
        for _ in 0..3 {
            let len = u32::from_be_bytes(blob[at..at + 4].try_into().unwrap()) as usize;
            fields.push(&blob[at + 4..at + 4 + len]);
            at += 4 + len;
        }
        let n = fields[2].iter().skip_while(|b| **b == 0);
        n.map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn openssl_checks_the_pem() {
        for (seed, bits) in [(80u8, 2048usize), (81, 3072), (82, 4096)] {
            let key = generate_rsa(&mut seeded(seed), bits, "x").unwrap();
            let n = modulus_hex(&key);
            let pem = key.into_private_pem().unwrap();
            let Some(out) = run(
                "openssl",
                &["rsa", "-check", "-noout", "-modulus"],
                pem.as_bytes(),
            ) else {
                return;
            };
            let text = ok(&out, "openssl rsa -check");
            assert!(text.contains("RSA key ok"), "{text}");
            assert!(
                text.contains(&format!("Modulus={}", n.to_uppercase())),
                "{text}"
            );
            let out = run("openssl", &["rsa", "-noout", "-text"], pem.as_bytes()).unwrap();
            let text = ok(&out, "openssl rsa -text");
            assert!(text.contains("publicExponent: 65537 (0x10001)"), "{text}");
            assert!(
                text.contains(&format!("Private-Key: ({bits} bit, 2 primes)")),
                "{text}"
            );
        }
    }

    const PY: &str = "\
import sys
try:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
except ImportError:
    print('no-cryptography'); sys.exit(3)
k = load_pem_private_key(sys.stdin.buffer.read(), None)
n = k.private_numbers()
assert n.public_numbers.n == n.p * n.q
print(format(n.public_numbers.n, 'x'))
print(n.public_numbers.e)
print(k.key_size)
";

    #[test]
    fn python_cryptography_loads_the_pem() {
        for (seed, bits) in [(90u8, 2048usize), (91, 3072)] {
            let key = generate_rsa(&mut seeded(seed), bits, "x").unwrap();
            let n = modulus_hex(&key);
            let pem = key.into_private_pem().unwrap();
            let Some(out) = run("python3", &["-c", PY], pem.as_bytes()) else {
                return;
            };
            if out.status.code() == Some(3) {
                assert!(!in_ci(), "CI is set but Python cryptography is missing");
                eprintln!("skipping: Python cryptography not installed");
                return;
            }
            let text = ok(&out, "python3 cryptography");
            assert_eq!(text, format!("{n}\n65537\n{bits}\n"));
        }
    }

    #[test]
    fn nova_vector_matches_ssh_keygen() {
        let file = KeyFile::new("nova", NOVA_RSA_PRV);
        let Some(out) = run("ssh-keygen", &["-y", "-f", file.path()], b"") else {
            return;
        };
        let derived = ok(&out, "ssh-keygen -y");
        assert_eq!(
            without_comment(derived.trim_end()),
            without_comment(NOVA_RSA_PUB)
        );
        let out = run("ssh-keygen", &["-l", "-E", "md5", "-f", file.path()], b"").unwrap();
        assert!(ok(&out, "ssh-keygen -l").contains(&format!("MD5:{NOVA_RSA_FP}")));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any comment either comes back unchanged from the public line or is `InvalidComment`.
    #[test]
    fn comments_round_trip_or_are_refused(comment in proptest::prelude::any::<String>()) {
        match GeneratedKey::from_pkcs1_pem(NOVA_RSA_PRV, &comment) {
            Ok(key) => {
                let line = key.public_line();
                let policy = keypairs::Policy::inspect().with_max_input_len(line.len());
                let back = keypairs::parse_public_key_with(line.as_bytes(), &policy).unwrap();
                proptest::prop_assert_eq!(back.comment(), comment.as_str());
                proptest::prop_assert_eq!(back.md5_fingerprint().to_string(), NOVA_RSA_FP);
            }
            Err(e) => proptest::prop_assert_eq!(e, Error::InvalidComment),
        }
    }
}

// ----- the CLI: keypairs create ------------------------------------------------------------------

#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;
    use std::process::Command;

    fn keypairs(args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_keypairs"))
            .args(args)
            .output()
            .unwrap()
    }

    fn temp_path(tag: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("keypairs-create-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        let _ = std::fs::remove_file(format!("{}.pub", p.display()));
        p
    }

    #[test]
    fn private_key_file_is_0600_and_never_overwritten() {
        let path = temp_path("file");
        let p = path.to_str().unwrap();
        let out = keypairs(&["create", "--format", "openssh", "--private-key-out", p]);
        assert!(out.status.success(), "{out:?}");
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        // stdout: public line, MD5, SHA-256; no private key.
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        let key = parse_public_key(lines[0].as_bytes()).unwrap();
        assert_eq!(key.comment(), NOVA_COMMENT);
        assert_eq!(lines[1], key.md5_fingerprint().to_string());
        assert_eq!(lines[2], key.sha256_fingerprint().to_string());
        let decoded = ssh_key::PrivateKey::from_openssh(&text).unwrap();
        assert_eq!(decoded.public_key().to_openssh().unwrap(), lines[0]);

        // A second run must not touch the file.
        let again = keypairs(&["create", "--private-key-out", p]);
        assert_eq!(again.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_file(format!("{p}.pub")).unwrap();
    }

    #[test]
    fn json_with_the_private_key_on_stdout() {
        let out = keypairs(&["create", "--json", "--comment", "me@host", "--threads", "2"]);
        assert!(out.status.success(), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let line = v["public_key"].as_str().unwrap();
        let key = parse_public_key(line.as_bytes()).unwrap();
        assert_eq!(key.comment(), "me@host");
        assert_eq!(v["fingerprint"], key.md5_fingerprint().to_string());
        assert_eq!(
            v["fingerprint_sha256"],
            key.sha256_fingerprint().to_string()
        );
        let pem = v["private_key"].as_str().unwrap();
        let back = GeneratedKey::from_pkcs1_pem(pem, "me@host").unwrap();
        assert_eq!(back.public_line(), line);
    }

    #[test]
    fn json_leaves_the_private_key_out_when_written_to_a_file() {
        let path = temp_path("json");
        let out = keypairs(&[
            "create",
            "--json",
            "--private-key-out",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v.get("private_key").is_none());
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
        );
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_file(format!("{}.pub", path.display())).unwrap();
    }

    #[test]
    fn bad_size_and_comment_are_refused() {
        let out = keypairs(&["create", "--bits", "1024", "--json"]);
        assert_eq!(out.status.code(), Some(1));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "unsupported_key_size");
        let out = keypairs(&["create", "--comment", " padded "]);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
    }
}
