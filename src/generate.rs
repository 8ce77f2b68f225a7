//! RSA key generation: the create half of the os-keypairs API.
//!
//! [`generate_rsa`] makes an RSA key (2048, 3072 or 4096 bits, e = 65537) from an injected RNG and
//! returns a [`GeneratedKey`]: the public half as a parsed [`PublicKey`] (so the line and the
//! fingerprints come from the same code as an import), and the private half, which can only be
//! turned into text once, as OpenSSH or PKCS#1 PEM, by consuming the key.

use core::fmt;

use base64::Engine as _;
use crypto_bigint::{Limb, NonZero, Odd, Uint};
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::fingerprint::{Md5Fingerprint, Sha256Fingerprint};
use crate::key::PublicKey;
use crate::policy::Policy;
use crate::wire::{put_mpint, put_string};

mod montgomery;
mod primes;
mod sieve;

mod ec_key;
#[cfg(feature = "encryption")]
mod encrypt;
pub use ec_key::{GeneratedEcKey, SUPPORTED_ECDSA_BITS, generate_ecdsa, generate_ed25519};
#[cfg(feature = "getrandom")]
pub use ec_key::{generate_ecdsa_os, generate_ed25519_os};

/// `ssh-keygen`'s default bcrypt-pbkdf round count (`-a`).
pub const DEFAULT_KDF_ROUNDS: u32 = 16;

/// Most bcrypt-pbkdf rounds offered (each round costs about as much as the default's 1/16th: 4096
/// rounds take about 256 times as long to unlock as the default).
/// Also the most a private key file may ask for when it is read
/// (`read_private_key_file`), with or without the `encryption` feature.
pub const MAX_KDF_ROUNDS: u32 = 4096;

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
    private: RsaValues,
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// The private half (d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p) zeroizes its secret values on
/// drop.
impl zeroize::ZeroizeOnDrop for GeneratedKey {}

/// The values of an RSA private key as big-endian bytes without leading zeros: what the PKCS#1
/// and OpenSSH encoders need. The secret ones are in zeroizing buffers allocated at their final
/// size, so no copy of them is ever freed without being wiped first.
#[cfg_attr(fuzzing, derive(Clone))]
struct RsaValues {
    n: Vec<u8>,
    e: Vec<u8>,
    d: Zeroizing<Vec<u8>>,
    p: Zeroizing<Vec<u8>>,
    q: Zeroizing<Vec<u8>>,
    /// d mod (p - 1)
    dp: Zeroizing<Vec<u8>>,
    /// d mod (q - 1)
    dq: Zeroizing<Vec<u8>>,
    /// q^-1 mod p
    qinv: Zeroizing<Vec<u8>>,
}

/// Loads a PKCS#1 PEM key. Keys of 1024, 2048, 3072 and 4096 bits with a 32-bit public
/// exponent are decoded into zeroizing buffers and checked here, on the stack (n = pq, the CRT
/// values, d = e^-1 mod p-1 and q-1); other keys go through `rsa`, whose temporaries are freed
/// unwiped (README, security notes).
fn load_pkcs1_pem(pem: &str) -> Result<RsaValues> {
    use rsa::pkcs1::RsaPrivateKey;
    use rsa::pkcs1::der::SecretDocument;
    let (label, doc) = SecretDocument::from_pem(pem).map_err(|_| Error::InvalidPrivateKey)?;
    if label != "RSA PRIVATE KEY" {
        return Err(Error::InvalidPrivateKey);
    }
    let key: RsaPrivateKey<rsa::pkcs1::UintRef<'_>> =
        doc.decode_msg().map_err(|_| Error::InvalidPrivateKey)?;
    if key.other_prime_infos.is_some() {
        return Err(Error::InvalidPrivateKey);
    }
    let fields = LoadedKey {
        n: key.modulus.as_bytes(),
        e: key.public_exponent.as_bytes(),
        d: key.private_exponent.as_bytes(),
        p: key.prime1.as_bytes(),
        q: key.prime2.as_bytes(),
        dp: key.exponent1.as_bytes(),
        dq: key.exponent2.as_bytes(),
        qinv: key.coefficient.as_bytes(),
    };
    let checked = match fields.n.len() {
        128 => fields.check::<8>(),
        256 => fields.check::<16>(),
        384 => fields.check::<24>(),
        512 => fields.check::<32>(),
        _ => None,
    };
    if let Some(values) = checked {
        return values;
    }
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    let private = rsa::PrivateKey::from_pkcs1_pem(pem).map_err(|_| Error::InvalidPrivateKey)?;
    RsaValues::from_rsa(&private).ok_or(Error::InvalidPrivateKey)
}

/// The integers of a decoded PKCS#1 key, minimal big-endian, borrowed from the zeroizing DER.
struct LoadedKey<'a> {
    n: &'a [u8],
    e: &'a [u8],
    d: &'a [u8],
    p: &'a [u8],
    q: &'a [u8],
    dp: &'a [u8],
    dq: &'a [u8],
    qinv: &'a [u8],
}

impl LoadedKey<'_> {
    /// For an n of `128 * L` bits and e below 2^32: `Some(Ok(values))` if the key is
    /// consistent, `Some(Err(_))` if it is not; `None` if it is of another shape (p or q wider
    /// than half of n, e of more than 32 bits): then `rsa` decides.
    fn check<const L: usize>(&self) -> Option<Result<RsaValues>> {
        let e = u32::try_from(self.e.iter().try_fold(0u64, |acc, &b| {
            (acc < 1 << 32).then_some(acc << 8 | u64::from(b))
        })?)
        .ok()?;
        let p = fixed::<L>(self.p)?;
        let q = fixed::<L>(self.q)?;
        let d_lo = fixed::<L>(self.d.get(self.d.len().saturating_sub(8 * L)..)?)?;
        let d_hi = fixed::<L>(self.d.get(..self.d.len().saturating_sub(8 * L))?)?;
        let Some(ours) = rsa_values::<L>(&p, &q, e) else {
            return Some(Err(Error::InvalidPrivateKey));
        };
        // d may be e^-1 mod (p-1)(q-1) (what Nova's key has) or mod lambda: it must be
        // congruent to dp mod p-1 and to dq mod q-1.
        let d_mod = |prime: &Uint<L>| {
            let m = Option::<NonZero<Uint<L>>>::from(NonZero::new(prime.wrapping_sub(&Uint::ONE)))
                .map(Zeroizing::new)?;
            Some(limbs_be(
                Zeroizing::new(Uint::rem_wide((*d_lo, *d_hi), &m)).as_limbs(),
            ))
        };
        let (d_mod_p1, d_mod_q1) = (d_mod(&p)?, d_mod(&q)?);
        let consistent = ours.n == self.n
            && ours.e == self.e
            && ct_eq(&ours.p, self.p)
                & ct_eq(&ours.q, self.q)
                & ct_eq(&ours.dp, self.dp)
                & ct_eq(&ours.dq, self.dq)
                & ct_eq(&ours.qinv, self.qinv)
                & ct_eq(&d_mod_p1, &ours.dp)
                & ct_eq(&d_mod_q1, &ours.dq);
        if !consistent {
            return Some(Err(Error::InvalidPrivateKey));
        }
        let mut d = Zeroizing::new(Vec::with_capacity(self.d.len()));
        d.extend_from_slice(self.d);
        Some(Ok(RsaValues { d, ..ours }))
    }
}

/// A minimal big-endian integer of at most `8 * L` bytes as a fixed-size integer.
fn fixed<const L: usize>(bytes: &[u8]) -> Option<Zeroizing<Uint<L>>> {
    let mut buf = Zeroizing::new([0u8; 8 * MAX_LIMBS]);
    let full = buf.get_mut(..8 * L)?;
    let start = full.len().checked_sub(bytes.len())?;
    full.get_mut(start..)?.copy_from_slice(bytes);
    Some(Zeroizing::new(Uint::<L>::from_be_slice(full)))
}

/// Equality without an early exit (lengths are public).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl RsaValues {
    /// The values of `rsa`'s key (loaded keys only: `rsa`'s own temporaries are out of reach).
    fn from_rsa(key: &rsa::PrivateKey) -> Option<Self> {
        let [p, q] = key.primes() else {
            return None;
        };
        let qinv = Zeroizing::new(key.crt_coefficient()?);
        let secret = |x: &rsa::BoxedUint| minimal_be(&Zeroizing::new(x.to_be_bytes()));
        Some(Self {
            n: minimal_be(&key.n().to_be_bytes()).to_vec(),
            e: minimal_be(&key.e().to_be_bytes()).to_vec(),
            d: secret(key.d()),
            p: secret(p),
            q: secret(q),
            dp: secret(key.dp()?),
            dq: secret(key.dq()?),
            qinv: secret(&qinv),
        })
    }
}

/// `bytes` without its leading zero bytes, in a zeroizing buffer of exactly that size.
fn minimal_be(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let tail = bytes.get(start..).unwrap_or_default();
    let mut out = Zeroizing::new(Vec::with_capacity(tail.len()));
    out.extend_from_slice(tail);
    out
}

/// Big-endian bytes of a fixed-size integer (given as little-endian limbs), without leading
/// zeros, in a zeroizing buffer of exactly that size.
fn limbs_be(limbs: &[Limb]) -> Zeroizing<Vec<u8>> {
    let mut full = Zeroizing::new([0u8; 8 * MAX_LIMBS]);
    let len = limbs.len() * 8;
    let Some(buf) = full.get_mut(..len) else {
        return Zeroizing::new(Vec::new());
    };
    for (chunk, limb) in buf.chunks_exact_mut(8).zip(limbs.iter().rev()) {
        chunk.copy_from_slice(&limb.0.to_be_bytes());
    }
    minimal_be(buf)
}

/// Limbs of the largest integer [`limbs_be`] writes (a 4096-bit d or n).
const MAX_LIMBS: usize = 64;

impl GeneratedKey {
    /// Loads an existing unencrypted PKCS#1 PEM RSA key (`-----BEGIN RSA PRIVATE KEY-----`) and
    /// gives it `comment`, exactly as if it had just been generated: this is how Nova's
    /// `generate_key_pair` is pinned against its test key (`rsa_prv` -> `rsa_pub`).
    ///
    /// # Errors
    /// - [`Error::InvalidPrivateKey`] if `pem` is not such a key (nothing of it is echoed).
    /// - [`Error::InvalidComment`] as for [`generate_rsa`].
    pub fn from_pkcs1_pem(pem: &str, comment: &str) -> Result<Self> {
        check_comment(comment)?;
        let values = load_pkcs1_pem(pem)?;
        finish(values, comment)
    }

    /// A copy of this key with `comment`, exactly as [`GeneratedKey::from_pkcs1_pem`] would
    /// give it, for the fuzz targets alone: it exists only in builds with `--cfg fuzzing` (which
    /// cargo-fuzz sets), so that each input is spared a reload that checks every CRT value.
    /// The library as shipped has no way to copy a private key.
    ///
    /// # Errors
    /// [`Error::InvalidComment`] as for [`generate_rsa`].
    #[cfg(fuzzing)]
    #[doc(hidden)]
    pub fn fuzzing_copy(&self, comment: &str) -> Result<Self> {
        check_comment(comment)?;
        finish(self.private.clone(), comment)
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

    /// The private key as PKCS#1 DER, for the API's x509 create (the PKCS#12 bundle); in
    /// `SecretDocument`'s zeroizing buffer.
    #[cfg(feature = "api")]
    pub(crate) fn pkcs1_der(&self) -> Result<rsa::pkcs1::der::SecretDocument> {
        pkcs1_document(&self.private)
    }

    /// The public key as `rsa`'s type (public values only), for the x509 create's SPKI.
    #[cfg(feature = "api")]
    pub(crate) fn rsa_public_key(&self) -> Result<rsa::PublicKey> {
        rsa::PublicKey::new(
            rsa::BoxedUint::from_be_slice_vartime(&self.private.n),
            rsa::BoxedUint::from_be_slice_vartime(&self.private.e),
        )
        .map_err(|_| Error::Crypto)
    }

    /// The PKCS#1 v1.5 signature with SHA-256 (RFC 8017 8.2.1, EMSA-PKCS1-v1_5) of `message`, for
    /// the API's x509 create; 2048-bit keys only (what a create's key source gives).
    ///
    /// Made from the key's own CRT values on `crypto-bigint`'s fixed-size integers, on the stack
    /// and wiped on drop, never through `rsa`'s key (whose `precompute` frees copies of p and q
    /// unwiped), without a division or a variable-time call on a secret: s_p = m^dp mod p and
    /// s_q = m^dq mod q by constant-time Montgomery
    /// exponentiation (a fixed window, every table entry read with constant-time selection, the
    /// exponent's full width), h = qinv (s_p - s_q) mod p, s = s_q + h q (Garner). The signature
    /// is checked against the public key before it is returned (a faulty half would otherwise
    /// give away a prime).
    #[cfg(feature = "api")]
    pub(crate) fn sign_pkcs1v15_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
        use sha2::Digest as _;
        /// DER of the DigestInfo prefix for SHA-256 (RFC 8017 9.2, note 1).
        const SHA256_PREFIX: [u8; 19] = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        const HALF: usize = 16; // limbs of a 1024-bit prime
        const FULL: usize = 32; // limbs of the 2048-bit modulus
        let v = &self.private;
        if v.n.len() != 8 * FULL {
            return Err(Error::Crypto);
        }
        // EM = 00 01 FF..FF 00 || DigestInfo || H (public).
        let mut em = [0xffu8; 8 * FULL];
        let digest = sha2::Sha256::digest(message);
        let t_len = SHA256_PREFIX.len() + digest.len();
        let t_at = em.len() - t_len;
        em[0] = 0;
        em[1] = 1;
        em[t_at - 1] = 0;
        em[t_at..t_at + SHA256_PREFIX.len()].copy_from_slice(&SHA256_PREFIX);
        em[t_at + SHA256_PREFIX.len()..].copy_from_slice(&digest);
        let m = Uint::<FULL>::from_be_slice(&em);
        // m = m_hi 2^1024 + m_lo, each half below 2^1024.
        let m_hi = Uint::<HALF>::from_be_slice(&em[..8 * HALF]);
        let m_lo = Uint::<HALF>::from_be_slice(&em[8 * HALF..]);

        let secret = |bytes: &[u8]| fixed::<HALF>(bytes).ok_or(Error::Crypto);
        let (p, q) = (secret(&v.p)?, secret(&v.q)?);
        let (dp, dq, qinv) = (secret(&v.dp)?, secret(&v.dq)?, secret(&v.qinv)?);
        let params = |prime: &Uint<HALF>| {
            Option::<Odd<Uint<HALF>>>::from(Odd::new(*prime))
                .map(|odd| Zeroizing::new(FixedMontyParams::new(odd)))
                .ok_or(Error::Crypto)
        };
        let (pp, pq) = (params(&p)?, params(&q)?);
        // m mod p in p's Montgomery domain, without a division: m_lo + m_hi (2^1024 mod p)
        // (`new` reduces any 1024-bit integer; `one()` is R mod p, R = 2^1024), then the half
        // exponentiation; the same for q.
        let reduced = |params: &FixedMontyParams<HALF>| {
            let r = FixedMontyForm::new(params.one(), params);
            let lo = FixedMontyForm::new(&m_lo, params);
            Zeroizing::new(FixedMontyForm::new(&m_hi, params).mul(&r).add(&lo))
        };
        let s_p = Zeroizing::new(reduced(&pp).pow(&*dp));
        let s_q = Zeroizing::new(reduced(&pq).pow(&*dq).retrieve());
        // h = qinv (s_p - s_q) mod p, in p's Montgomery domain (s_q < q may exceed p: `new`
        // reduces it).
        let s_q_mod_p = Zeroizing::new(FixedMontyForm::new(&s_q, &pp));
        let qinv_m = Zeroizing::new(FixedMontyForm::new(&qinv, &pp));
        let h = Zeroizing::new(s_p.sub(&s_q_mod_p).mul(&qinv_m).retrieve());
        let hq: Zeroizing<Uint<FULL>> = Zeroizing::new(h.concatenating_mul(&*q));
        let s = hq.wrapping_add(&s_q.resize::<FULL>());

        // s^e mod n must give m back (public values, variable time is fine).
        let n = Uint::<FULL>::from_be_slice(&{
            let mut buf = [0u8; 8 * FULL];
            buf.copy_from_slice(&v.n);
            buf
        });
        let n = Option::<Odd<Uint<FULL>>>::from(Odd::new(n)).ok_or(Error::Crypto)?;
        let e = Uint::<FULL>::from_be_slice(&{
            let mut buf = [0u8; 8 * FULL];
            let start = buf.len().checked_sub(v.e.len()).ok_or(Error::Crypto)?;
            buf[start..].copy_from_slice(&v.e);
            buf
        });
        let back = FixedMontyForm::new(&s, &FixedMontyParams::new_vartime(n))
            .pow_vartime(&e)
            .retrieve();
        if back != m {
            return Err(Error::Crypto);
        }
        Ok(s.to_be_bytes().as_ref().to_vec())
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
/// least `2^(64 L - 100)` apart (FIPS 186-5 A.1.3), then d, dp, dq and qinv from them
/// ([`rsa_values`]).
fn private_key<const L: usize, R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
    threads: usize,
) -> Result<RsaValues> {
    let half_bits = Uint::<L>::BITS;
    for _ in 0..MAX_ATTEMPTS {
        let seeds = [stream_seed(rng)?, stream_seed(rng)?];
        let primes = primes::find_primes::<L>(&seeds, RSA_PUBLIC_EXPONENT, threads)?;
        let [p, q] = primes.as_slice() else {
            return Err(Error::Crypto);
        };
        // Only whether a pair is refused is revealed (with probability far below 2^-90).
        if primes::distance_bits(p, q) <= half_bits - 100 {
            continue;
        }
        if let Some(values) = rsa_values(p, q, RSA_PUBLIC_EXPONENT) {
            return Ok(values);
        }
    }
    Err(Error::Crypto)
}

/// n, d = e^-1 mod lcm(p-1, q-1), dp, dq and qinv of two distinct odd primes `p` and `q` of
/// `64 * L` bits with their top bits set, in constant time, on the stack (every intermediate is
/// a fixed-size integer wiped on drop); `None` if e is not invertible mod p-1 or q-1 (the prime
/// search already excludes that) or p = q.
///
/// d is the unique value below lambda = (p-1)(q-1)/g, g = gcd(p-1, q-1), with
/// d = dp mod (p-1) and d = dq mod (q-1), where dp = e^-1 mod (p-1) and dq = e^-1 mod (q-1):
/// d = dp + (p-1) t, t = ((dq - dp) / g) ((p-1)/g)^-1 mod (q-1)/g. It is the d of `rsa`'s
/// `from_p_q` (NIST SP 800-56B 6.2.1), byte for byte (unit test below).
fn rsa_values<const L: usize>(p: &Uint<L>, q: &Uint<L>, e: u32) -> Option<RsaValues> {
    let z = Zeroizing::new;
    let nz = |x: &Uint<L>| Option::<NonZero<Uint<L>>>::from(NonZero::new(*x)).map(Zeroizing::new);
    let e_wide = Uint::<L>::from_u32(e);
    let p1 = z(p.wrapping_sub(&Uint::ONE));
    let q1 = z(q.wrapping_sub(&Uint::ONE));
    let p1_nz = nz(&p1)?;
    let q1_nz = nz(&q1)?;
    let dp = z(Option::<Uint<L>>::from(e_wide.invert_mod(&p1_nz))?);
    let dq = z(Option::<Uint<L>>::from(e_wide.invert_mod(&q1_nz))?);
    let p_odd = Zeroizing::new(Option::<Odd<Uint<L>>>::from(Odd::new(*p))?);
    let qinv = z(Option::<Uint<L>>::from(q.invert_odd_mod(&p_odd))?);
    let g = nz(&p1.gcd(&q1))?;
    let pg = z(p1.div_rem(&g).0);
    let qg = nz(&q1.div_rem(&g).0)?;
    // (dq - dp) mod (q-1) is a multiple of g; divided by g it is (dq - dp)/g mod (q-1)/g.
    let dp_mod_q1 = z(dp.div_rem(&q1_nz).1);
    let r = z(dq.sub_mod(&dp_mod_q1, &q1_nz));
    let rg = z(r.div_rem(&g).0);
    let pg_mod_qg = z(pg.div_rem(&qg).1);
    let pg_inv = z(Option::<Uint<L>>::from(pg_mod_qg.invert_mod(&qg))?);
    let t = z(rg.mul_mod(&pg_inv, &qg));
    let (lo, hi) = p1.widening_mul(&*t);
    let (mut lo, mut hi) = (z(lo), z(hi));
    let (sum, carry) = lo.carrying_add(&dp, Limb::ZERO);
    *lo = sum;
    *hi = hi.wrapping_add(&Uint::from_word(carry.0));
    let mut d_limbs = Zeroizing::new([Limb::ZERO; MAX_LIMBS]);
    let d_slice = d_limbs.get_mut(..2 * L)?;
    d_slice.get_mut(..L)?.copy_from_slice(lo.as_limbs());
    d_slice.get_mut(L..)?.copy_from_slice(hi.as_limbs());
    let (n_lo, n_hi) = p.widening_mul(q);
    let mut n_limbs = [Limb::ZERO; MAX_LIMBS];
    let n_slice = n_limbs.get_mut(..2 * L)?;
    n_slice.get_mut(..L)?.copy_from_slice(n_lo.as_limbs());
    n_slice.get_mut(L..)?.copy_from_slice(n_hi.as_limbs());
    let n = limbs_be(n_slice).to_vec();
    if n.len() != 16 * L || p == q {
        return None;
    }
    lo.zeroize();
    hi.zeroize();
    Some(RsaValues {
        n,
        e: minimal_be(&e.to_be_bytes()).to_vec(),
        d: limbs_be(d_slice),
        p: limbs_be(p.as_limbs()),
        q: limbs_be(q.as_limbs()),
        dp: limbs_be(dp.as_limbs()),
        dq: limbs_be(dq.as_limbs()),
        qinv: limbs_be(qinv.as_limbs()),
    })
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

fn finish(private: RsaValues, comment: &str) -> Result<GeneratedKey> {
    let mut blob = Vec::with_capacity(private.n.len() + private.e.len() + 32);
    put_string(&mut blob, b"ssh-rsa");
    put_mpint(&mut blob, &private.e);
    put_mpint(&mut blob, &private.n);
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

/// PKCS#1 PEM, encoded from the values (DER and PEM in `SecretDocument`'s zeroizing buffers).
fn private_pem(v: &RsaValues) -> Result<Zeroizing<String>> {
    use rsa::pkcs1::der::pem::PemLabel as _;
    use rsa::pkcs1::{LineEnding, RsaPrivateKey, UintRef};
    pkcs1_document(v)?
        .to_pem(RsaPrivateKey::<UintRef<'_>>::PEM_LABEL, LineEnding::LF)
        .map_err(|_| Error::Encoding)
}

/// PKCS#1 DER, encoded from the values into `SecretDocument`'s zeroizing buffer.
fn pkcs1_document(v: &RsaValues) -> Result<rsa::pkcs1::der::SecretDocument> {
    use rsa::pkcs1::{RsaPrivateKey, UintRef};
    let uint = |bytes| UintRef::new(bytes).map_err(|_| Error::Encoding);
    let key = RsaPrivateKey {
        modulus: uint(&v.n)?,
        public_exponent: uint(&v.e)?,
        private_exponent: uint(&v.d)?,
        prime1: uint(&v.p)?,
        prime2: uint(&v.q)?,
        exponent1: uint(&v.dp)?,
        exponent2: uint(&v.dq)?,
        coefficient: uint(&v.qinv)?,
        other_prime_infos: None,
    };
    rsa::pkcs1::der::SecretDocument::encode_msg(&key).map_err(|_| Error::Encoding)
}

/// An mpint of the minimal big-endian `bytes`, built without reallocating: the buffer handed to
/// `Mpint::from_positive_bytes` has exactly the length of the mpint (a leading zero byte only
/// where the top bit is set), so its `Vec` neither grows nor shrinks.
fn mpint(bytes: &[u8]) -> Result<ssh_key::Mpint> {
    let pad = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut buf = Zeroizing::new(Vec::with_capacity(bytes.len() + usize::from(pad)));
    if pad {
        buf.push(0);
    }
    buf.extend_from_slice(bytes);
    ssh_key::Mpint::from_positive_bytes(&buf).map_err(|_| Error::Encoding)
}

/// The key as `ssh_key`'s private key (which zeroizes its secret values on drop).
fn openssh_key(v: &RsaValues, comment: &str) -> Result<ssh_key::PrivateKey> {
    let public = ssh_key::public::RsaPublicKey {
        e: mpint(&v.e)?,
        n: mpint(&v.n)?,
    };
    let secret = ssh_key::private::RsaPrivateKey {
        d: mpint(&v.d)?,
        iqmp: mpint(&v.qinv)?,
        p: mpint(&v.p)?,
        q: mpint(&v.q)?,
    };
    let keypair = ssh_key::private::RsaKeypair {
        public,
        private: secret,
    };
    ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Rsa(keypair), comment)
        .map_err(|_| Error::Encoding)
}

fn private_openssh(v: &RsaValues, comment: &str) -> Result<Zeroizing<String>> {
    openssh_key(v, comment)?
        .to_openssh(ssh_key::LineEnding::LF)
        .map_err(|_| Error::Encoding)
}

#[cfg(test)]
mod tests {
    use rand_chacha::rand_core::SeedableRng as _;
    use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};

    use super::*;

    /// Keys generated by this module, and `rsa`'s key from the same primes.
    fn keys() -> Vec<(RsaValues, rsa::PrivateKey)> {
        let mut keys = Vec::new();
        for (seed, bits) in [
            (1, 2048),
            (2, 2048),
            (3, 3072),
            (4, 4096),
            (5, 2048),
            (6, 2048),
        ] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let ours = generate_rsa(&mut rng, bits, "").unwrap().private;
            let theirs = rsa::PrivateKey::from_p_q(
                rsa::BoxedUint::from_be_slice_vartime(&ours.p),
                rsa::BoxedUint::from_be_slice_vartime(&ours.q),
                rsa::BoxedUint::from(65537u64),
            )
            .unwrap();
            keys.push((ours, theirs));
        }
        keys
    }

    /// `rsa`'s PKCS#1 v1.5 SHA-256 signer for `key` (the oracle of the CRT signer; test keys only).
    #[cfg(feature = "api")]
    fn rsa_signer(key: &GeneratedKey) -> rsa::pkcs1v15::SigningKey<sha2::Sha256> {
        let v = &key.private;
        let theirs = rsa::PrivateKey::from_p_q(
            rsa::BoxedUint::from_be_slice_vartime(&v.p),
            rsa::BoxedUint::from_be_slice_vartime(&v.q),
            rsa::BoxedUint::from(65537u64),
        )
        .unwrap();
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(theirs)
    }

    /// The CRT signature is `rsa`'s PKCS#1 v1.5 SHA-256 signature byte for byte (the scheme is
    /// deterministic), with p > q and p < q, and verifies with `rsa`; other sizes are refused.
    #[cfg(feature = "api")]
    #[test]
    fn crt_signature_is_rsas() {
        use rsa::signature::{SignatureEncoding as _, Signer as _, Verifier as _};
        let mut orders = [false, false];
        for seed in [1, 2, 5, 6, 8, 9] {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let key = generate_rsa(&mut rng, 2048, "").unwrap();
            let v = &key.private;
            orders[usize::from(*v.p > *v.q)] = true;
            let signer = rsa_signer(&key);
            let verifier = rsa::signature::Keypair::verifying_key(&signer);
            for message in [&b""[..], b"tbs", &[0xa5; 1000]] {
                let ours = key.sign_pkcs1v15_sha256(message).unwrap();
                let want = signer.sign(message).to_vec();
                assert_eq!(ours, want, "seed {seed}");
                let sig = rsa::pkcs1v15::Signature::try_from(ours.as_slice()).unwrap();
                verifier.verify(message, &sig).unwrap();
            }
        }
        assert_eq!(orders, [true, true], "both orders of p and q");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let big = generate_rsa(&mut rng, 3072, "").unwrap();
        assert_eq!(big.sign_pkcs1v15_sha256(b"x"), Err(Error::Crypto));
    }

    /// The CRT signer against `rsa`'s (`cargo test --lib --all-features time_crt_signature --
    /// --ignored --nocapture`).
    #[cfg(feature = "api")]
    #[test]
    #[ignore = "timing, by hand"]
    fn time_crt_signature() {
        use rsa::signature::Signer as _;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let key = generate_rsa(&mut rng, 2048, "").unwrap();
        let signer = rsa_signer(&key);
        let runs = 50;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            core::hint::black_box(key.sign_pkcs1v15_sha256(b"tbs").unwrap());
        }
        let ours = start.elapsed() / runs;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            core::hint::black_box(signer.sign(b"tbs"));
        }
        let rsas = start.elapsed() / runs;
        println!("CRT signer {ours:?}, rsa's unblinded sign {rsas:?} per signature");
    }

    #[test]
    #[ignore = "timing, by hand"]
    fn time_parts() {
        fn part<const L: usize>() {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            let seeds = [
                stream_seed(&mut rng).unwrap(),
                stream_seed(&mut rng).unwrap(),
            ];
            let t = std::time::Instant::now();
            let primes = primes::find_primes::<L>(&seeds, 65537, 1).unwrap();
            let search = t.elapsed();
            let t = std::time::Instant::now();
            for _ in 0..10 {
                std::hint::black_box(rsa_values(&primes[0], &primes[1], 65537).unwrap());
            }
            let values = t.elapsed() / 10;
            let t = std::time::Instant::now();
            for _ in 0..10 {
                let v = rsa_values(&primes[0], &primes[1], 65537).unwrap();
                std::hint::black_box(finish(v, "").unwrap());
            }
            let fin = t.elapsed() / 10;
            eprintln!("L={L}: search {search:?}, rsa_values {values:?}, finish {fin:?}");
        }
        part::<16>();
        part::<24>();
        part::<32>();
    }

    /// The values computed here are `rsa`'s (`from_p_q`), and the PEM written from them is
    /// `rsa`'s own encoding, byte for byte.
    #[test]
    fn values_and_pem_are_rsas() {
        for (ours, theirs) in keys() {
            assert_eq!(*ours.d, *minimal_be(&theirs.d().to_be_bytes()));
            assert_eq!(
                *ours.qinv,
                *minimal_be(&theirs.crt_coefficient().unwrap().to_be_bytes())
            );
            let pem = private_pem(&ours).unwrap();
            let want = theirs.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
            assert_eq!(*pem, *want);
            // ... and `rsa` reads it back as a valid key.
            rsa::PrivateKey::from_pkcs1_pem(&pem)
                .unwrap()
                .validate()
                .unwrap();
        }
        // The primes the other way round (p < q): still `rsa`'s values.
        for (ours, _) in keys().into_iter().filter(|(v, _)| v.n.len() == 256) {
            let (p, q) = (fixed::<16>(&ours.p).unwrap(), fixed::<16>(&ours.q).unwrap());
            let swapped = rsa_values::<16>(&q, &p, 65537).unwrap();
            let theirs = rsa::PrivateKey::from_p_q(
                rsa::BoxedUint::from_be_slice_vartime(&ours.q),
                rsa::BoxedUint::from_be_slice_vartime(&ours.p),
                rsa::BoxedUint::from(65537u64),
            )
            .unwrap();
            let want = theirs.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
            assert_eq!(*private_pem(&swapped).unwrap(), *want);
            assert_eq!(*load_pkcs1_pem(&want).unwrap().qinv, *swapped.qinv);
        }
        // Nova's test key comes back as Nova wrote it.
        let nova = include_str!("../tests/data/nova/rsa_prv.pem");
        let key = GeneratedKey::from_pkcs1_pem(nova, "").unwrap();
        assert_eq!(key.into_private_pem().unwrap().trim_end(), nova.trim_end());
    }

    /// Loaded keys are checked on the stack (1024 to 4096 bits) and agree with `rsa`'s reading;
    /// any value changed makes the key invalid.
    #[test]
    fn loading_checks_every_value() {
        let openssl = include_str!("../tests/data/private/rsa1024.pkcs1.pem");
        let mut pems = vec![openssl.to_owned()];
        for (ours, _) in keys() {
            pems.push(private_pem(&ours).unwrap().to_string());
        }
        for pem in &pems {
            let loaded = load_pkcs1_pem(pem).unwrap();
            let theirs =
                RsaValues::from_rsa(&rsa::PrivateKey::from_pkcs1_pem(pem).unwrap()).unwrap();
            assert_eq!(
                *private_pem(&loaded).unwrap(),
                *private_pem(&theirs).unwrap()
            );
            assert_eq!(private_pem(&loaded).unwrap().as_str(), pem.as_str());
            // Flip the lowest bit of each value in turn.
            for i in 0..8 {
                let mut v = load_pkcs1_pem(pem).unwrap();
                let field: &mut Vec<u8> = match i {
                    0 => &mut v.n,
                    1 => &mut v.e,
                    2 => &mut v.d,
                    3 => &mut v.p,
                    4 => &mut v.q,
                    5 => &mut v.dp,
                    6 => &mut v.dq,
                    _ => &mut v.qinv,
                };
                if let Some(last) = field.last_mut() {
                    *last ^= 1;
                }
                let bad = private_pem(&v).unwrap();
                assert_eq!(
                    load_pkcs1_pem(&bad).err(),
                    Some(Error::InvalidPrivateKey),
                    "value {i}"
                );
            }
        }
    }
}
