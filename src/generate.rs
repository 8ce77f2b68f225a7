//! RSA key generation (the create half of the API). OWNED BY THE GENERATION WORK (issue 4).
//!
//! Planned public API (keep these names; add more as needed):
//! - `pub fn generate_rsa<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R, bits: usize, comment: &str) -> Result<GeneratedKey>`
//! - `#[cfg(feature = "getrandom")] pub fn generate_rsa_os(bits: usize, comment: &str) -> Result<GeneratedKey>`
//! - `GeneratedKey::public_key(&self) -> &PublicKey`, `public_line(&self) -> String`,
//!   `md5_fingerprint()`, `sha256_fingerprint()`,
//!   `into_private_openssh(self) -> Result<Zeroizing<String>>`, `into_private_pem(self) -> Result<Zeroizing<String>>`
