//! Key types and the parsed public key.

use core::fmt;
use core::ops::Range;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use sha2::Sha256;

use crate::fingerprint::{Md5Fingerprint, Sha256Fingerprint};

/// The kind of a plain public key. A certificate has the kind of the key it certifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// `ssh-rsa`
    Rsa,
    /// `ssh-dss` (deprecated)
    Dsa,
    /// `ecdsa-sha2-nistp256`
    EcdsaP256,
    /// `ecdsa-sha2-nistp384`
    EcdsaP384,
    /// `ecdsa-sha2-nistp521`
    EcdsaP521,
    /// `ssh-ed25519`
    Ed25519,
    /// `sk-ecdsa-sha2-nistp256@openssh.com` (FIDO security key)
    SkEcdsaP256,
    /// `sk-ssh-ed25519@openssh.com` (FIDO security key)
    SkEd25519,
    /// `ssh-mldsa44-ed25519@openssh.com` (ML-DSA-44 + Ed25519 hybrid)
    MlDsa44Ed25519,
}

/// Every key type, in a fixed order.
pub(crate) const ALL_KEY_TYPES: [KeyType; 9] = [
    KeyType::Rsa,
    KeyType::Dsa,
    KeyType::EcdsaP256,
    KeyType::EcdsaP384,
    KeyType::EcdsaP521,
    KeyType::Ed25519,
    KeyType::SkEcdsaP256,
    KeyType::SkEd25519,
    KeyType::MlDsa44Ed25519,
];

impl KeyType {
    /// The OpenSSH name of the plain key type (`ssh-ed25519`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rsa => "ssh-rsa",
            Self::Dsa => "ssh-dss",
            Self::EcdsaP256 => "ecdsa-sha2-nistp256",
            Self::EcdsaP384 => "ecdsa-sha2-nistp384",
            Self::EcdsaP521 => "ecdsa-sha2-nistp521",
            Self::Ed25519 => "ssh-ed25519",
            Self::SkEcdsaP256 => "sk-ecdsa-sha2-nistp256@openssh.com",
            Self::SkEd25519 => "sk-ssh-ed25519@openssh.com",
            Self::MlDsa44Ed25519 => "ssh-mldsa44-ed25519@openssh.com",
        }
    }

    /// The OpenSSH name of the certificate type for this key type.
    #[must_use]
    pub const fn certificate_name(self) -> &'static str {
        match self {
            Self::Rsa => "ssh-rsa-cert-v01@openssh.com",
            Self::Dsa => "ssh-dss-cert-v01@openssh.com",
            Self::EcdsaP256 => "ecdsa-sha2-nistp256-cert-v01@openssh.com",
            Self::EcdsaP384 => "ecdsa-sha2-nistp384-cert-v01@openssh.com",
            Self::EcdsaP521 => "ecdsa-sha2-nistp521-cert-v01@openssh.com",
            Self::Ed25519 => "ssh-ed25519-cert-v01@openssh.com",
            Self::SkEcdsaP256 => "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
            Self::SkEd25519 => "sk-ssh-ed25519-cert-v01@openssh.com",
            Self::MlDsa44Ed25519 => "ssh-mldsa44-ed25519-cert-v01@openssh.com",
        }
    }

    /// The short label `ssh-keygen -l` prints in parentheses (`RSA`, `ED25519`, `ECDSA-SK`, ...).
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Dsa => "DSA",
            Self::EcdsaP256 | Self::EcdsaP384 | Self::EcdsaP521 => "ECDSA",
            Self::Ed25519 => "ED25519",
            Self::SkEcdsaP256 => "ECDSA-SK",
            Self::SkEd25519 => "ED25519-SK",
            Self::MlDsa44Ed25519 => "MLDSA44-ED25519",
        }
    }

    /// The key type and whether it is a certificate, for an exact OpenSSH type name.
    #[must_use]
    pub fn from_name(name: &[u8]) -> Option<(Self, bool)> {
        ALL_KEY_TYPES.into_iter().find_map(|t| {
            if name == t.name().as_bytes() {
                Some((t, false))
            } else if name == t.certificate_name().as_bytes() {
                Some((t, true))
            } else {
                None
            }
        })
    }

    /// The ECDSA curve identifier inside the key (`nistp256`, ...), for ECDSA types.
    pub(crate) const fn curve_name(self) -> Option<&'static str> {
        match self {
            Self::EcdsaP256 | Self::SkEcdsaP256 => Some("nistp256"),
            Self::EcdsaP384 => Some("nistp384"),
            Self::EcdsaP521 => Some("nistp521"),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The signature algorithm of a certificate's CA signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// `ssh-ed25519`
    Ed25519,
    /// `ecdsa-sha2-nistp256`
    EcdsaP256,
    /// `ecdsa-sha2-nistp384`
    EcdsaP384,
    /// `ecdsa-sha2-nistp521`
    EcdsaP521,
    /// `rsa-sha2-256`
    RsaSha256,
    /// `rsa-sha2-512`
    RsaSha512,
    /// `ssh-rsa` (RSA with SHA-1: legacy, accepted and reported)
    RsaSha1,
    /// `ssh-dss` (DSA with SHA-1: legacy, accepted and reported)
    Dsa,
    /// `sk-ssh-ed25519@openssh.com` (a FIDO security key's Ed25519 signature)
    SkEd25519,
    /// `sk-ecdsa-sha2-nistp256@openssh.com` (a FIDO security key's ECDSA P-256 signature)
    SkEcdsaP256,
}

impl SignatureAlgorithm {
    /// The OpenSSH name of the algorithm.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "ssh-ed25519",
            Self::EcdsaP256 => "ecdsa-sha2-nistp256",
            Self::EcdsaP384 => "ecdsa-sha2-nistp384",
            Self::EcdsaP521 => "ecdsa-sha2-nistp521",
            Self::RsaSha256 => "rsa-sha2-256",
            Self::RsaSha512 => "rsa-sha2-512",
            Self::RsaSha1 => "ssh-rsa",
            Self::Dsa => "ssh-dss",
            Self::SkEd25519 => "sk-ssh-ed25519@openssh.com",
            Self::SkEcdsaP256 => "sk-ecdsa-sha2-nistp256@openssh.com",
        }
    }

    /// Whether this is a legacy algorithm (SHA-1: `ssh-rsa`, `ssh-dss`).
    #[must_use]
    pub const fn is_legacy(self) -> bool {
        matches!(self, Self::RsaSha1 | Self::Dsa)
    }
}

/// Whether a certificate is for a user or a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateType {
    /// A user certificate (1).
    User,
    /// A host certificate (2).
    Host,
}

/// What a parsed OpenSSH certificate says (its CA signature has been verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    pub(crate) serial: u64,
    pub(crate) cert_type: CertificateType,
    pub(crate) key_id: Range<usize>,
    pub(crate) principals: Range<usize>,
    pub(crate) valid_after: u64,
    pub(crate) valid_before: u64,
    pub(crate) ca_key_type: KeyType,
    pub(crate) ca_key: Range<usize>,
    pub(crate) signature_algorithm: SignatureAlgorithm,
}

impl CertificateInfo {
    /// The serial number.
    #[must_use]
    pub const fn serial(&self) -> u64 {
        self.serial
    }

    /// User or host certificate.
    #[must_use]
    pub const fn cert_type(&self) -> CertificateType {
        self.cert_type
    }

    /// Start of validity, seconds since the Unix epoch (not checked, as `ssh-keygen -l`).
    #[must_use]
    pub const fn valid_after(&self) -> u64 {
        self.valid_after
    }

    /// End of validity, seconds since the Unix epoch (`u64::MAX` is "forever"; not checked).
    #[must_use]
    pub const fn valid_before(&self) -> u64 {
        self.valid_before
    }

    /// The CA key's type.
    #[must_use]
    pub const fn ca_key_type(&self) -> KeyType {
        self.ca_key_type
    }

    /// The algorithm of the verified CA signature.
    #[must_use]
    pub const fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.signature_algorithm
    }
}

/// Notices about an accepted key that a caller may want to pass on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Warnings {
    /// The key (or the certified key) is DSA, which OpenSSH has deprecated and disabled.
    pub deprecated_dsa: bool,
    /// The certificate's CA signature uses the legacy `ssh-rsa` (SHA-1) algorithm.
    pub legacy_ca_signature: bool,
}

/// A validated OpenSSH public key (plain or certificate).
///
/// Holds the decoded key blob and the comment; the fingerprints and the canonical line are
/// computed on request.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub(crate) key_type: KeyType,
    pub(crate) blob: Vec<u8>,
    /// The plain key's fields inside `blob` (after the type name, or after a certificate's nonce).
    pub(crate) key_fields: Range<usize>,
    pub(crate) bits: u32,
    pub(crate) comment: String,
    pub(crate) certificate: Option<CertificateInfo>,
    pub(crate) warnings: Warnings,
}

impl PublicKey {
    /// The key type (for a certificate, the type of the certified key).
    #[must_use]
    pub const fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The type name as written in front of the key (`ssh-ed25519-cert-v01@openssh.com` for a
    /// certificate).
    #[must_use]
    pub const fn algorithm_name(&self) -> &'static str {
        if self.certificate.is_some() {
            self.key_type.certificate_name()
        } else {
            self.key_type.name()
        }
    }

    /// The label `ssh-keygen -l` prints in parentheses (`RSA`, `ED25519-CERT`, ...).
    #[must_use]
    pub fn label(&self) -> String {
        if self.certificate.is_some() {
            format!("{}-CERT", self.key_type.label())
        } else {
            self.key_type.label().to_owned()
        }
    }

    /// Key size in bits as `ssh-keygen -l` prints it (RSA: bits of n; DSA: bits of p; ECDSA:
    /// 256/384/521; Ed25519 and security-key types: 256).
    #[must_use]
    pub const fn bits(&self) -> u32 {
        self.bits
    }

    /// The comment, as given (may be empty).
    #[must_use]
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// Whether this is an OpenSSH certificate.
    #[must_use]
    pub const fn is_certificate(&self) -> bool {
        self.certificate.is_some()
    }

    /// The certificate's details, when this is a certificate.
    #[must_use]
    pub const fn certificate(&self) -> Option<&CertificateInfo> {
        self.certificate.as_ref()
    }

    /// The certificate's key id (empty for a plain key).
    #[must_use]
    pub fn certificate_key_id(&self) -> &[u8] {
        self.certificate
            .as_ref()
            .and_then(|c| self.blob.get(c.key_id.clone()))
            .unwrap_or_default()
    }

    /// The certificate's principals (none for a plain key).
    pub fn certificate_principals(&self) -> impl Iterator<Item = &[u8]> {
        let packed = self
            .certificate
            .as_ref()
            .and_then(|c| self.blob.get(c.principals.clone()))
            .unwrap_or_default();
        let mut r = crate::wire::Reader::new(packed);
        core::iter::from_fn(move || r.read_string("principal").ok())
    }

    /// The certificate's CA public key blob (empty for a plain key).
    #[must_use]
    pub fn certificate_ca_key_blob(&self) -> &[u8] {
        self.certificate
            .as_ref()
            .and_then(|c| self.blob.get(c.ca_key.clone()))
            .unwrap_or_default()
    }

    /// Notices about the key (deprecated algorithm, legacy CA signature).
    #[must_use]
    pub const fn warnings(&self) -> Warnings {
        self.warnings
    }

    /// Whether the key uses a deprecated algorithm (DSA) or a legacy SHA-1 CA signature.
    #[must_use]
    pub const fn deprecated(&self) -> bool {
        self.warnings.deprecated_dsa || self.warnings.legacy_ca_signature
    }

    /// The whole decoded key blob as it was given (for a certificate, the certificate blob).
    #[must_use]
    pub fn blob(&self) -> &[u8] {
        &self.blob
    }

    /// Feeds the plain-key blob (`string type || key fields`) to `update` without building it.
    fn feed_plain_blob(&self, mut update: impl FnMut(&[u8])) {
        if self.certificate.is_none() {
            // A plain key's blob is exactly the plain blob.
            update(&self.blob);
            return;
        }
        let name = self.key_type.name().as_bytes();
        let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        update(&len.to_be_bytes());
        update(name);
        update(self.blob.get(self.key_fields.clone()).unwrap_or_default());
    }

    /// The plain-key blob (`string type || key fields`): for a plain key its blob, for a
    /// certificate the certified key's blob.
    #[must_use]
    pub fn plain_blob(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.feed_plain_blob(|part| out.extend_from_slice(part));
        out
    }

    /// MD5 fingerprint of the plain key, as the API returns it and `ssh-keygen -l -E md5` prints.
    #[must_use]
    pub fn md5_fingerprint(&self) -> Md5Fingerprint {
        let mut h = Md5::new();
        self.feed_plain_blob(|part| h.update(part));
        Md5Fingerprint::from_hasher(h)
    }

    /// SHA-256 fingerprint of the plain key, as `ssh-keygen -l` prints it.
    #[must_use]
    pub fn sha256_fingerprint(&self) -> Sha256Fingerprint {
        let mut h = Sha256::new();
        self.feed_plain_blob(|part| h.update(part));
        Sha256Fingerprint::from_hasher(h)
    }

    /// The canonical line `TYPE BASE64[ COMMENT]`, without a trailing newline.
    #[must_use]
    pub fn to_openssh(&self) -> String {
        let name = self.algorithm_name();
        let b64_len = self.blob.len().div_ceil(3) * 4;
        let mut out = String::with_capacity(name.len() + 2 + b64_len + self.comment.len());
        out.push_str(name);
        out.push(' ');
        base64::engine::general_purpose::STANDARD.encode_string(&self.blob, &mut out);
        if !self.comment.is_empty() {
            out.push(' ');
            out.push_str(&self.comment);
        }
        out
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("type", &self.algorithm_name())
            .field("bits", &self.bits)
            .field("sha256", &self.sha256_fingerprint())
            .field("comment_len", &self.comment.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_openssh())
    }
}
