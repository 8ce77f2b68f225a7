//! Request and response bodies of `POST /v2.1/{project_id}/os-keypairs`, field for field.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize as _, Zeroizing};

/// The request body: `{"keypair": {...}}`.
///
/// The derived `Deserialize` refuses unknown fields, `null` for optional fields and duplicate
/// fields; it knows nothing of microversions. To parse a body exactly as Nova does (per
/// microversion, with Nova's messages, duplicate keys resolved as Python does: last one wins),
/// use [`parse_body`](super::parse_body).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKeypairRequest {
    /// The key pair to create or import.
    pub keypair: KeypairRequest,
}

/// The `keypair` object of a request. Its strings are wiped when it is dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeypairRequest {
    /// The name: unique per user; rules per microversion (see [`check_name`](super::check_name)).
    pub name: String,
    /// `ssh` (the default) or `x509`; 2.2 to 2.91 (2.92+ accept the field too, per Nova's schema).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "some",
        skip_serializing_if = "Option::is_none"
    )]
    pub key_type: Option<KeypairType>,
    /// The public key to import, stored and echoed verbatim. Absent: create (generate) a key
    /// (below 2.92 only).
    #[serde(
        default,
        deserialize_with = "some",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_key: Option<String>,
    /// The user the key pair is for (2.10+, an admin acting for another user). Absent or empty:
    /// the caller.
    #[serde(
        default,
        deserialize_with = "some",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<String>,
}

impl CreateKeypairRequest {
    /// A create request (generate a key): `{"keypair": {"name": NAME}}`.
    #[must_use]
    pub fn create(name: &str) -> Self {
        let mut keypair = KeypairRequest::default();
        keypair.name = name.to_owned();
        Self { keypair }
    }

    /// An import request: `{"keypair": {"name": NAME, "public_key": KEY}}`.
    #[must_use]
    pub fn import(name: &str, public_key: &str) -> Self {
        let mut r = Self::create(name);
        r.keypair.public_key = Some(public_key.to_owned());
        r
    }

    /// The same request with `type` set (2.2+).
    #[must_use]
    pub const fn with_type(mut self, key_type: KeypairType) -> Self {
        self.keypair.key_type = Some(key_type);
        self
    }

    /// The same request with `user_id` set (2.10+).
    #[must_use]
    pub fn with_user_id(mut self, user_id: &str) -> Self {
        self.keypair.user_id = Some(user_id.to_owned());
        self
    }
}

/// The strings are wiped when the request is dropped: a caller may have pasted a private key
/// into any of them.
impl Drop for KeypairRequest {
    fn drop(&mut self) {
        self.name.zeroize();
        self.public_key.zeroize();
        self.user_id.zeroize();
    }
}

/// `null` is refused for optional fields, as Nova's schema does (`None is not of type 'string'`).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The key pair type (`type`, microversion 2.2 and later).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeypairType {
    /// An OpenSSH public key (the default).
    #[default]
    Ssh,
    /// A PEM X.509 certificate (2.2 to 2.91): imported, or created with a PKCS#12 bundle.
    X509,
}

impl KeypairType {
    /// `ssh` or `x509`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ssh => "ssh",
            Self::X509 => "x509",
        }
    }
}

impl fmt::Display for KeypairType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The response body: `{"keypair": {...}}`.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKeypairResponse {
    /// The key pair created or imported.
    pub keypair: KeypairResponse,
}

/// The `keypair` object of a response, fields in Nova's order. Its strings are wiped when it
/// is dropped.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeypairResponse {
    /// The name.
    pub name: String,
    /// The public key: an import's `public_key` verbatim, or the generated `ssh-rsa ...
    /// Generated-by-Nova` line.
    pub public_key: String,
    /// MD5 colon-hex for `ssh` (47 characters), SHA-1 colon-hex for `x509` (59 characters).
    pub fingerprint: String,
    /// `ssh` or `x509`; present from microversion 2.2 on.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub key_type: Option<KeypairType>,
    /// The owner: the request's `user_id` (2.10+) or the caller.
    pub user_id: String,
    /// The generated private key (PKCS#1 PEM; for `type: x509`, the base64 of a PKCS#12 bundle
    /// with an empty password); only on a create, never on an import or from 2.92.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<PrivateKeyPem>,
}

/// The strings are wiped when the response is dropped: they echo the request's (a `user_id`
/// may hold anything a caller pasted).
impl Drop for KeypairResponse {
    fn drop(&mut self) {
        self.name.zeroize();
        self.public_key.zeroize();
        self.fingerprint.zeroize();
        self.user_id.zeroize();
    }
}

/// A private key in a response: zeroized on drop, redacted in `Debug`, not `Clone`.
pub struct PrivateKeyPem(Zeroizing<String>);

impl PrivateKeyPem {
    /// Wraps a PEM text.
    #[must_use]
    pub const fn new(pem: Zeroizing<String>) -> Self {
        Self(pem)
    }

    /// The PEM text (`-----BEGIN RSA PRIVATE KEY-----` ...), or for an x509 create the base64
    /// of the PKCS#12 bundle.
    #[must_use]
    pub fn secret_pem(&self) -> &str {
        &self.0
    }

    /// The PEM text, still zeroizing.
    #[must_use]
    pub fn into_secret_pem(self) -> Zeroizing<String> {
        self.0
    }
}

impl fmt::Debug for PrivateKeyPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKeyPem([secret elided])")
    }
}

impl PartialEq for PrivateKeyPem {
    /// Compares without an early exit on the first differing byte.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for PrivateKeyPem {}

/// `value` as JSON in a zeroizing string, written into a buffer of its exact final size: a first
/// pass only counts the bytes, so the buffer never grows (a growing buffer would leave copies of
/// the private key in freed memory) and is wiped when dropped.
pub(crate) fn to_zeroizing_json<T: Serialize + ?Sized>(value: &T) -> Zeroizing<String> {
    /// Counts what would be written.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    if serde_json::to_writer(&mut count, value).is_err() {
        return Zeroizing::new(String::new());
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(count.0));
    if serde_json::to_writer(&mut *buf, value).is_err() {
        return Zeroizing::new(String::new());
    }
    // serde_json writes UTF-8 only; `from_utf8` takes the buffer without copying it.
    let bytes = core::mem::take(&mut *buf);
    match String::from_utf8(bytes) {
        Ok(text) => Zeroizing::new(text),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Zeroizing::new(String::new())
        }
    }
}

impl Serialize for PrivateKeyPem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PrivateKeyPem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self(Zeroizing::new(s)))
    }
}
