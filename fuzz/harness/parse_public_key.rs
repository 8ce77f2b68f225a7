//! Invariants of the import parser on arbitrary bytes. Shared by the fuzz target
//! (`fuzz_targets/parse_public_key.rs`) and the corpus replay test (`tests/library/fuzz_corpus.rs`).
//!
//! - The API policy and the 16 KiB inspect policy agree on every input the API's size limit
//!   admits, and the API policy refuses longer inputs with `input_too_long`.
//! - On success: the canonical line (`to_openssh`) parses again to an equal key with the same
//!   fingerprints and the same canonical line; the base64 field of the input decodes (with the
//!   `base64` crate) to exactly the key's blob; the MD5 and SHA-256 fingerprints equal the digests
//!   of the plain-key blob (for a plain key, of the decoded blob itself) computed here.
//! - On failure: a non-empty snake_case kind and a short, non-empty message.

use super::common::check_error;
use base64::Engine as _;
use keypairs::{Error, Md5Fingerprint, Policy, PublicKey, Sha256Fingerprint};
use md5::{Digest as _, Md5};

/// Runs every invariant on one input.
///
/// # Panics
/// On a breach, with a message naming the invariant: that is how the fuzzer and the replay test
/// see it.
pub(crate) fn check(data: &[u8]) {
    let api = keypairs::parse_public_key(data);
    let inspect = keypairs::parse_public_key_with(data, &Policy::inspect());
    if data.len() <= keypairs::MAX_PUBLIC_KEY_LEN {
        assert_eq!(api, inspect, "API and inspect policies disagree");
    } else {
        assert!(
            matches!(api, Err(Error::InputTooLong { .. })),
            "input over the API limit was not refused for its size"
        );
    }
    match inspect {
        Ok(key) => check_key(data, &key),
        Err(e) => check_error(&e),
    }
}

fn check_key(data: &[u8], key: &PublicKey) {
    // Round trip through the canonical line.
    let line = key.to_openssh();
    let again = keypairs::parse_public_key_with(line.as_bytes(), &Policy::inspect())
        .expect("the canonical line of an accepted key parses");
    assert_eq!(&again, key, "the canonical line parses to another key");
    assert_eq!(again.to_openssh(), line, "the canonical line is not stable");
    assert_eq!(
        again.md5_fingerprint(),
        key.md5_fingerprint(),
        "MD5 changed on round trip"
    );
    assert_eq!(
        again.sha256_fingerprint(),
        key.sha256_fingerprint(),
        "SHA-256 changed on round trip"
    );
    assert_eq!(
        again.comment(),
        key.comment(),
        "comment changed on round trip"
    );
    assert!(
        line.len() <= data.len(),
        "the canonical line is longer than the input"
    );

    // The input's second field, decoded independently, is the key's blob.
    let text = std::str::from_utf8(data).expect("an accepted input is UTF-8");
    let mut fields = text
        .split([' ', '\t', '\r', '\n'])
        .filter(|f| !f.is_empty());
    let type_name = fields.next().expect("an accepted input has a type");
    assert_eq!(type_name, key.algorithm_name(), "type name");
    let b64 = fields.next().expect("an accepted input has key data");
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("accepted key data is base64");
    assert_eq!(
        blob,
        key.blob(),
        "the key's blob is not the decoded key data"
    );

    // Fingerprints are the digests of the plain-key blob.
    let plain = key.plain_blob();
    if !key.is_certificate() {
        assert_eq!(plain, blob, "a plain key's plain blob is not its blob");
    }
    let md5: [u8; 16] = Md5::digest(&plain).into();
    assert_eq!(
        key.md5_fingerprint().as_bytes(),
        &md5,
        "MD5 fingerprint is not MD5 of the blob"
    );
    assert_eq!(
        key.md5_fingerprint(),
        Md5Fingerprint::of_blob(&plain),
        "Md5Fingerprint::of_blob"
    );
    assert_eq!(
        key.sha256_fingerprint(),
        Sha256Fingerprint::of_blob(&plain),
        "SHA-256 fingerprint is not SHA-256 of the blob"
    );
    let hex = key.md5_fingerprint().to_string();
    assert_eq!(hex.len(), 47, "colon-hex MD5 length");
    assert_eq!(
        hex.as_bytes(),
        key.md5_fingerprint().to_colon_hex(),
        "colon-hex forms differ"
    );
}
