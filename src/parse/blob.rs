//! The decoded key blob: RFC 4251 fields per key type, OpenSSH's rules and ours.

use core::ops::Range;

use crate::error::{Error, Result};
use crate::key::{CertificateInfo, CertificateType, KeyType, Warnings};
use crate::policy::{MAX_CERT_PRINCIPALS, Policy};
use crate::wire::{Reader, bit_len, cmp_magnitude};

use super::fields::KeyFields;
use super::signature;

/// Length of an ML-DSA-44 + Ed25519 hybrid public key (1312 + 32 bytes).
pub(crate) const MLDSA44_ED25519_KEY_LEN: usize = 1344;

/// What the blob parser found.
pub(crate) struct Parsed {
    pub(crate) key_fields: Range<usize>,
    pub(crate) bits: u32,
    pub(crate) warnings: Warnings,
    pub(crate) certificate: Option<CertificateInfo>,
}

/// Parses a whole blob whose type token was `key_type` (a certificate when `is_cert`).
pub(crate) fn parse_blob(
    blob: &[u8],
    key_type: KeyType,
    is_cert: bool,
    policy: &Policy,
) -> Result<Parsed> {
    let mut r = Reader::new(blob);
    let name = r.read_cstring("key type name")?;
    let expected = if is_cert {
        key_type.certificate_name()
    } else {
        key_type.name()
    };
    if name != expected.as_bytes() {
        return Err(Error::KeyTypeMismatch);
    }
    if is_cert {
        return parse_certificate(blob, r, key_type, policy);
    }
    let start = r.offset();
    let fields = read_key_fields(&mut r, key_type, policy)?;
    let end = r.offset();
    finish(&r)?;
    Ok(Parsed {
        key_fields: start..end,
        bits: fields.bits(),
        warnings: Warnings {
            deprecated_dsa: key_type == KeyType::Dsa,
            legacy_ca_signature: false,
        },
        certificate: None,
    })
}

fn finish(r: &Reader<'_>) -> Result<()> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(Error::TrailingData {
            remaining: r.remaining(),
        })
    }
}

/// Reads and validates the fields of a plain key of `key_type`.
pub(crate) fn read_key_fields<'a>(
    r: &mut Reader<'a>,
    key_type: KeyType,
    policy: &Policy,
) -> Result<KeyFields<'a>> {
    match key_type {
        KeyType::Rsa => {
            let e = r.read_positive_mpint("RSA exponent e")?;
            let n = r.read_positive_mpint("RSA modulus n")?;
            check_rsa(e, n, policy)?;
            Ok(KeyFields::Rsa { e, n })
        }
        KeyType::Dsa => {
            let p = r.read_positive_mpint("DSA p")?;
            let q = r.read_positive_mpint("DSA q")?;
            let g = r.read_positive_mpint("DSA g")?;
            let y = r.read_positive_mpint("DSA y")?;
            if !policy.allow_dsa {
                return Err(Error::DsaNotAllowed);
            }
            let (p_bits, q_bits) = (bit_len(p), bit_len(q));
            if p_bits != 1024 || q_bits != 160 {
                return Err(Error::DsaKeySize { p_bits, q_bits });
            }
            // Zero was refused by the mpint reader; check the upper bound.
            for (field, v) in [("g", g), ("y", y)] {
                if cmp_magnitude(v, p).is_ge() {
                    return Err(Error::DsaValueRange { field });
                }
            }
            Ok(KeyFields::Dsa { p, q, g, y })
        }
        KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521 => {
            let point = read_ecdsa(r, key_type)?;
            Ok(KeyFields::Ecdsa { key_type, point })
        }
        KeyType::SkEcdsaP256 => {
            let point = read_ecdsa(r, key_type)?;
            let application = read_application(r)?;
            Ok(KeyFields::SkEcdsa { point, application })
        }
        KeyType::Ed25519 => {
            let key = read_ed25519(r)?;
            check_small_order(key, policy)?;
            Ok(KeyFields::Ed25519 { key })
        }
        KeyType::SkEd25519 => {
            let key = read_ed25519(r)?;
            check_small_order(key, policy)?;
            let application = read_application(r)?;
            Ok(KeyFields::SkEd25519 { key, application })
        }
        KeyType::MlDsa44Ed25519 => {
            let key = r.read_string("ML-DSA-44/Ed25519 public key")?;
            if key.len() != MLDSA44_ED25519_KEY_LEN {
                return Err(Error::MlDsaKeyLength {
                    len: key.len(),
                    expected: MLDSA44_ED25519_KEY_LEN,
                });
            }
            Ok(KeyFields::MlDsa44Ed25519)
        }
    }
}

/// RSA: n odd and of an allowed size; e odd, `3 <= e < 2^33`, `e < n`.
fn check_rsa(e: &[u8], n: &[u8], policy: &Policy) -> Result<()> {
    let bits = bit_len(n);
    if bits < policy.min_rsa_bits || bits > policy.max_rsa_bits {
        return Err(Error::RsaKeySize {
            bits,
            min: policy.min_rsa_bits,
            max: policy.max_rsa_bits,
        });
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(Error::RsaModulusEven);
    }
    let e_bits = bit_len(e);
    if e.last().is_some_and(|b| b & 1 == 0) {
        return Err(Error::RsaExponentEven);
    }
    // e is odd here, so e >= 3 unless e == 1.
    if e_bits > 33 || e == [1] || cmp_magnitude(e, n).is_ge() {
        return Err(Error::RsaExponentRange { bits: e_bits });
    }
    Ok(())
}

fn read_ed25519<'a>(r: &mut Reader<'a>) -> Result<&'a [u8]> {
    let key = r.read_string("Ed25519 public key")?;
    if key.len() != 32 {
        return Err(Error::Ed25519KeyLength { len: key.len() });
    }
    Ok(key)
}

fn check_small_order(key: &[u8], policy: &Policy) -> Result<()> {
    if !policy.allow_small_order_ed25519 && signature::is_small_order_ed25519(key) {
        return Err(Error::Ed25519SmallOrder);
    }
    Ok(())
}

fn read_application<'a>(r: &mut Reader<'a>) -> Result<&'a [u8]> {
    if r.is_empty() {
        return Err(Error::SkApplicationMissing);
    }
    r.read_cstring("security-key application")
}

/// Field primes, big-endian, for the coordinate range check.
const P256_P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];
const P384_P: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
];
const P521_P: [u8; 66] = {
    let mut p = [0xff; 66];
    p[0] = 0x01;
    p
};

/// Group orders minus one, big-endian, padded to the field size (OpenSSH requires x, y < n - 1).
const P256_N_MINUS_1: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x50,
];
const P384_N_MINUS_1: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x72,
];
const P521_N_MINUS_1: [u8; 66] = [
    0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48, 0xf7, 0x09,
    0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f, 0xb7, 0x1e, 0x91, 0x38,
    0x64, 0x08,
];

/// Bits of a big-endian value that may have leading zero bytes.
fn bits_of(v: &[u8]) -> u32 {
    let first = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    bit_len(v.get(first..).unwrap_or_default())
}

/// Reads the curve name and the point of an ECDSA key and validates the point.
fn read_ecdsa<'a>(r: &mut Reader<'a>, key_type: KeyType) -> Result<&'a [u8]> {
    let curve = r.read_cstring("ECDSA curve name")?;
    if Some(curve) != key_type.curve_name().map(str::as_bytes) {
        return Err(Error::EcdsaCurveMismatch);
    }
    let point = r.read_string("ECDSA public point")?;
    check_ecdsa_point(key_type, point)?;
    Ok(point)
}

/// The point must be uncompressed, with coordinates below p, on the curve and not the identity.
pub(crate) fn check_ecdsa_point(key_type: KeyType, point: &[u8]) -> Result<()> {
    let (prime, order_minus_1, order_bits): (&[u8], &[u8], u32) = match key_type {
        KeyType::EcdsaP384 => (&P384_P, &P384_N_MINUS_1, 384),
        KeyType::EcdsaP521 => (&P521_P, &P521_N_MINUS_1, 521),
        _ => (&P256_P, &P256_N_MINUS_1, 256),
    };
    let expected = 1 + 2 * prime.len();
    if point == [0] {
        return Err(Error::EcdsaPointAtInfinity);
    }
    if point.len() != expected || point.first() != Some(&0x04) {
        return Err(Error::EcdsaPointEncoding {
            len: point.len(),
            expected,
        });
    }
    let coords = point.get(1..).unwrap_or_default();
    let (x, y) = coords.split_at(prime.len());
    if x >= prime || y >= prime {
        return Err(Error::EcdsaCoordinateRange);
    }
    let on_curve = match key_type {
        KeyType::EcdsaP384 => p384::PublicKey::from_sec1_bytes(point).is_ok(),
        KeyType::EcdsaP521 => p521::PublicKey::from_sec1_bytes(point).is_ok(),
        _ => p256::PublicKey::from_sec1_bytes(point).is_ok(),
    };
    if !on_curve {
        return Err(Error::EcdsaPointNotOnCurve);
    }
    // OpenSSH's sshkey_ec_validate_public: log2(x), log2(y) > log2(order) / 2 and x, y < order - 1.
    for c in [x, y] {
        if bits_of(c) <= order_bits / 2 || c >= order_minus_1 {
            return Err(Error::EcdsaCoordinateBounds);
        }
    }
    Ok(())
}

/// A certificate: nonce, the certified key's fields, then the certificate fields, the CA key and
/// the CA signature, which must verify over everything before it.
fn parse_certificate(
    blob: &[u8],
    mut r: Reader<'_>,
    key_type: KeyType,
    policy: &Policy,
) -> Result<Parsed> {
    if !policy.allow_certificates {
        return Err(Error::CertificateNotAllowed);
    }
    r.read_string("certificate nonce")?;
    let start = r.offset();
    let fields = read_key_fields(&mut r, key_type, policy)?;
    let end = r.offset();
    let serial = r.read_u64("certificate serial")?;
    let cert_type = match r.read_u32("certificate type")? {
        1 => CertificateType::User,
        2 => CertificateType::Host,
        value => return Err(Error::CertificateType { value }),
    };
    let key_id = read_range(&mut r, "certificate key id", true)?;
    let principals = read_range(&mut r, "certificate principals", false)?;
    let mut pr = Reader::new(blob.get(principals.clone()).unwrap_or_default());
    let mut count = 0usize;
    while !pr.is_empty() {
        pr.read_cstring("certificate principal")?;
        count += 1;
        if count > MAX_CERT_PRINCIPALS {
            return Err(Error::CertificateTooManyPrincipals {
                max: MAX_CERT_PRINCIPALS,
            });
        }
    }
    let valid_after = r.read_u64("certificate valid after")?;
    let valid_before = r.read_u64("certificate valid before")?;
    for (section, name_field, data_field) in [
        (
            "certificate critical options",
            "critical option name",
            "critical option data",
        ),
        ("certificate extensions", "extension name", "extension data"),
    ] {
        let mut opts = Reader::new(r.read_string(section)?);
        while !opts.is_empty() {
            opts.read_cstring(name_field)?;
            opts.read_string(data_field)?;
        }
    }
    r.read_string("certificate reserved")?;
    let ca_key = read_range(&mut r, "certificate signature key", false)?;
    let signed_len = r.offset();
    let sig = r.read_string("certificate signature")?;
    finish(&r)?;

    let ca_blob = blob.get(ca_key.clone()).unwrap_or_default();
    let mut cr = Reader::new(ca_blob);
    let ca_name = cr.read_cstring("signature key type name")?;
    let (ca_key_type, ca_is_cert) =
        KeyType::from_name(ca_name).ok_or(Error::CertificateCaKeyUnsupported)?;
    if ca_is_cert {
        return Err(Error::CertificateCaIsCertificate);
    }
    // Every CA key type OpenSSH verifies: RSA, DSA, ECDSA, Ed25519 and the security-key ones.
    if !matches!(
        ca_key_type,
        KeyType::Rsa
            | KeyType::Dsa
            | KeyType::Ed25519
            | KeyType::EcdsaP256
            | KeyType::EcdsaP384
            | KeyType::EcdsaP521
            | KeyType::SkEd25519
            | KeyType::SkEcdsaP256
    ) {
        return Err(Error::CertificateCaKeyUnsupported);
    }
    let ca_fields = read_key_fields(&mut cr, ca_key_type, policy)?;
    finish(&cr)?;
    let signed = blob.get(..signed_len).unwrap_or_default();
    let signature_algorithm = signature::verify(&ca_fields, sig, signed)?;

    Ok(Parsed {
        key_fields: start..end,
        bits: fields.bits(),
        warnings: Warnings {
            deprecated_dsa: key_type == KeyType::Dsa,
            legacy_ca_signature: signature_algorithm.is_legacy(),
        },
        certificate: Some(CertificateInfo {
            serial,
            cert_type,
            key_id,
            principals,
            valid_after,
            valid_before,
            ca_key_type,
            ca_key,
            signature_algorithm,
        }),
    })
}

/// Reads a string and returns where its content lies in the blob.
fn read_range(r: &mut Reader<'_>, field: &'static str, text: bool) -> Result<Range<usize>> {
    let s = if text {
        r.read_cstring(field)?
    } else {
        r.read_string(field)?
    };
    let end = r.offset();
    Ok(end - s.len()..end)
}
