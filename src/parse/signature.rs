//! Verification of a certificate's CA signature, for every algorithm OpenSSH parses there.

use rsa::signature::Verifier as _;
use sha2::Digest as _;

use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::wire::Reader;

use super::fields::KeyFields;

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
        (KeyFields::Ed25519 { key }, SignatureAlgorithm::Ed25519) => {
            verify_ed25519(key, sig, signed)
        }
        (
            KeyFields::Ecdsa { key_type, point },
            SignatureAlgorithm::EcdsaP256
            | SignatureAlgorithm::EcdsaP384
            | SignatureAlgorithm::EcdsaP521,
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
            SignatureAlgorithm::RsaSha256
            | SignatureAlgorithm::RsaSha512
            | SignatureAlgorithm::RsaSha1,
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

/// DER `DigestInfo` prefixes of RFC 8017 §9.2 note 1.
const SHA1_PREFIX: &[u8] = &[
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
const SHA256_PREFIX: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const SHA512_PREFIX: &[u8] = &[
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// RSA PKCS#1 v1.5 (RFC 8017 §8.2.2) with SHA-256, SHA-512 or (legacy) SHA-1. As OpenSSH, a
/// signature shorter than the modulus is accepted (left-padded), a longer one is not.
///
/// Everything is public, so the arithmetic is variable-time; it runs on fixed-size integers on the
/// stack (`crypto-bigint`), so verifying a certificate allocates nothing.
fn verify_rsa(e: &[u8], n: &[u8], alg: SignatureAlgorithm, sig: &[u8], signed: &[u8]) -> bool {
    // The digest and the encoded message's tail: prefix || H.
    let mut t = [0u8; 19 + 64];
    let t_len = match alg {
        SignatureAlgorithm::RsaSha256 => {
            let h = sha2::Sha256::digest(signed);
            t[..19].copy_from_slice(SHA256_PREFIX);
            t[19..51].copy_from_slice(&h);
            51
        }
        SignatureAlgorithm::RsaSha512 => {
            let h = sha2::Sha512::digest(signed);
            t[..19].copy_from_slice(SHA512_PREFIX);
            t[19..83].copy_from_slice(&h);
            83
        }
        _ => {
            let h = sha1::Sha1::digest(signed);
            t[..15].copy_from_slice(SHA1_PREFIX);
            t[15..35].copy_from_slice(&h);
            35
        }
    };
    let t = &t[..t_len];
    match n.len() {
        0..=256 => modexp_matches::<{ crypto_bigint::U2048::LIMBS }>(e, n, sig, t),
        257..=512 => modexp_matches::<{ crypto_bigint::U4096::LIMBS }>(e, n, sig, t),
        513..=1024 => modexp_matches::<{ crypto_bigint::U8192::LIMBS }>(e, n, sig, t),
        1025..=2048 => modexp_matches::<{ crypto_bigint::U16384::LIMBS }>(e, n, sig, t),
        _ => false,
    }
}

/// Big-endian bytes into a fixed-size integer; `None` when they do not fit.
fn uint_from_be<const L: usize>(bytes: &[u8]) -> Option<crypto_bigint::Uint<L>> {
    use crypto_bigint::{Limb, Word};
    if bytes.len() > L * Limb::BYTES {
        return None;
    }
    let mut words: [Word; L] = [0; L];
    for (word, chunk) in words.iter_mut().zip(bytes.rchunks(Limb::BYTES)) {
        *word = chunk.iter().fold(0, |acc, &b| (acc << 8) | Word::from(b));
    }
    Some(crypto_bigint::Uint::from_words(words))
}

/// `sig^e mod n` equals `0x00 || 0x01 || 0xff.. || 0x00 || t` (k bytes, k = len(n)).
fn modexp_matches<const L: usize>(e: &[u8], n: &[u8], sig: &[u8], t: &[u8]) -> bool {
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    let k = n.len();
    if sig.len() > k || k < t.len() + 11 {
        return false;
    }
    let (Some(n_int), Some(s), Some(e)) = (
        uint_from_be::<L>(n),
        uint_from_be::<L>(sig),
        uint_from_be::<1>(e),
    ) else {
        return false;
    };
    if s >= n_int {
        return false;
    }
    let Some(odd) = crypto_bigint::Odd::new(n_int).into_option() else {
        return false;
    };
    let params = FixedMontyParams::new_vartime(odd);
    let m = FixedMontyForm::new(&s, &params).pow_vartime(&e).retrieve();
    let encoded = m.to_be_bytes();
    let bytes: &[u8] = encoded.as_ref();
    let Some((high, em)) = bytes.len().checked_sub(k).map(|at| bytes.split_at(at)) else {
        return false;
    };
    let ps_len = k - 3 - t.len();
    high.iter().all(|&b| b == 0)
        && em[0] == 0
        && em[1] == 1
        && em[2..2 + ps_len].iter().all(|&b| b == 0xff)
        && em[2 + ps_len] == 0
        && &em[3 + ps_len..] == t
}
