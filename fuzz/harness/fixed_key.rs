//! The one 2048-bit RSA key that the api_request and encode_generated harnesses hand out instead
//! of generating one per input (each fuzz target and tests/library/fuzz_corpus.rs include this
//! file as `fixed_key`, beside the harness).

use keypairs::{Error, GeneratedKey};
use rand_chacha::rand_core::SeedableRng as _;
use zeroize::Zeroizing;

/// A key generated from a seeded RNG (empty comment) and its PKCS#1 PEM, checked once to reload
/// to the same public line, so that a PEM equal to it reloads too.
pub(crate) struct FixedRsaKey {
    key: GeneratedKey,
    pub(crate) pem: Zeroizing<String>,
}

impl FixedRsaKey {
    /// Generates the key from `seed`.
    ///
    /// # Panics
    /// If generation, the PEM encoding or its reload fails.
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let generated = keypairs::generate_rsa(&mut rng, 2048, "").expect("generation works");
        let line = generated.public_line();
        let pem = generated.into_private_pem().expect("PEM encoding works");
        let key = GeneratedKey::from_pkcs1_pem(&pem, "").expect("the PEM reloads");
        assert_eq!(key.public_line(), line, "the PEM's public line");
        Self { key, pem }
    }

    /// The public line `ssh-rsa BLOB` (no comment).
    #[allow(
        dead_code,
        reason = "read by encode_generated; the api_request target includes this file too"
    )]
    pub(crate) fn public_line(&self) -> String {
        self.key.public_line()
    }

    /// The key with `comment`, as `GeneratedKey::from_pkcs1_pem` gives it: in fuzz builds a copy
    /// (`GeneratedKey::fuzzing_copy`, no reload), elsewhere (the replay test) that reload.
    pub(crate) fn with_comment(&self, comment: &str) -> Result<GeneratedKey, Error> {
        #[cfg(fuzzing)]
        return self.key.fuzzing_copy(comment);
        #[cfg(not(fuzzing))]
        GeneratedKey::from_pkcs1_pem(&self.pem, comment)
    }
}
