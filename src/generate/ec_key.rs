//! Ed25519 and ECDSA key generation: [`generate_ed25519`], [`generate_ecdsa`] and the
//! [`GeneratedEcKey`] they return (the same shape as [`generate_rsa`](crate::generate_rsa) and
//! [`GeneratedKey`](crate::GeneratedKey)).

use core::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::fingerprint::{Md5Fingerprint, Sha256Fingerprint};
use crate::key::PublicKey;
use crate::policy::Policy;
use crate::wire::put_string;

use super::check_comment;

/// The ECDSA key sizes generation offers (NIST P-256, P-384, P-521), as `ssh-keygen -t ecdsa -b`.
pub const SUPPORTED_ECDSA_BITS: [usize; 3] = [256, 384, 521];

/// The private half: each type zeroizes its secret on drop.
enum Secret {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
}

/// A freshly generated Ed25519 or ECDSA key pair.
///
/// As [`GeneratedKey`](crate::GeneratedKey): the public half is an ordinary [`PublicKey`] (parsed
/// back by the import parser); the private half is zeroized on drop, never shown by `Debug`,
/// cannot be cloned, and leaves the value only as text, by consuming it
/// ([`GeneratedEcKey::into_private_openssh`], [`GeneratedEcKey::into_private_pem`], and with the
/// `encryption` feature [`GeneratedEcKey::into_private_openssh_encrypted`]).
///
/// ```
/// # fn main() -> Result<(), keypairs::Error> {
/// use rand_chacha::ChaCha20Rng;
/// use rand_core::SeedableRng as _;
///
/// let mut rng = ChaCha20Rng::from_seed([7; 32]); // use an OS RNG for real keys
/// let key = keypairs::generate_ed25519(&mut rng, "me@laptop")?;
/// assert!(key.public_line().starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"));
/// let text = key.into_private_openssh()?; // zeroized when dropped
/// assert!(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
/// # Ok(())
/// # }
/// ```
///
/// It cannot be cloned:
///
/// ```compile_fail
/// fn needs_clone<T: Clone>() {}
/// needs_clone::<keypairs::GeneratedEcKey>();
/// ```
pub struct GeneratedEcKey {
    public: PublicKey,
    secret: Secret,
}

impl fmt::Debug for GeneratedEcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedEcKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// `SigningKey` (with ed25519-dalek's `zeroize` feature) and `SecretKey` zeroize on drop.
impl zeroize::ZeroizeOnDrop for GeneratedEcKey {}

/// Generates an Ed25519 key (OpenSSH's default type since 9.5) from `rng`, with `comment` on its
/// public line: 32 random bytes are the secret seed (RFC 8032 §5.1.5), as `ssh-keygen -t ed25519`.
///
/// # Errors
/// - [`Error::InvalidComment`] as for [`generate_rsa`](crate::generate_rsa).
/// - [`Error::Crypto`] if the RNG fails.
pub fn generate_ed25519<R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
    comment: &str,
) -> Result<GeneratedEcKey> {
    check_comment(comment)?;
    let mut seed = Zeroizing::new([0u8; 32]);
    rng.try_fill_bytes(seed.as_mut())
        .map_err(|_| Error::Crypto)?;
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let point = signing.verifying_key().to_bytes();
    let mut blob = Vec::with_capacity(51);
    put_string(&mut blob, b"ssh-ed25519");
    put_string(&mut blob, &point);
    let public = public_key(&blob, comment)?;
    Ok(GeneratedEcKey {
        public,
        secret: Secret::Ed25519(signing),
    })
}

/// Generates an ECDSA key on NIST P-256, P-384 or P-521 (`bits` 256, 384 or 521) from `rng`, with
/// `comment` on its public line: the secret scalar is drawn uniformly from `[1, n)` by rejection
/// sampling (`elliptic-curve`'s `SecretKey` generation), as `ssh-keygen -t ecdsa -b BITS`.
///
/// # Errors
/// - [`Error::UnsupportedCurve`] for any other size.
/// - [`Error::InvalidComment`] as for [`generate_rsa`](crate::generate_rsa).
/// - [`Error::Crypto`] if the RNG fails.
pub fn generate_ecdsa<R: rand_core::TryCryptoRng + ?Sized>(
    rng: &mut R,
    bits: usize,
    comment: &str,
) -> Result<GeneratedEcKey> {
    use p256::elliptic_curve::Generate as _;
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    if !SUPPORTED_ECDSA_BITS.contains(&bits) {
        return Err(Error::UnsupportedCurve { bits });
    }
    check_comment(comment)?;
    let (secret, point): (Secret, Vec<u8>) = match bits {
        256 => {
            let k = p256::SecretKey::try_generate_from_rng(rng).map_err(|_| Error::Crypto)?;
            let p = k.public_key().to_sec1_point(false).as_bytes().to_vec();
            (Secret::P256(k), p)
        }
        384 => {
            let k = p384::SecretKey::try_generate_from_rng(rng).map_err(|_| Error::Crypto)?;
            let p = k.public_key().to_sec1_point(false).as_bytes().to_vec();
            (Secret::P384(k), p)
        }
        _ => {
            let k = p521::SecretKey::try_generate_from_rng(rng).map_err(|_| Error::Crypto)?;
            let p = k.public_key().to_sec1_point(false).as_bytes().to_vec();
            (Secret::P521(k), p)
        }
    };
    let (name, curve) = ecdsa_names(bits);
    let mut blob = Vec::with_capacity(point.len() + 48);
    put_string(&mut blob, name.as_bytes());
    put_string(&mut blob, curve.as_bytes());
    put_string(&mut blob, &point);
    let public = public_key(&blob, comment)?;
    Ok(GeneratedEcKey { public, secret })
}

/// [`generate_ed25519`] with the operating system's RNG.
///
/// # Errors
/// As [`generate_ed25519`].
#[cfg(feature = "getrandom")]
pub fn generate_ed25519_os(comment: &str) -> Result<GeneratedEcKey> {
    generate_ed25519(&mut getrandom::SysRng, comment)
}

/// [`generate_ecdsa`] with the operating system's RNG.
///
/// # Errors
/// As [`generate_ecdsa`].
#[cfg(feature = "getrandom")]
pub fn generate_ecdsa_os(bits: usize, comment: &str) -> Result<GeneratedEcKey> {
    generate_ecdsa(&mut getrandom::SysRng, bits, comment)
}

const fn ecdsa_names(bits: usize) -> (&'static str, &'static str) {
    match bits {
        256 => ("ecdsa-sha2-nistp256", "nistp256"),
        384 => ("ecdsa-sha2-nistp384", "nistp384"),
        _ => ("ecdsa-sha2-nistp521", "nistp521"),
    }
}

/// The public line goes through the import parser, so that the line, the fingerprints and every
/// check are those of an import.
fn public_key(blob: &[u8], comment: &str) -> Result<PublicKey> {
    use base64::Engine as _;
    let name_len = blob
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_be_bytes(b) as usize);
    let name = blob
        .get(4..4 + name_len)
        .and_then(|n| core::str::from_utf8(n).ok())
        .ok_or(Error::Encoding)?;
    let mut line = format!("{name} ");
    base64::engine::general_purpose::STANDARD.encode_string(blob, &mut line);
    if !comment.is_empty() {
        line.push(' ');
        line.push_str(comment);
    }
    let policy = Policy::inspect().with_max_input_len(line.len());
    let public = crate::parse::parse_public_key_with(line.as_bytes(), &policy)?;
    if public.comment() != comment {
        return Err(Error::InvalidComment);
    }
    Ok(public)
}

impl GeneratedEcKey {
    /// The public key (type, bits, comment, fingerprints).
    #[must_use]
    pub const fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The public key as one OpenSSH line, `ssh-ed25519 AAAA... COMMENT` or
    /// `ecdsa-sha2-nistp256 AAAA... COMMENT`, without a trailing newline.
    #[must_use]
    pub fn public_line(&self) -> String {
        self.public.to_openssh()
    }

    /// Key size in bits (256 for Ed25519; 256, 384 or 521 for ECDSA).
    #[must_use]
    pub const fn bits(&self) -> u32 {
        self.public.bits()
    }

    /// MD5 fingerprint (the API's `fingerprint` form), computed as for an imported key.
    #[must_use]
    pub fn md5_fingerprint(&self) -> Md5Fingerprint {
        self.public.md5_fingerprint()
    }

    /// SHA-256 fingerprint, computed as for an imported key.
    #[must_use]
    pub fn sha256_fingerprint(&self) -> Sha256Fingerprint {
        self.public.sha256_fingerprint()
    }

    /// The private key as unencrypted OpenSSH text (`-----BEGIN OPENSSH PRIVATE KEY-----`), with
    /// the public key's comment inside, as `ssh-keygen` writes it.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the encoder fails (not expected for a generated key).
    pub fn into_private_openssh(self) -> Result<Zeroizing<String>> {
        self.openssh_key()?
            .to_openssh(ssh_key::LineEnding::LF)
            .map_err(|_| Error::Encoding)
    }

    /// The private key as OpenSSH text encrypted with `passphrase` as `ssh-keygen -N` does:
    /// aes256-ctr with key and IV from bcrypt-pbkdf over a 16-byte random salt, `rounds` rounds
    /// ([`DEFAULT_KDF_ROUNDS`](crate::DEFAULT_KDF_ROUNDS) is `ssh-keygen`'s default, `-a`).
    /// `rng` gives the salt and the check integer.
    ///
    /// # Errors
    /// - [`Error::EmptyPassphrase`] for an empty passphrase.
    /// - [`Error::KdfRounds`] for 0 or more than [`MAX_KDF_ROUNDS`](crate::MAX_KDF_ROUNDS).
    /// - [`Error::Crypto`] if the RNG or the KDF fails; [`Error::Encoding`] if the encoder does.
    #[cfg(feature = "encryption")]
    pub fn into_private_openssh_encrypted<R: rand_core::TryCryptoRng + ?Sized>(
        self,
        rng: &mut R,
        passphrase: &[u8],
        rounds: u32,
    ) -> Result<Zeroizing<String>> {
        super::encrypt::encrypted_openssh(&self.openssh_key()?, rng, passphrase, rounds)
    }

    /// The private key as PEM in the form that is the custom for its type: PKCS#8
    /// (`-----BEGIN PRIVATE KEY-----`, RFC 8410) for Ed25519, as `openssl genpkey` writes it;
    /// SEC1 (`-----BEGIN EC PRIVATE KEY-----`, RFC 5915) for ECDSA, as `ssh-keygen -m PEM` and
    /// `openssl ecparam -genkey` write it. Both are unencrypted.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the encoder fails (not expected for a generated key).
    pub fn into_private_pem(self) -> Result<Zeroizing<String>> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let lf = ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF;
        match &self.secret {
            Secret::Ed25519(k) => {
                // PKCS#8 v1 (no public key inside), as `openssl genpkey -algorithm ed25519`
                // writes it; `KeypairBytes` zeroizes its copy of the seed on drop.
                let bytes = ed25519_dalek::pkcs8::KeypairBytes {
                    secret_key: k.to_bytes(),
                    public_key: None,
                };
                bytes.to_pkcs8_pem(lf).map_err(|_| Error::Encoding)
            }
            Secret::P256(k) => k.to_sec1_pem(lf).map_err(|_| Error::Encoding),
            Secret::P384(k) => k.to_sec1_pem(lf).map_err(|_| Error::Encoding),
            Secret::P521(k) => k.to_sec1_pem(lf).map_err(|_| Error::Encoding),
        }
    }

    /// The key as `ssh_key`'s private key (which zeroizes its secret on drop).
    fn openssh_key(&self) -> Result<ssh_key::PrivateKey> {
        use p256::elliptic_curve::sec1::ToSec1Point as _;
        use ssh_key::private::{Ed25519Keypair, Ed25519PrivateKey, KeypairData};
        use ssh_key::public::Ed25519PublicKey;
        let data = match &self.secret {
            Secret::Ed25519(k) => {
                let seed = Zeroizing::new(k.to_bytes());
                KeypairData::Ed25519(Ed25519Keypair {
                    public: Ed25519PublicKey(k.verifying_key().to_bytes()),
                    private: Ed25519PrivateKey::from_bytes(&seed),
                })
            }
            Secret::P256(k) => ecdsa_keypair(
                256,
                k.public_key().to_sec1_point(false).as_bytes(),
                &Zeroizing::new(k.to_bytes()),
            )?,
            Secret::P384(k) => ecdsa_keypair(
                384,
                k.public_key().to_sec1_point(false).as_bytes(),
                &Zeroizing::new(k.to_bytes()),
            )?,
            Secret::P521(k) => ecdsa_keypair(
                521,
                k.public_key().to_sec1_point(false).as_bytes(),
                &Zeroizing::new(k.to_bytes()),
            )?,
        };
        ssh_key::PrivateKey::new(data, self.public.comment()).map_err(|_| Error::Encoding)
    }
}

/// `ssh_key`'s ECDSA key pair, decoded from `string curve || string point || mpint scalar`: the
/// scalar is written at its full width behind a zero byte, so nothing branches on its value,
/// and the buffer is zeroized.
fn ecdsa_keypair(
    bits: usize,
    point: &[u8],
    scalar: &[u8],
) -> Result<ssh_key::private::KeypairData> {
    use ssh_encoding::Decode as _;
    let (_, curve) = ecdsa_names(bits);
    let mut buf = Zeroizing::new(Vec::with_capacity(point.len() + scalar.len() + 32));
    put_string(&mut buf, curve.as_bytes());
    put_string(&mut buf, point);
    let len = u32::try_from(scalar.len() + 1).map_err(|_| Error::Encoding)?;
    buf.extend_from_slice(&len.to_be_bytes());
    buf.push(0);
    buf.extend_from_slice(scalar);
    let mut reader: &[u8] = &buf;
    let keypair =
        ssh_key::private::EcdsaKeypair::decode(&mut reader).map_err(|_| Error::Encoding)?;
    if !reader.is_empty() {
        return Err(Error::Encoding);
    }
    Ok(ssh_key::private::KeypairData::Ecdsa(keypair))
}
