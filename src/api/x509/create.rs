//! `type: x509` create (microversions 2.2-2.91), as Nova's `crypto.generate_winrm_x509_cert`:
//! a new RSA-2048 key, a self-signed certificate as `openssl req -x509 -nodes -days 3650` makes
//! it with Nova's configuration, and a PKCS#12 bundle of key and certificate under an empty
//! password as `openssl pkcs12 -export -password pass:` (OpenSSL 3) writes it.
//!
//! Certificate: version 3, a random positive 159-bit serial, sha256WithRSAEncryption, issuer =
//! subject = `CN=<user_id>` (UTF8String), valid from now for 3650 days, extensions (none
//! critical) extendedKeyUsage clientAuth, subjectAltName otherName UPN
//! (1.3.6.1.4.1.311.20.2.3) UTF8 `<user_id>@localhost`, and subjectKeyIdentifier (the SHA-1 of
//! the public key, which OpenSSL 3 adds by default).
//!
//! PKCS#12 (RFC 7292), as OpenSSL 3's defaults: the certificate bag in an `encryptedData`
//! content and the PKCS#8 key in a `pkcs8ShroudedKeyBag` in a `data` content, both encrypted
//! with PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, 8-byte salt, AES-256-CBC), both bags with
//! the `localKeyId` attribute (the certificate's SHA-1), and an HMAC-SHA256 MAC (2048
//! iterations, 8-byte salt, key from RFC 7292 appendix B with the empty password).
//!
//! The certificate's signature is made from the key's CRT values on fixed-size integers
//! (`GeneratedKey::sign_pkcs1v15_sha256`), not with `rsa`'s private key; `rsa` checks it. The
//! DER is written here with a small TLV writer; every cipher, hash, MAC and KDF is a
//! RustCrypto crate (`pkcs5`'s PBES2, `hmac`, `sha2`), except the RFC 7292 appendix B key
//! derivation for the MAC, which is iterated SHA-256 (fifteen lines, checked by OpenSSL and
//! pyca/cryptography reading the MAC). Every buffer that holds the key, in clear or under the
//! empty password, is `Zeroizing`.

use core::time::Duration;
use std::time::SystemTime;

use hmac::{KeyInit as _, Mac as _};
use rsa::pkcs8::pkcs5;
use sha2::{Digest as _, Sha256};
use x509_cert::TbsCertificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder as _, CertificateBuilder};
use x509_cert::der::asn1::{Any, BitString, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode as _, Encode as _, Tag};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{GeneralName, OtherName};
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey as _,
    SubjectPublicKeyInfo, SubjectPublicKeyInfoRef,
};
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::generate::GeneratedKey;

/// Days a created certificate is valid (`openssl req -days 3650`).
pub(crate) const VALIDITY_DAYS: u64 = 3650;

/// Longest `user_id` a certificate subject takes (X.520 `ub-common-name`); OpenSSL refuses a
/// longer CN, and Nova answers that with a 500.
pub(crate) const MAX_COMMON_NAME_LEN: usize = 64;

/// PBKDF2 and MAC iterations (`openssl pkcs12 -export` defaults).
const ITERATIONS: u32 = 2048;

const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const OID_MS_UPN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.20.2.3");
const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const OID_SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const OID_CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const OID_X509_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const OID_LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// What an x509 create returns: the certificate (PEM and DER) and the PKCS#12 bundle.
pub(crate) struct X509KeyPair {
    /// `-----BEGIN CERTIFICATE-----` ... with a final newline, as `openssl req -out` writes it.
    pub(crate) certificate_pem: String,
    /// The certificate's DER (its SHA-1 is the fingerprint).
    pub(crate) certificate_der: Vec<u8>,
    /// The PKCS#12 bundle's DER; secret (the key is under the empty password).
    pub(crate) pkcs12: Zeroizing<Vec<u8>>,
}

/// Makes the certificate and the PKCS#12 bundle for `key` (`pkcs1`: its PKCS#1 DER), owned by
/// `user_id`, valid from `now`.
pub(crate) fn create(
    key: &GeneratedKey,
    pkcs1: &[u8],
    user_id: &str,
    now: SystemTime,
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<X509KeyPair> {
    let cn_len = user_id.chars().count();
    if cn_len > MAX_COMMON_NAME_LEN {
        return Err(Error::X509SubjectTooLong {
            len: cn_len,
            max: MAX_COMMON_NAME_LEN,
        });
    }
    // The certificate is signed from the key's CRT values on fixed-size integers
    // (`GeneratedKey::sign_pkcs1v15_sha256`), never through `rsa`'s private key; the encodings
    // are written here into zeroizing buffers.
    let certificate_der = certificate(key, user_id, now, rng)?;
    let pkcs12 = pkcs12(pkcs1, &certificate_der, rng)?;
    Ok(X509KeyPair {
        certificate_pem: certificate_pem(&certificate_der),
        certificate_der,
        pkcs12,
    })
}

/// The self-signed certificate's DER.
fn certificate(
    key: &GeneratedKey,
    user_id: &str,
    now: SystemTime,
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<Vec<u8>> {
    let enc = |_: x509_cert::der::Error| Error::Encoding;
    let subject = common_name(user_id).map_err(enc)?;
    let mut serial = [0u8; 20];
    rng.fill_bytes(&mut serial);
    // Positive and 159 bits at most, as OpenSSL's; never starting with a zero byte.
    serial[0] = (serial[0] & 0x7f) | 0x40;
    let serial = SerialNumber::new(&serial).map_err(enc)?;
    let not_before = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| Error::Encoding)?;
    let not_before = Duration::from_secs(not_before.as_secs());
    let not_after = not_before + Duration::from_secs(VALIDITY_DAYS * 86_400);
    let validity = Validity::new(
        Time::try_from(SystemTime::UNIX_EPOCH + not_before).map_err(enc)?,
        Time::try_from(SystemTime::UNIX_EPOCH + not_after).map_err(enc)?,
    );
    let public = key.rsa_public_key()?;
    let spki_der = public.to_public_key_der().map_err(|_| Error::Encoding)?;
    let spki = SubjectPublicKeyInfo::try_from(spki_der.as_bytes()).map_err(|_| Error::Encoding)?;
    let profile = NovaClientCert {
        subject,
        upn: format!("{user_id}@localhost"),
    };
    let mut builder =
        CertificateBuilder::new(profile, serial, validity, spki).map_err(|_| Error::Encoding)?;
    let signer = CrtSigner {
        public: rsa::pkcs1v15::VerifyingKey::new(public),
    };
    let tbs = builder.finalize(&signer).map_err(|_| Error::Encoding)?;
    let signature = key.sign_pkcs1v15_sha256(&tbs)?;
    // `rsa`'s verification of our signature (public values only).
    let checked = rsa::pkcs1v15::Signature::try_from(signature.as_slice())
        .map_err(|_| Error::Crypto)
        .and_then(|sig| {
            rsa::signature::Verifier::verify(&signer.public, &tbs, &sig).map_err(|_| Error::Crypto)
        });
    checked?;
    let signature = BitString::from_bytes(&signature).map_err(enc)?;
    let cert = builder
        .assemble(signature, &signer)
        .map_err(|_| Error::Encoding)?;
    cert.to_der().map_err(enc)
}

/// What the certificate builder asks of a signer besides the signature: the public key (for the
/// SPKI) and the algorithm (sha256WithRSAEncryption). The signature itself comes from
/// [`GeneratedKey::sign_pkcs1v15_sha256`].
struct CrtSigner {
    public: rsa::pkcs1v15::VerifyingKey<Sha256>,
}

impl rsa::signature::Keypair for CrtSigner {
    type VerifyingKey = rsa::pkcs1v15::VerifyingKey<Sha256>;

    fn verifying_key(&self) -> Self::VerifyingKey {
        self.public.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for CrtSigner {
    fn signature_algorithm_identifier(&self) -> x509_cert::spki::Result<AlgorithmIdentifierOwned> {
        DynSignatureAlgorithmIdentifier::signature_algorithm_identifier(&self.public)
    }
}

/// `CN=<user_id>`, the value a UTF8String (OpenSSL's default `utf8only` string mask).
fn common_name(user_id: &str) -> x509_cert::der::Result<Name> {
    let der = seq(&[&set(&[&seq(&[
        &oid(OID_CN),
        &tlv(TAG_UTF8_STRING, user_id.as_bytes()),
    ])])]);
    Name::from_der(&der)
}

/// The certificate profile of Nova's `openssl req -x509 -extensions v3_req_client`.
struct NovaClientCert {
    subject: Name,
    upn: String,
}

impl BuilderProfile for NovaClientCert {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let upn = Any::new(Tag::Utf8String, self.upn.as_bytes())?;
        let san = SubjectAltName(vec![GeneralName::OtherName(OtherName {
            type_id: OID_MS_UPN,
            value: upn,
        })]);
        let skid = SubjectKeyIdentifier::try_from(spk)?;
        let ext = |oid, der: Vec<u8>| -> x509_cert::der::Result<Extension> {
            Ok(Extension {
                extn_id: oid,
                critical: false,
                extn_value: OctetString::new(der)?,
            })
        };
        Ok(vec![
            ext(
                OID_EXT_KEY_USAGE,
                ExtendedKeyUsage(vec![OID_KP_CLIENT_AUTH]).to_der()?,
            )?,
            ext(OID_SUBJECT_ALT_NAME, san.to_der()?)?,
            ext(OID_SUBJECT_KEY_ID, skid.to_der()?)?,
        ])
    }
}

/// PEM with 64-character lines and a final newline (public data: the `base64` crate is fine).
fn certificate_pem(der: &[u8]) -> String {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(core::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The PKCS#12 bundle (`PFX`, version 3) of the key `pkcs1` (PKCS#1 DER) and `cert_der`, empty
/// password.
fn pkcs12(
    pkcs1: &[u8],
    cert_der: &[u8],
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<Zeroizing<Vec<u8>>> {
    let local_key_id: [u8; 20] = sha1::Sha1::digest(cert_der).into();
    let attributes = set(&[&seq(&[
        &oid(OID_LOCAL_KEY_ID),
        &set(&[&tlv(TAG_OCTET_STRING, &local_key_id)]),
    ])]);

    // The certificate bag, in an encryptedData content.
    let cert_bag = seq(&[
        &oid(OID_CERT_BAG),
        &explicit0(&seq(&[
            &oid(OID_X509_CERTIFICATE),
            &explicit0(&tlv(TAG_OCTET_STRING, cert_der)),
        ])),
        &attributes,
    ]);
    let cert_contents = seq(&[&cert_bag]);
    let cert_scheme = pbes2(rng)?;
    let encrypted = pkcs5::EncryptionScheme::Pbes2(cert_scheme.clone())
        .encrypt(b"", &cert_contents)
        .map_err(|_| Error::Crypto)?;
    let cert_info = seq(&[
        &oid(OID_ENCRYPTED_DATA),
        &explicit0(&seq(&[
            &tlv(TAG_INTEGER, &[0]),
            &seq(&[
                &oid(OID_DATA),
                &der(&pkcs5::EncryptionScheme::Pbes2(cert_scheme))?,
                &tlv(0x80, &encrypted),
            ]),
        ])),
    ]);

    // The key, PKCS#8 under PBES2 (EncryptedPrivateKeyInfo), in a shrouded key bag in a data
    // content. Encrypted in place in a zeroizing buffer: under the empty password the
    // ciphertext is as secret as the key (`pkcs8`'s own `encrypt_with_params` leaves its
    // ciphertext in a plain `Vec`).
    // PrivateKeyInfo: version 0, rsaEncryption with NULL parameters, the PKCS#1 key.
    let pkcs8 = seq(&[
        &tlv(TAG_INTEGER, &[0]),
        &seq(&[&oid(OID_RSA_ENCRYPTION), &tlv(TAG_NULL, &[])]),
        &tlv(TAG_OCTET_STRING, pkcs1),
    ]);
    let key_scheme = pbes2(rng)?;
    let plain_len = pkcs8.len();
    let mut buf = Zeroizing::new(vec![0u8; plain_len + 16]);
    buf.get_mut(..plain_len)
        .ok_or(Error::Encoding)?
        .copy_from_slice(&pkcs8);
    let ciphertext = key_scheme
        .encrypt_in_place(b"", &mut buf, plain_len)
        .map_err(|_| Error::Crypto)?;
    let shrouded = seq(&[
        &der(&pkcs5::EncryptionScheme::Pbes2(key_scheme.clone()))?,
        &tlv(TAG_OCTET_STRING, ciphertext),
    ]);
    let key_bag = seq(&[
        &oid(OID_SHROUDED_KEY_BAG),
        &explicit0(&shrouded),
        &attributes,
    ]);
    let key_contents = seq(&[&key_bag]);
    let key_info = seq(&[
        &oid(OID_DATA),
        &explicit0(&tlv(TAG_OCTET_STRING, &key_contents)),
    ]);

    let auth_safe = seq(&[&cert_info, &key_info]);
    let mut mac_salt = [0u8; 8];
    rng.fill_bytes(&mut mac_salt);
    let mac = pkcs12_mac(&auth_safe, &mac_salt)?;
    let mac_data = seq(&[
        &seq(&[
            &seq(&[&oid(OID_SHA256), &tlv(TAG_NULL, &[])]),
            &tlv(TAG_OCTET_STRING, &mac),
        ]),
        &tlv(TAG_OCTET_STRING, &mac_salt),
        &tlv(TAG_INTEGER, &ITERATIONS.to_be_bytes()[2..]),
    ]);
    Ok(seq(&[
        &tlv(TAG_INTEGER, &[3]),
        &seq(&[
            &oid(OID_DATA),
            &explicit0(&tlv(TAG_OCTET_STRING, &auth_safe)),
        ]),
        &mac_data,
    ]))
}

/// PBES2 parameters with a fresh salt and IV: PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC.
fn pbes2(rng: &mut (impl rand_core::CryptoRng + ?Sized)) -> Result<pkcs5::pbes2::Parameters> {
    let mut salt = [0u8; 8];
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut iv);
    pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(ITERATIONS, &salt, iv)
        .map_err(|_| Error::Encoding)
}

/// The MAC over the authenticated safe: HMAC-SHA256 keyed by the RFC 7292 appendix B.2 KDF
/// (ID 3, SHA-256, the empty password as a BMPString with its two-zero-byte terminator).
fn pkcs12_mac(data: &[u8], salt: &[u8; 8]) -> Result<[u8; 32]> {
    let key = pkcs12_mac_key(salt);
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key.as_ref()).map_err(|_| Error::Crypto)?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().into())
}

/// RFC 7292 appendix B.2 for SHA-256 (u = 32, v = 64) and one 32-byte output block:
/// `A = H^c(D || S || P)` with `D` = 64 bytes of the ID (3, MAC key), `S` the salt repeated to
/// 64 bytes, `P` the password (BMPString `00 00` for the empty one) repeated to 64 bytes.
fn pkcs12_mac_key(salt: &[u8; 8]) -> Zeroizing<[u8; 32]> {
    const V: usize = 64;
    const ID_MAC: u8 = 3;
    const PASSWORD: [u8; 2] = [0, 0];
    let mut h = Sha256::new();
    h.update([ID_MAC; V]);
    for _ in 0..V / salt.len() {
        h.update(salt);
    }
    for _ in 0..V / PASSWORD.len() {
        h.update(PASSWORD);
    }
    let mut a = Zeroizing::new(<[u8; 32]>::from(h.finalize()));
    for _ in 1..ITERATIONS {
        *a = Sha256::digest(a.as_ref()).into();
    }
    a
}

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_UTF8_STRING: u8 = 0x0c;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;
const TAG_EXPLICIT_0: u8 = 0xa0;

/// One DER TLV in a buffer of exactly its size (no reallocation leaves a copy behind).
fn tlv(tag: u8, content: &[u8]) -> Zeroizing<Vec<u8>> {
    tlv_parts(tag, &[content])
}

/// One DER TLV whose content is the concatenation of `parts`.
fn tlv_parts(tag: u8, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let len_bytes = len.to_be_bytes();
    let skip = len_bytes.iter().take_while(|&&b| b == 0).count();
    let long = len_bytes.get(skip..).unwrap_or_default();
    let header = if len < 0x80 { 2 } else { 2 + long.len() };
    let mut out = Zeroizing::new(Vec::with_capacity(header + len));
    out.push(tag);
    if len < 0x80 {
        out.push(long.last().copied().unwrap_or(0));
    } else {
        // At most 8 length bytes: 0x81..=0x88.
        out.push(0x80 | u8::try_from(long.len()).unwrap_or(0));
        out.extend_from_slice(long);
    }
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

fn seq(items: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    tlv_parts(TAG_SEQUENCE, items)
}

/// A SET OF with its elements in DER order (sorted); the sets here have one element.
fn set(items: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let mut sorted: Vec<&[u8]> = items.to_vec();
    sorted.sort_unstable();
    tlv_parts(TAG_SET, &sorted)
}

fn explicit0(inner: &[u8]) -> Zeroizing<Vec<u8>> {
    tlv(TAG_EXPLICIT_0, inner)
}

fn oid(oid: ObjectIdentifier) -> Zeroizing<Vec<u8>> {
    tlv(TAG_OID, oid.as_bytes())
}

fn der(value: &impl x509_cert::der::Encode) -> Result<Zeroizing<Vec<u8>>> {
    value
        .to_der()
        .map(Zeroizing::new)
        .map_err(|_| Error::Encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(*tlv(4, &[]), [4, 0]);
        assert_eq!(tlv(4, &[7; 127])[..2], [4, 127]);
        assert_eq!(tlv(4, &[7; 128])[..3], [4, 0x81, 128]);
        assert_eq!(tlv(4, &[7; 256])[..4], [4, 0x82, 1, 0]);
        assert_eq!(tlv(4, &[7; 300]).len(), 304);
    }
}
