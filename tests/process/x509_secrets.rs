//! Freed-memory hygiene of an x509 create (the certificate, signed from the key's CRT values,
//! and the PKCS#12 bundle): no heap block the create frees still holds p, q, d, dp, dq or qinv,
//! as big-endian bytes (as DER and PKCS#8 carry them) or as little-endian limbs (as integers
//! lie in memory), the bundle (whose key is under the empty password, so as secret as the key)
//! or the bundle's base64.
//!
//! A recording global allocator (tests/process/watch.rs) scans every block before it is freed
//! (and the old block of every reallocation) for those byte strings. Trials of its binary run one at a time, so nothing
//! else frees memory while a create is watched.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::watch;

use std::time::{Duration, UNIX_EPOCH};

use keypairs::api::{self, Context, KeySource, Microversion};
use keypairs::{Error, GeneratedKey};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng as _;
use rsa::traits::PrivateKeyParts as _;

/// Hands out the same generated key each time (from the seeded RNG) and fixed random bytes.
struct SeededKeys;

impl KeySource for SeededKeys {
    fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error> {
        keypairs::generate_rsa(&mut ChaCha8Rng::from_seed([9; 32]), bits, comment)
    }

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
        out.fill(0x33);
        Ok(())
    }
}

/// The `private_key` of an x509 create: the PKCS#12 bundle in base64.
fn bundle_base64(created: &api::Created) -> &str {
    created
        .response()
        .keypair
        .private_key
        .as_ref()
        .unwrap()
        .secret_pem()
}

fn create() -> api::Created {
    let ctx = Context::new("winrm-user", Microversion::new(2).unwrap())
        .with_now(UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    let body = br#"{"keypair": {"name": "winrm", "type": "x509"}}"#;
    api::handle(body, &ctx, &|_: &str, _: &str| false, &mut SeededKeys).unwrap()
}

/// Windows of `len` bytes of `bytes`, every `step` bytes.
fn windows(
    label: &'static str,
    bytes: &[u8],
    len: usize,
    step: usize,
) -> Vec<(&'static str, Vec<u8>)> {
    bytes
        .windows(len)
        .step_by(step)
        .map(|w| (label, w.to_vec()))
        .collect()
}

pub(crate) fn x509_create_frees_no_secret() {
    // The key and the create's output, learnt before watching (the create is deterministic).
    let key = SeededKeys
        .rsa_key(2048, keypairs::NOVA_COMMENT)
        .unwrap()
        .into_private_pem()
        .unwrap();
    let key = <rsa::PrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_pem(&key).unwrap();
    let first = create();
    let b64 = bundle_base64(&first).to_owned();
    let pfx = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &b64).unwrap();
    drop(first);

    // p, q, d, dp, dq, qinv as big-endian magnitudes (as DER INTEGERs hold them) and as
    // little-endian bytes (as 64-bit limbs lie in memory): 16-byte chunks every 32 bytes, so
    // any freed copy of 47 or more consecutive bytes of a value is found.
    let be = |n: &rsa::BoxedUint| {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        bytes[skip..].to_vec()
    };
    let p = key.primes()[0].as_ref().clone();
    let q = key.primes()[1].as_ref().clone();
    let d = key.d().clone();
    let dp = key.dp().unwrap().clone();
    let dq = key.dq().unwrap().clone();
    let qinv = key.qinv().unwrap().retrieve();
    let mut needles = Vec::new();
    for (label_be, label_le, value) in [
        ("prime p (big-endian)", "prime p (limbs)", &p),
        ("prime q (big-endian)", "prime q (limbs)", &q),
        (
            "private exponent (big-endian)",
            "private exponent (limbs)",
            &d,
        ),
        ("dp (big-endian)", "dp (limbs)", &dp),
        ("dq (big-endian)", "dq (limbs)", &dq),
        ("qinv (big-endian)", "qinv (limbs)", &qinv),
    ] {
        let bytes = be(value);
        needles.extend(windows(label_be, &bytes, 16, 32));
        let le: Vec<u8> = bytes.iter().rev().copied().collect();
        needles.extend(windows(label_le, &le, 16, 32));
    }
    // The bundle's key bag (the PKCS#8 key under the empty password: from the
    // pkcs8ShroudedKeyBag OID to the MAC) in 48-byte windows every 128 bytes; the certificate
    // bag before it is public. The base64 of the whole bundle likewise.
    let bag_oid = [
        0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
    ];
    let at = pfx
        .windows(bag_oid.len())
        .position(|w| w == bag_oid)
        .unwrap();
    let key_bag = &pfx[at..pfx.len() - 70];
    assert!(key_bag.len() > 1200);
    needles.extend(windows("PKCS#12 key bag", key_bag, 48, 128));
    let b64_at = at / 3 * 4;
    needles.extend(windows("bundle base64", &b64.as_bytes()[b64_at..], 48, 128));
    assert!(
        needles.len() > 60 && needles.len() <= 128,
        "{}",
        needles.len()
    );

    let bytes: Vec<&[u8]> = needles.iter().map(|(_, n)| n.as_slice()).collect();
    let mut same = false;
    let seen = watch::watch(&bytes, || {
        let created = create();
        // Everything the create allocated is freed here, the reply included (it is zeroizing).
        same = bundle_base64(&created) == b64;
        drop(created);
    });

    assert!(same, "the create is deterministic");
    let scanned = seen.scanned;
    assert!(scanned > 100, "only {scanned} blocks freed");
    if let Some(i) = seen.hits.iter().position(|&h| h > 0) {
        let label = needles[i].0;
        panic!("a freed block still held the {label} ({scanned} blocks scanned)");
    }
    note!("x509 create: {scanned} freed blocks scanned, no secret left behind");
}
