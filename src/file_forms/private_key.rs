//! The public half of a private key file, as `ssh-keygen -l -f` finds it: OpenSSH (also
//! encrypted: its public half is in clear), PKCS#1 RSA, SEC1 EC or PKCS#8 PEM (unencrypted).
//!
//! No passphrase is taken and nothing is decrypted: an encrypted OpenSSH key's bcrypt-pbkdf
//! rounds are read from its header and bounded ([`MAX_KDF_ROUNDS`]) before anything else is
//! done with the key, so a file with a huge round count is refused as cheaply as it is read.
//! The private values of the other forms are read (to derive the public key) and dropped; they
//! never appear in an error.

use base64::Engine as _;

use crate::MAX_KDF_ROUNDS;
use crate::error::{Error, Result};
use crate::key::PublicKey;
use crate::parse::parse_public_key_with;
use crate::policy::{INSPECT_MAX_LEN, Policy};

/// The forms of private key file read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrivateKeyFileKind {
    /// `-----BEGIN OPENSSH PRIVATE KEY-----` (`ssh-keygen`'s own format).
    OpenSsh,
    /// `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1).
    Pkcs1,
    /// `-----BEGIN EC PRIVATE KEY-----` (SEC1).
    Sec1,
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8, unencrypted).
    Pkcs8,
}

/// How an OpenSSH private key file is encrypted (read from its header; nothing is decrypted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEncryption {
    cipher: &'static str,
    kdf_rounds: Option<u32>,
}

impl KeyEncryption {
    /// The cipher's OpenSSH name (`aes256-ctr`, `aes256-gcm@openssh.com`, ...).
    #[must_use]
    pub fn cipher(&self) -> &'static str {
        self.cipher
    }

    /// The bcrypt-pbkdf round count (`ssh-keygen -a`), or `None` for a file without a KDF.
    #[must_use]
    pub fn kdf_rounds(&self) -> Option<u32> {
        self.kdf_rounds
    }
}

/// What a private key file says in clear: its form, its public key, its encryption.
#[derive(Clone, Debug)]
pub struct PrivateKeyFile {
    kind: PrivateKeyFileKind,
    public_key: PublicKey,
    encryption: Option<KeyEncryption>,
}

impl PrivateKeyFile {
    /// The file's form.
    #[must_use]
    pub fn kind(&self) -> PrivateKeyFileKind {
        self.kind
    }

    /// The public key, through the strict parser (an OpenSSH key's comment is kept; an
    /// encrypted key's comment is encrypted, so it has none).
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The public key, taking it out.
    #[must_use]
    pub fn into_public_key(self) -> PublicKey {
        self.public_key
    }

    /// `Some` for an encrypted OpenSSH key.
    #[must_use]
    pub fn encryption(&self) -> Option<KeyEncryption> {
        self.encryption
    }
}

/// The PEM label after `-----BEGIN ` at the start of `input` (leading whitespace skipped).
fn label(input: &[u8]) -> Option<&str> {
    let text = input.trim_ascii_start();
    let rest = text.strip_prefix(b"-----BEGIN ")?;
    let end = rest.windows(5).position(|w| w == b"-----")?;
    core::str::from_utf8(rest.get(..end)?).ok()
}

/// Whether `input` starts (after whitespace) with a private key PEM label: `-----BEGIN X-----`
/// with X one of `OPENSSH PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `PRIVATE KEY`,
/// `ENCRYPTED PRIVATE KEY`, `DSA PRIVATE KEY`.
#[must_use]
pub fn is_private_key_file(input: &[u8]) -> bool {
    matches!(
        label(input),
        Some(
            "OPENSSH PRIVATE KEY"
                | "RSA PRIVATE KEY"
                | "EC PRIVATE KEY"
                | "PRIVATE KEY"
                | "ENCRYPTED PRIVATE KEY"
                | "DSA PRIVATE KEY"
        )
    )
}

/// Reads the public half of a private key file (at most [`INSPECT_MAX_LEN`] bytes) and checks
/// it with the strict parser under `policy`.
///
/// # Errors
/// - [`Error::InputTooLong`] over [`INSPECT_MAX_LEN`] bytes, before anything is decoded;
/// - [`Error::NotPrivateKeyFile`] when [`is_private_key_file`] says no;
/// - [`Error::KdfRounds`] for an encrypted OpenSSH key with 0 or more than [`MAX_KDF_ROUNDS`]
///   bcrypt-pbkdf rounds;
/// - [`Error::InvalidPrivateKey`] for a file that cannot be read: truncated, corrupted, an
///   encrypted PKCS#8 or a DSA PEM key (its content is not echoed);
/// - the strict parser's error for the public key.
pub fn read_private_key_file(input: &[u8], policy: &Policy) -> Result<PrivateKeyFile> {
    if input.len() > INSPECT_MAX_LEN {
        return Err(Error::InputTooLong {
            len: input.len(),
            max: INSPECT_MAX_LEN,
        });
    }
    if !is_private_key_file(input) {
        return Err(Error::NotPrivateKeyFile);
    }
    let text = core::str::from_utf8(input)
        .map_err(|_| Error::InvalidPrivateKey)?
        .trim_start();
    let (kind, line, encryption) = match label(input) {
        Some("OPENSSH PRIVATE KEY") => {
            let (line, encryption) = openssh_public_line(text)?;
            (PrivateKeyFileKind::OpenSsh, Some(line), encryption)
        }
        Some("RSA PRIVATE KEY") => (
            PrivateKeyFileKind::Pkcs1,
            crate::GeneratedKey::from_pkcs1_pem(text, "")
                .ok()
                .map(|k| k.public_line()),
            None,
        ),
        Some("EC PRIVATE KEY") => (PrivateKeyFileKind::Sec1, ec_public_line(text, false), None),
        Some("PRIVATE KEY") => (PrivateKeyFileKind::Pkcs8, pkcs8_public_line(text), None),
        _ => return Err(Error::InvalidPrivateKey),
    };
    let line = line.ok_or(Error::InvalidPrivateKey)?;
    let public_key = parse_public_key_with(line.as_bytes(), policy)?;
    Ok(PrivateKeyFile {
        kind,
        public_key,
        encryption,
    })
}

/// An OpenSSH key's public line and encryption; the KDF rounds are checked first.
fn openssh_public_line(text: &str) -> Result<(String, Option<KeyEncryption>)> {
    let key = ssh_key::PrivateKey::from_openssh(text).map_err(|_| Error::InvalidPrivateKey)?;
    let encryption = if key.is_encrypted() {
        let kdf_rounds = match key.kdf() {
            ssh_key::Kdf::Bcrypt { rounds, .. } => {
                if *rounds == 0 || *rounds > MAX_KDF_ROUNDS {
                    return Err(Error::KdfRounds {
                        rounds: *rounds,
                        max: MAX_KDF_ROUNDS,
                    });
                }
                Some(*rounds)
            }
            _ => None,
        };
        Some(KeyEncryption {
            cipher: key.cipher().as_str(),
            kdf_rounds,
        })
    } else {
        None
    };
    let line = key
        .public_key()
        .to_openssh()
        .map_err(|_| Error::InvalidPrivateKey)?;
    Ok((line, encryption))
}

/// The public line of a SEC1 (`EC PRIVATE KEY`) or PKCS#8 EC key on P-256, P-384 or P-521.
fn ec_public_line(text: &str, pkcs8: bool) -> Option<String> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    use p256::pkcs8::DecodePrivateKey as _;
    macro_rules! point {
        ($curve:ident) => {{
            let key = if pkcs8 {
                $curve::SecretKey::from_pkcs8_pem(text).ok()
            } else {
                $curve::SecretKey::from_sec1_pem(text).ok()
            };
            key.map(|k| k.public_key().to_sec1_point(false).as_bytes().to_vec())
        }};
    }
    let (name, curve, point) = if let Some(p) = point!(p256) {
        ("ecdsa-sha2-nistp256", "nistp256", p)
    } else if let Some(p) = point!(p384) {
        ("ecdsa-sha2-nistp384", "nistp384", p)
    } else {
        ("ecdsa-sha2-nistp521", "nistp521", point!(p521)?)
    };
    public_line(name, &[name.as_bytes(), curve.as_bytes(), &point])
}

/// The public line of an unencrypted PKCS#8 key: Ed25519, ECDSA or RSA.
fn pkcs8_public_line(text: &str) -> Option<String> {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(text) {
        let name = "ssh-ed25519";
        return public_line(name, &[name.as_bytes(), &k.verifying_key().to_bytes()]);
    }
    if let Some(line) = ec_public_line(text, true) {
        return Some(line);
    }
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let key = rsa::PrivateKey::from_pkcs8_pem(text).ok()?;
    let pkcs1 = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).ok()?;
    crate::GeneratedKey::from_pkcs1_pem(&pkcs1, "")
        .ok()
        .map(|k| k.public_line())
}

/// `NAME BASE64` of a blob of SSH strings.
fn public_line(name: &str, fields: &[&[u8]]) -> Option<String> {
    let mut blob = Vec::new();
    for field in fields {
        blob.extend_from_slice(&u32::try_from(field.len()).ok()?.to_be_bytes());
        blob.extend_from_slice(field);
    }
    Some(format!(
        "{name} {}",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_private_key_file(
            b"\n -----BEGIN OPENSSH PRIVATE KEY-----\n"
        ));
        assert!(is_private_key_file(b"-----BEGIN DSA PRIVATE KEY-----"));
        assert!(!is_private_key_file(b"-----BEGIN PUBLIC KEY-----"));
        assert!(!is_private_key_file(b"-----BEGIN OPENSSH PRIVATE KEY"));
        assert!(!is_private_key_file(b"ssh-ed25519 AAAA"));
        let policy = Policy::inspect();
        assert_eq!(
            read_private_key_file(b"ssh-ed25519 AAAA", &policy).unwrap_err(),
            Error::NotPrivateKeyFile
        );
        for bad in [
            &b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"[..],
            b"-----BEGIN DSA PRIVATE KEY-----\n-----END DSA PRIVATE KEY-----\n",
            b"-----BEGIN PRIVATE KEY-----\n\xff",
        ] {
            assert_eq!(
                read_private_key_file(bad, &policy).unwrap_err(),
                Error::InvalidPrivateKey
            );
        }
        let huge = vec![b' '; INSPECT_MAX_LEN + 1];
        assert!(matches!(
            read_private_key_file(&huge, &policy),
            Err(Error::InputTooLong { .. })
        ));
        // Exactly the bound is read.
        let at_bound = vec![b' '; INSPECT_MAX_LEN];
        assert_eq!(
            read_private_key_file(&at_bound, &policy).unwrap_err(),
            Error::NotPrivateKeyFile
        );
    }
}
