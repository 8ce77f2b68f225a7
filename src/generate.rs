//! RSA key generation: the create half of the os-keypairs API.
//!
//! [`generate_rsa`] makes an RSA key (2048, 3072 or 4096 bits, e = 65537) from an injected RNG and
//! returns a [`GeneratedKey`]: the public half as a parsed [`PublicKey`] (so the line and the
//! fingerprints come from the same code as an import), and the private half, which can only be
//! turned into text once, as OpenSSH or PKCS#1 PEM, by consuming the key.

use core::fmt;

use base64::Engine as _;
use crypto_bigint::Uint;
use rsa::BoxedUint;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::fingerprint::{Md5Fingerprint, Sha256Fingerprint};
use crate::key::PublicKey;
use crate::policy::Policy;
use crate::wire::{put_mpint, put_string};

mod primes;

mod ec_key;
#[cfg(feature = "encryption")]
mod encrypt;
pub use ec_key::{GeneratedEcKey, SUPPORTED_ECDSA_BITS, generate_ecdsa, generate_ed25519};
#[cfg(feature = "getrandom")]
pub use ec_key::{generate_ecdsa_os, generate_ed25519_os};
#[cfg(feature = "encryption")]
pub use encrypt::{DEFAULT_KDF_ROUNDS, MAX_KDF_ROUNDS};

/// Key size used when none is given (Nova's `crypto.generate_key_pair(bits=2048)`).
pub const DEFAULT_RSA_BITS: usize = 2048;

/// The RSA key sizes generation offers.
pub const SUPPORTED_RSA_BITS: [usize; 3] = [2048, 3072, 4096];

/// The public exponent of every generated key.
pub const RSA_PUBLIC_EXPONENT: u32 = 65537;

/// The comment Nova puts on the public keys it generates.
pub const NOVA_COMMENT: &str = "Generated-by-Nova";

/// Text format of a generated private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PrivateKeyFormat {
    /// `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1 PEM, unencrypted): what Nova's API returned.
    #[default]
    Pem,
    /// `-----BEGIN OPENSSH PRIVATE KEY-----` (unencrypted): what `ssh-keygen` writes today.
    OpenSsh,
}

/// A freshly generated RSA key pair.
///
/// The public half is an ordinary [`PublicKey`]. The private half is zeroized on drop, never
/// shown by `Debug`, cannot be cloned, and leaves the value only as text, by consuming it
/// ([`GeneratedKey::into_private_pem`], [`GeneratedKey::into_private_openssh`],
/// [`GeneratedKey::into_private`]).
///
/// ```
/// # fn main() -> Result<(), keypairs::Error> {
/// use rand_chacha::ChaCha20Rng;
/// use rand_core::SeedableRng as _;
///
/// let mut rng = ChaCha20Rng::from_seed([7; 32]); // use an OS RNG for real keys
/// let key = keypairs::generate_rsa(&mut rng, 2048, keypairs::NOVA_COMMENT)?;
/// let public_line = key.public_line(); // "ssh-rsa AAAA... Generated-by-Nova"
/// let fingerprint = key.md5_fingerprint().to_string(); // "aa:bb:...", as the API returns it
/// let pem = key.into_private_pem()?; // `key` is gone; `pem` is zeroized when dropped
/// assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
/// # let _ = (public_line, fingerprint);
/// # Ok(())
/// # }
/// ```
///
/// It cannot be cloned:
///
/// ```compile_fail
/// fn needs_clone<T: Clone>() {}
/// needs_clone::<keypairs::GeneratedKey>();
/// ```
pub struct GeneratedKey {
    public: PublicKey,
    private: rsa::PrivateKey,
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// The private half (`rsa::PrivateKey`) zeroizes its secret values on drop.
impl zeroize::ZeroizeOnDrop for GeneratedKey {}

impl GeneratedKey {
    /// Loads an existing unencrypted PKCS#1 PEM RSA key (`-----BEGIN RSA PRIVATE KEY-----`) and
    /// gives it `comment`, exactly as if it had just been generated: this is how Nova's
    /// `generate_key_pair` is pinned against its test key (`rsa_prv` -> `rsa_pub`).
    ///
    /// # Errors
    /// - [`Error::InvalidPrivateKey`] if `pem` is not such a key (nothing of it is echoed).
    /// - [`Error::InvalidComment`] as for [`generate_rsa`].
    pub fn from_pkcs1_pem(pem: &str, comment: &str) -> Result<Self> {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        check_comment(comment)?;
        let private = rsa::PrivateKey::from_pkcs1_pem(pem).map_err(|_| Error::InvalidPrivateKey)?;
        if private.primes().len() != 2 {
            return Err(Error::InvalidPrivateKey);
        }
        finish(private, comment)
    }

    /// The public key (type, bits, comment, fingerprints).
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The public key as one OpenSSH line, `ssh-rsa AAAA... COMMENT`, without a trailing newline.
    #[must_use]
    pub fn public_line(&self) -> String {
        self.public.to_openssh()
    }

    /// Modulus size in bits.
    #[must_use]
    pub const fn bits(&self) -> u32 {
        self.public.bits()
    }

    /// MD5 fingerprint (the API's `fingerprint`), computed as for an imported key.
    #[must_use]
    pub fn md5_fingerprint(&self) -> Md5Fingerprint {
        self.public.md5_fingerprint()
    }

    /// SHA-256 fingerprint, computed as for an imported key.
    #[must_use]
    pub fn sha256_fingerprint(&self) -> Sha256Fingerprint {
        self.public.sha256_fingerprint()
    }

    /// The private key as PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`, 64-character lines, a
    /// trailing newline), as Nova returned it.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the encoder fails (not expected for a generated key).
    pub fn into_private_pem(self) -> Result<Zeroizing<String>> {
        private_pem(&self.private)
    }

    /// The private key as unencrypted OpenSSH text (`-----BEGIN OPENSSH PRIVATE KEY-----`), with
    /// the public key's comment inside.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the encoder fails (not expected for a generated key).
    pub fn into_private_openssh(self) -> Result<Zeroizing<String>> {
        private_openssh(&self.private, self.public.comment())
    }

    /// The private key as OpenSSH text encrypted with `passphrase`, as `ssh-keygen -N` writes it
    /// (aes256-ctr, bcrypt-pbkdf with `rounds` rounds over a random salt from `rng`); see
    /// [`GeneratedEcKey::into_private_openssh_encrypted`].
    ///
    /// # Errors
    /// - [`Error::EmptyPassphrase`], [`Error::KdfRounds`] for a passphrase or round count refused.
    /// - [`Error::Crypto`] if the RNG or the KDF fails; [`Error::Encoding`] if the encoder does.
    #[cfg(feature = "encryption")]
    pub fn into_private_openssh_encrypted<R: rand_core::TryCryptoRng + ?Sized>(
        self,
        rng: &mut R,
        passphrase: &[u8],
        rounds: u32,
    ) -> Result<Zeroizing<String>> {
        let key = openssh_key(&self.private, self.public.comment())?;
        encrypt::encrypted_openssh(&key, rng, passphrase, rounds)
    }

    /// The private key in `format`, together with the public key, consuming `self`.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the encoder fails (not expected for a generated key).
    pub fn into_private(self, format: PrivateKeyFormat) -> Result<(PublicKey, Zeroizing<String>)> {
        let Self { public, private } = self;
        let text = match format {
            PrivateKeyFormat::Pem => private_pem(&private)?,
            PrivateKeyFormat::OpenSsh => private_openssh(&private, public.comment())?,
        };
        Ok((public, text))
    }
}

/// Generates an RSA key of `bits` bits (2048, 3072 or 4096; e = 65537) from `rng`, with
/// `comment` on its public line, on the calling thread.
///
/// The same RNG state gives the same key every time (and the same key as
/// [`generate_rsa_parallel`] with any number of threads).
///
/// # Errors
/// - [`Error::UnsupportedKeySize`] for any other size.
/// - [`Error::InvalidComment`] if `comment` cannot go on a one-line public key unchanged
///   (control characters, line breaks, leading or trailing whitespace).
/// - [`Error::Crypto`] if the RNG fails.
pub fn generate_rsa<R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
    bits: usize,
    comment: &str,
) -> Result<GeneratedKey> {
    generate_rsa_parallel(rng, bits, comment, 1)
}

/// [`generate_rsa`] with the prime search spread over `threads` threads (the calling thread is
/// one of them; `0` means one per available core). The threads race on the same prime, so two
/// cores take about half the time of one.
///
/// The key depends only on the RNG: for the same RNG state every thread count gives the key
/// [`generate_rsa`] gives.
///
/// # Errors
/// As [`generate_rsa`].
pub fn generate_rsa_parallel<R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
    bits: usize,
    comment: &str,
    threads: usize,
) -> Result<GeneratedKey> {
    check_request(bits, comment)?;
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, core::num::NonZeroUsize::get),
        n => n,
    }
    .min(MAX_THREADS);
    let private = match bits {
        2048 => private_key::<16, R>(rng, threads)?,
        3072 => private_key::<24, R>(rng, threads)?,
        4096 => private_key::<32, R>(rng, threads)?,
        _ => return Err(Error::UnsupportedKeySize { bits }),
    };
    finish(private, comment)
}

/// [`generate_rsa`] with the operating system's RNG.
///
/// # Errors
/// As [`generate_rsa`]; [`Error::Crypto`] also if the OS RNG fails.
#[cfg(feature = "getrandom")]
pub fn generate_rsa_os(bits: usize, comment: &str) -> Result<GeneratedKey> {
    generate_rsa(&mut getrandom::SysRng, bits, comment)
}

/// Most threads [`generate_rsa_parallel`] uses.
const MAX_THREADS: usize = 64;

/// Attempts before giving up on a pair of primes that `rsa` refuses (never seen: each attempt
/// fails with a probability far below 2^-90).
const MAX_ATTEMPTS: usize = 8;

/// Two primes of `64 * L` bits each (top two bits set, so n has exactly `128 * L` bits), at
/// least `2^(64 L - 100)` apart (FIPS 186-5 A.1.3), then `rsa` derives d, dp, dq and qinv from
/// them and checks the key (`PrivateKey::from_p_q` validates and precomputes).
fn private_key<const L: usize, R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
    threads: usize,
) -> Result<rsa::PrivateKey> {
    let half_bits = Uint::<L>::BITS;
    for _ in 0..MAX_ATTEMPTS {
        let seeds = [stream_seed(rng)?, stream_seed(rng)?];
        let primes = primes::find_primes::<L>(&seeds, RSA_PUBLIC_EXPONENT, threads)?;
        let [p, q] = primes.as_slice() else {
            return Err(Error::Crypto);
        };
        let distance = Zeroizing::new(if **p > **q {
            p.wrapping_sub(q)
        } else {
            q.wrapping_sub(p)
        });
        if distance.bit_width_vartime() <= half_bits - 100 {
            continue;
        }
        let Ok(key) = rsa::PrivateKey::from_p_q(
            BoxedUint::from(&**p),
            BoxedUint::from(&**q),
            BoxedUint::from(u64::from(RSA_PUBLIC_EXPONENT)),
        ) else {
            continue;
        };
        if key.n().bit_width_vartime() == 2 * half_bits {
            return Ok(key);
        }
    }
    Err(Error::Crypto)
}

fn stream_seed<R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
) -> Result<Zeroizing<primes::Seed>> {
    let mut seed = Zeroizing::new(primes::Seed::default());
    rng.try_fill_bytes(seed.as_mut())
        .map_err(|_| Error::Crypto)?;
    Ok(seed)
}

fn check_request(bits: usize, comment: &str) -> Result<()> {
    if !SUPPORTED_RSA_BITS.contains(&bits) {
        return Err(Error::UnsupportedKeySize { bits });
    }
    check_comment(comment)
}

/// A comment must survive the round trip through a public line unchanged.
fn check_comment(comment: &str) -> Result<()> {
    let bad_char = comment
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}');
    let bad_edges =
        comment.starts_with(char::is_whitespace) || comment.ends_with(char::is_whitespace);
    if bad_char || bad_edges {
        return Err(Error::InvalidComment);
    }
    Ok(())
}

fn finish(private: rsa::PrivateKey, comment: &str) -> Result<GeneratedKey> {
    let mut blob = Vec::with_capacity(private.size() + 32);
    put_string(&mut blob, b"ssh-rsa");
    put_mpint(&mut blob, &private.e().to_be_bytes());
    put_mpint(&mut blob, &private.n().to_be_bytes());
    let mut line = String::from("ssh-rsa ");
    base64::engine::general_purpose::STANDARD.encode_string(&blob, &mut line);
    let bare_len = line.len();
    if !comment.is_empty() {
        line.push(' ');
        line.push_str(comment);
    }
    // The public key goes through the import parser, so that the line, the fingerprints and
    // every check are those of an import.
    let policy = Policy::inspect().with_max_input_len(line.len());
    let public = match crate::parse::parse_public_key_with(line.as_bytes(), &policy) {
        Ok(public) => public,
        Err(e) => {
            // Without the comment the line parses: then the comment is what the parser refused.
            let bare = line.get(..bare_len).unwrap_or_default();
            return Err(
                match crate::parse::parse_public_key_with(bare.as_bytes(), &policy) {
                    Ok(_) => Error::InvalidComment,
                    Err(_) => e,
                },
            );
        }
    };
    if public.comment() != comment {
        return Err(Error::InvalidComment);
    }
    Ok(GeneratedKey { public, private })
}

fn private_pem(private: &rsa::PrivateKey) -> Result<Zeroizing<String>> {
    use rsa::pkcs1::der::pem::PemLabel as _;
    use rsa::pkcs1::{EncodeRsaPrivateKey as _, LineEnding, RsaPrivateKey, UintRef};
    let ([p, q], Some((dp, dq, qinv))) = (private.primes(), crt_values(private)) else {
        // Not expected (every key here is precomputed): `rsa`'s encoder recomputes the values.
        return private
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|_| Error::Encoding);
    };
    let n = private.n().to_be_bytes();
    let e = private.e().to_be_bytes();
    let d = Zeroizing::new(private.d().to_be_bytes());
    let p = Zeroizing::new(p.to_be_bytes());
    let q = Zeroizing::new(q.to_be_bytes());
    let dp = Zeroizing::new(dp.to_be_bytes());
    let dq = Zeroizing::new(dq.to_be_bytes());
    let qinv = Zeroizing::new(qinv.to_be_bytes());
    let uint = |bytes| UintRef::new(bytes).map_err(|_| Error::Encoding);
    let key = RsaPrivateKey {
        modulus: uint(&n)?,
        public_exponent: uint(&e)?,
        private_exponent: uint(&d)?,
        prime1: uint(&p)?,
        prime2: uint(&q)?,
        exponent1: uint(&dp)?,
        exponent2: uint(&dq)?,
        coefficient: uint(&qinv)?,
        other_prime_infos: None,
    };
    rsa::pkcs1::der::SecretDocument::encode_msg(&key)
        .and_then(|doc| doc.to_pem(RsaPrivateKey::<UintRef<'_>>::PEM_LABEL, LineEnding::LF))
        .map_err(|_| Error::Encoding)
}

/// The key's precomputed CRT values: d mod (p-1), d mod (q-1), q^-1 mod p (`rsa`'s encoders
/// compute them again, about 100 µs for a 2048-bit key).
fn crt_values(private: &rsa::PrivateKey) -> Option<(&BoxedUint, &BoxedUint, Zeroizing<BoxedUint>)> {
    Some((
        private.dp()?,
        private.dq()?,
        Zeroizing::new(private.qinv()?.retrieve()),
    ))
}

/// Big-endian bytes of a secret integer with one leading zero byte, in a zeroizing buffer (the
/// leading zero lets `Mpint::from_positive_bytes` build its copy without reallocating).
fn secret_bytes(x: &BoxedUint) -> Zeroizing<Vec<u8>> {
    let raw = Zeroizing::new(x.to_be_bytes());
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len() + 1));
    out.push(0);
    out.extend_from_slice(&raw);
    out
}

fn mpint(bytes: &[u8]) -> Result<ssh_key::Mpint> {
    ssh_key::Mpint::from_positive_bytes(bytes).map_err(|_| Error::Encoding)
}

/// The key as `ssh_key`'s private key (which zeroizes its secret values on drop).
fn openssh_key(private: &rsa::PrivateKey, comment: &str) -> Result<ssh_key::PrivateKey> {
    let [p, q] = private.primes() else {
        return Err(Error::Encoding);
    };
    let iqmp = match crt_values(private) {
        Some((_, _, qinv)) => qinv,
        None => Zeroizing::new(private.crt_coefficient().ok_or(Error::Encoding)?),
    };
    let public = ssh_key::public::RsaPublicKey {
        e: mpint(&secret_bytes(private.e()))?,
        n: mpint(&secret_bytes(private.n()))?,
    };
    let secret = ssh_key::private::RsaPrivateKey {
        d: mpint(&secret_bytes(private.d()))?,
        iqmp: mpint(&secret_bytes(&iqmp))?,
        p: mpint(&secret_bytes(p))?,
        q: mpint(&secret_bytes(q))?,
    };
    let keypair = ssh_key::private::RsaKeypair {
        public,
        private: secret,
    };
    ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Rsa(keypair), comment)
        .map_err(|_| Error::Encoding)
}

fn private_openssh(private: &rsa::PrivateKey, comment: &str) -> Result<Zeroizing<String>> {
    openssh_key(private, comment)?
        .to_openssh(ssh_key::LineEnding::LF)
        .map_err(|_| Error::Encoding)
}

#[cfg(test)]
mod tests {
    use rand_chacha::rand_core::SeedableRng as _;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;

    use super::*;

    fn keys() -> Vec<rsa::PrivateKey> {
        let nova = include_str!("../tests/data/nova/rsa_prv.pem");
        let mut keys = vec![GeneratedKey::from_pkcs1_pem(nova, "").unwrap().private];
        for (seed, bits) in [(1, 2048), (2, 2048), (3, 3072), (4, 4096)] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            keys.push(generate_rsa(&mut rng, bits, "").unwrap().private);
        }
        keys
    }

    /// The PEM written from the precomputed CRT values is `rsa`'s own encoding, byte for byte.
    #[test]
    fn pem_from_precomputed_values_is_rsas_encoding() {
        for key in keys() {
            let ours = private_pem(&key).unwrap();
            let theirs = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
            assert_eq!(*ours, *theirs);
            let (_, _, qinv) = crt_values(&key).unwrap();
            assert_eq!(*qinv, key.crt_coefficient().unwrap());
        }
        // Nova's test key comes back as Nova wrote it.
        let nova = include_str!("../tests/data/nova/rsa_prv.pem");
        let key = GeneratedKey::from_pkcs1_pem(nova, "").unwrap();
        assert_eq!(key.into_private_pem().unwrap().trim_end(), nova.trim_end());
    }
}
