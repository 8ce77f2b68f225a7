//! Freed-memory hygiene of Ed25519/ECDSA generation and passphrase encryption: a recording global
//! allocator (tests/process/watch.rs) looks at every block as it is freed (and the old block of
//! every reallocation) for 16 bytes of a secret (the Ed25519 seed, the ECDSA scalar, the
//! passphrase) while the code under test runs. A hit means a buffer that held the secret was
//! freed without being zeroized.
//!
//! Trials of its binary run one at a time, so nothing else allocates while a case is watched.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::watch;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng as _;
#[cfg(feature = "encryption")]
use zeroize::Zeroizing;

/// Bytes of a secret looked for.
const NEEDLE_LEN: usize = 16;

/// Runs `f` watching for `secret`: the freed blocks that held it, and the blocks scanned.
fn watch(secret: &[u8], f: impl FnOnce()) -> (usize, usize) {
    let seen = watch::watch(&[secret], f);
    (seen.hits[0], seen.scanned)
}

fn rng(n: u8) -> ChaCha8Rng {
    ChaCha8Rng::from_seed([n; 32])
}

/// The secret of a generated key (Ed25519 seed or ECDSA scalar), read from its OpenSSH encoding
/// before any watching starts.
fn secret_of(make: &dyn Fn() -> keypairs::GeneratedEcKey) -> Vec<u8> {
    let text = make().into_private_openssh().unwrap();
    let key = ssh_key::PrivateKey::from_openssh(&*text).unwrap();
    match key.key_data() {
        ssh_key::private::KeypairData::Ed25519(k) => k.private.to_bytes().to_vec(),
        ssh_key::private::KeypairData::Ecdsa(k) => k.private_key_bytes().to_vec(),
        _ => panic!("unexpected key type"),
    }
}

pub(crate) fn freed_memory_never_holds_a_secret() {
    type Make = Box<dyn Fn() -> keypairs::GeneratedEcKey>;
    let makers: Vec<(&str, Make)> = vec![
        (
            "ed25519",
            Box::new(|| keypairs::generate_ed25519(&mut rng(1), "c").unwrap()),
        ),
        (
            "p256",
            Box::new(|| keypairs::generate_ecdsa(&mut rng(2), 256, "c").unwrap()),
        ),
        (
            "p384",
            Box::new(|| keypairs::generate_ecdsa(&mut rng(3), 384, "c").unwrap()),
        ),
        (
            "p521",
            Box::new(|| keypairs::generate_ecdsa(&mut rng(4), 521, "c").unwrap()),
        ),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, make) in &makers {
        let secret = secret_of(make.as_ref());
        // The seed of a P-521 scalar may start with zero bytes: take 16 that are not all zero.
        let start = secret.iter().position(|&b| b != 0).unwrap_or(0);
        let needle = &secret[start..start + NEEDLE_LEN];
        type Encode<'a> = &'a dyn Fn(keypairs::GeneratedEcKey);
        let cases: Vec<(&str, Encode<'_>)> = vec![
            ("into_private_openssh", &|k| {
                drop(k.into_private_openssh().unwrap())
            }),
            ("into_private_pem", &|k| drop(k.into_private_pem().unwrap())),
            #[cfg(feature = "encryption")]
            ("into_private_openssh_encrypted", &|k| {
                drop(
                    k.into_private_openssh_encrypted(&mut rng(9), b"pw", 1)
                        .unwrap(),
                );
            }),
        ];
        for (what, encode) in cases {
            let (hits, n) = watch(needle, || encode(make()));
            checked += n;
            if hits > 0 {
                failures.push(format!(
                    "{name} {what}: {hits} freed block(s) held the secret"
                ));
            }
        }
        let (hits, n) = watch(needle, || drop(make()));
        checked += n;
        if hits > 0 {
            failures.push(format!("{name} generate + drop: {hits} freed block(s)"));
        }
    }
    // The passphrase, while a key is encrypted with it (the caller owns and wipes its buffer).
    #[cfg(feature = "encryption")]
    {
        let passphrase = Zeroizing::new(b"a passphrase of some length".to_vec());
        let (hits, n) = watch(&passphrase, || {
            let key = keypairs::generate_ed25519(&mut rng(5), "").unwrap();
            drop(
                key.into_private_openssh_encrypted(&mut rng(6), &passphrase, 2)
                    .unwrap(),
            );
        });
        checked += n;
        if hits > 0 {
            failures.push(format!("passphrase: {hits} freed block(s) held it"));
        }
    }
    note!("freed blocks inspected: {checked}");
    assert!(checked > 50, "the allocator saw too little: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
