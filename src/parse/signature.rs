//! Verification of a certificate's CA signature, for every algorithm OpenSSH parses there.

use rsa::signature::Verifier as _;
use sha2::Digest as _;

use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::wire::Reader;

use super::blob::KeyFields;

/// Verifies `sig_blob` (RFC 4253 §6.6 `string alg || string sig`) by the CA key over `signed`.
pub(crate) fn verify(
    ca: &KeyFields<'_>,
    sig_blob: &[u8],
    signed: &[u8],
) -> Result<SignatureAlgorithm> {
    let mut r = Reader::new(sig_blob);
    let name = r.read_cstring("signature algorithm")?;
    let alg = match name {
        b"ssh-ed25519" => SignatureAlgorithm::Ed25519,
        b"ecdsa-sha2-nistp256" => SignatureAlgorithm::EcdsaP256,
        b"ecdsa-sha2-nistp384" => SignatureAlgorithm::EcdsaP384,
        b"ecdsa-sha2-nistp521" => SignatureAlgorithm::EcdsaP521,
        b"rsa-sha2-256" => SignatureAlgorithm::RsaSha256,
        b"rsa-sha2-512" => SignatureAlgorithm::RsaSha512,
        b"ssh-rsa" => SignatureAlgorithm::RsaSha1,
        _ => return Err(Error::CertificateSignatureAlgorithm),
    };
    let sig = r.read_string("signature data")?;
    if !r.is_empty() {
        return Err(Error::TrailingData {
            remaining: r.remaining(),
        });
    }
    let ok = match (ca, alg) {
        (KeyFields::Ed25519 { key }, SignatureAlgorithm::Ed25519) => verify_ed25519(key, sig, signed),
        (
            KeyFields::Ecdsa { key_type, point },
            SignatureAlgorithm::EcdsaP256 | SignatureAlgorithm::EcdsaP384 | SignatureAlgorithm::EcdsaP521,
        ) => {
            let matching = matches!(
                (key_type, alg),
                (KeyType::EcdsaP256, SignatureAlgorithm::EcdsaP256)
                    | (KeyType::EcdsaP384, SignatureAlgorithm::EcdsaP384)
                    | (KeyType::EcdsaP521, SignatureAlgorithm::EcdsaP521)
            );
            if !matching {
                return Err(Error::CertificateSignatureAlgorithm);
            }
            verify_ecdsa(*key_type, point, sig, signed)?
        }
        (
            KeyFields::Rsa { e, n },
            SignatureAlgorithm::RsaSha256 | SignatureAlgorithm::RsaSha512 | SignatureAlgorithm::RsaSha1,
        ) => verify_rsa(e, n, alg, sig, signed),
        (KeyFields::Rsa { .. } | KeyFields::Ed25519 { .. } | KeyFields::Ecdsa { .. }, _) => {
            return Err(Error::CertificateSignatureAlgorithm);
        }
        _ => return Err(Error::CertificateCaKeyUnsupported),
    };
    if ok {
        Ok(alg)
    } else {
        Err(Error::CertificateSignatureInvalid)
    }
}

fn verify_ed25519(key: &[u8], sig: &[u8], signed: &[u8]) -> bool {
    let (Ok(key), Ok(sig)) = (<[u8; 32]>::try_from(key), <[u8; 64]>::try_from(sig)) else {
        return false;
    };
    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let sig = ed25519_dalek::Signature::from_bytes(&sig);
    vk.verify(signed, &sig).is_ok()
}

/// ECDSA signature body: `mpint r || mpint s`, both positive and canonical.
fn verify_ecdsa(key_type: KeyType, point: &[u8], sig: &[u8], signed: &[u8]) -> Result<bool> {
    let mut r = Reader::new(sig);
    let sr = r.read_positive_mpint("ECDSA signature r")?;
    let ss = r.read_positive_mpint("ECDSA signature s")?;
    if !r.is_empty() {
        return Err(Error::TrailingData {
            remaining: r.remaining(),
        });
    }
    let size = match key_type {
        KeyType::EcdsaP384 => 48,
        KeyType::EcdsaP521 => 66,
        _ => 32,
    };
    if sr.len() > size || ss.len() > size {
        return Ok(false);
    }
    let mut rs = [0u8; 132];
    rs[size - sr.len()..size].copy_from_slice(sr);
    rs[2 * size - ss.len()..2 * size].copy_from_slice(ss);
    let rs = &rs[..2 * size];
    Ok(match key_type {
        KeyType::EcdsaP384 => {
            let (Ok(vk), Ok(s)) = (
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p384::ecdsa::Signature::from_slice(rs),
            ) else {
                return Ok(false);
            };
            vk.verify(signed, &s).is_ok()
        }
        KeyType::EcdsaP521 => {
            let (Ok(vk), Ok(s)) = (
                p521::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p521::ecdsa::Signature::from_slice(rs),
            ) else {
                return Ok(false);
            };
            vk.verify(signed, &s).is_ok()
        }
        _ => {
            let (Ok(vk), Ok(s)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p256::ecdsa::Signature::from_slice(rs),
            ) else {
                return Ok(false);
            };
            vk.verify(signed, &s).is_ok()
        }
    })
}

/// RSA PKCS#1 v1.5 with SHA-256, SHA-512 or (legacy) SHA-1. As OpenSSH, a signature shorter than
/// the modulus is accepted (left-padded), a longer one is not.
fn verify_rsa(e: &[u8], n: &[u8], alg: SignatureAlgorithm, sig: &[u8], signed: &[u8]) -> bool {
    let n_len = n.len();
    if sig.len() > n_len {
        return false;
    }
    let e = rsa::BoxedUint::from_be_slice_vartime(e);
    let n = rsa::BoxedUint::from_be_slice_vartime(n);
    let Ok(key) = rsa::PublicKey::new_with_size_limits(
        n,
        e,
        usize::try_from(crate::policy::MIN_RSA_BITS).unwrap_or(1024)
            ..=usize::try_from(crate::policy::MAX_RSA_BITS).unwrap_or(16384),
    ) else {
        return false;
    };
    let mut padded = vec![0u8; n_len];
    padded[n_len - sig.len()..].copy_from_slice(sig);
    let result = match alg {
        SignatureAlgorithm::RsaSha256 => key.verify(
            rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            &sha2::Sha256::digest(signed),
            &padded,
        ),
        SignatureAlgorithm::RsaSha512 => key.verify(
            rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            &sha2::Sha512::digest(signed),
            &padded,
        ),
        _ => key.verify(
            rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            &sha1::Sha1::digest(signed),
            &padded,
        ),
    };
    result.is_ok()
}
