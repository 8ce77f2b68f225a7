//! Verification of a certificate's CA signature, for every algorithm OpenSSH parses there.

use rsa::signature::Verifier as _;
use sha2::Digest as _;

use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::wire::Reader;

use super::fields::KeyFields;

/// Verifies `sig_blob` (RFC 4253 §6.6 `string alg || string sig`) by the CA key over `signed`.
///
/// `signed` holds the CA key (the certificate's `signature key` field), so `(signed, sig_blob)`
/// decides the answer. In fuzz builds (`--cfg fuzzing`, set by cargo-fuzz) the last few answers
/// are remembered by those bytes ([`Memo`]): a harness parses each input several times (two
/// policies, the canonical line, three line readers), and the signature check, ECDSA P-521 above
/// all, was nine tenths of every run; every distinct certificate is still verified once.
pub(crate) fn verify(
    ca: &KeyFields<'_>,
    sig_blob: &[u8],
    signed: &[u8],
) -> Result<SignatureAlgorithm> {
    #[cfg(fuzzing)]
    {
        std::thread_local! {
            static MEMO: core::cell::RefCell<Memo> = core::cell::RefCell::new(Memo::default());
        }
        MEMO.with(|memo| {
            memo.borrow_mut()
                .get_or_insert_with(signed, sig_blob, || verify_now(ca, sig_blob, signed))
        })
    }
    #[cfg(not(fuzzing))]
    verify_now(ca, sig_blob, signed)
}

/// The last [`Memo::CAPACITY`] answers of [`verify`], by the exact bytes that decided them.
/// Compiled for fuzz builds and for its unit tests only.
#[cfg(any(fuzzing, test))]
#[derive(Default)]
struct Memo {
    /// `(signed, sig_blob, answer)`, replaced round-robin.
    entries: Vec<(Vec<u8>, Vec<u8>, Result<SignatureAlgorithm>)>,
    /// The slot the next new answer replaces once `entries` is full.
    next: usize,
}

#[cfg(any(fuzzing, test))]
impl Memo {
    /// At most this many answers (each at most a certificate's size) are kept.
    const CAPACITY: usize = 4;

    /// The answer remembered for exactly these bytes, or `verify`'s, then remembered.
    fn get_or_insert_with(
        &mut self,
        signed: &[u8],
        sig_blob: &[u8],
        verify: impl FnOnce() -> Result<SignatureAlgorithm>,
    ) -> Result<SignatureAlgorithm> {
        if let Some((_, _, answer)) = self
            .entries
            .iter()
            .find(|(s, g, _)| s.as_slice() == signed && g.as_slice() == sig_blob)
        {
            return answer.clone();
        }
        let answer = verify();
        let entry = (signed.to_vec(), sig_blob.to_vec(), answer.clone());
        if self.entries.len() < Self::CAPACITY {
            self.entries.push(entry);
        } else if let Some(slot) = self.entries.get_mut(self.next) {
            *slot = entry;
            self.next = (self.next + 1) % Self::CAPACITY;
        }
        answer
    }
}

/// [`verify`] without the fuzz builds' memo.
fn verify_now(ca: &KeyFields<'_>, sig_blob: &[u8], signed: &[u8]) -> Result<SignatureAlgorithm> {
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
        b"ssh-dss" => SignatureAlgorithm::Dsa,
        b"sk-ssh-ed25519@openssh.com" => SignatureAlgorithm::SkEd25519,
        b"sk-ecdsa-sha2-nistp256@openssh.com" => SignatureAlgorithm::SkEcdsaP256,
        _ => return Err(Error::CertificateSignatureAlgorithm),
    };
    let sig = r.read_string("signature data")?;
    // A security key signs `SHA256(application) || flags || counter || SHA256(data)`, and the
    // signature blob carries the flags byte and the counter after the signature.
    let sk = if matches!(
        (ca, alg),
        (KeyFields::SkEd25519 { .. }, SignatureAlgorithm::SkEd25519)
            | (KeyFields::SkEcdsa { .. }, SignatureAlgorithm::SkEcdsaP256)
    ) {
        Some((
            r.read_u8("security-key flags")?,
            r.read_u32("security-key counter")?,
        ))
    } else {
        None
    };
    if !r.is_empty() {
        return Err(Error::TrailingData {
            remaining: r.remaining(),
        });
    }
    let ok = match (ca, alg, sk) {
        (KeyFields::Ed25519 { key }, SignatureAlgorithm::Ed25519, _) => {
            check_ed25519_ca(key)?;
            verify_ed25519(key, sig, signed)
        }
        (KeyFields::Dsa { p, q, g, y }, SignatureAlgorithm::Dsa, _) => {
            verify_dsa(p, q, g, y, sig, signed)
        }
        (
            KeyFields::SkEd25519 { key, application },
            SignatureAlgorithm::SkEd25519,
            Some((flags, counter)),
        ) => {
            check_ed25519_ca(key)?;
            let message = sk_message(application, flags, counter, signed);
            verify_ed25519(key, sig, &message)
        }
        (
            KeyFields::SkEcdsa { point, application },
            SignatureAlgorithm::SkEcdsaP256,
            Some((flags, counter)),
        ) => {
            let message = sk_message(application, flags, counter, signed);
            verify_ecdsa(KeyType::EcdsaP256, point, sig, &message)?
        }
        (
            KeyFields::Ecdsa { key_type, point },
            SignatureAlgorithm::EcdsaP256
            | SignatureAlgorithm::EcdsaP384
            | SignatureAlgorithm::EcdsaP521,
            _,
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
            _,
        ) => verify_rsa(e, n, alg, sig, signed),
        (
            KeyFields::Rsa { .. }
            | KeyFields::Dsa { .. }
            | KeyFields::Ed25519 { .. }
            | KeyFields::Ecdsa { .. }
            | KeyFields::SkEd25519 { .. }
            | KeyFields::SkEcdsa { .. },
            _,
            _,
        ) => {
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

/// An Ed25519 CA key must not be a small-order point (the identity `01 00..00` among them): for
/// such a key, R = that point and S = 0 "verify" for every message, and OpenSSH accepts them.
fn check_ed25519_ca(key: &[u8]) -> Result<()> {
    if is_small_order_ed25519(key) {
        return Err(Error::CertificateCaKeySmallOrder);
    }
    Ok(())
}

/// Whether a 32-byte Ed25519 key decodes to a point of order 1, 2, 4 or 8.
pub(crate) fn is_small_order_ed25519(key: &[u8]) -> bool {
    <[u8; 32]>::try_from(key)
        .ok()
        .and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k).ok())
        .is_some_and(|vk| vk.is_weak())
}

/// What a FIDO security key signs (OpenSSH's PROTOCOL.u2f):
/// `SHA256(application) || flags || counter (big-endian) || SHA256(data)`.
///
/// The flags are checked as OpenSSH checks them for a CA signature: not at all (user presence
/// and verification are `sshd`'s checks on a login signature, `no-touch-required` and
/// `verify-required`; `cert_parse` verifies the CA signature without looking at them).
fn sk_message(application: &[u8], flags: u8, counter: u32, signed: &[u8]) -> [u8; 69] {
    let mut m = [0u8; 69];
    m[..32].copy_from_slice(&sha2::Sha256::digest(application));
    m[32] = flags;
    m[33..37].copy_from_slice(&counter.to_be_bytes());
    m[37..].copy_from_slice(&sha2::Sha256::digest(signed));
    m
}

/// DSA (FIPS 186-4 §4.7) with SHA-1 over a 1024-bit p and 160-bit q (the only size OpenSSH and
/// the parser accept), as OpenSSH's `ssh_dss_verify`: the signature body is exactly 40 bytes,
/// `r || s`, each 20 bytes big-endian, with `0 < r, s < q`.
///
/// Everything is public, so the arithmetic is variable-time, on fixed-size integers.
fn verify_dsa(p: &[u8], q: &[u8], g: &[u8], y: &[u8], sig: &[u8], signed: &[u8]) -> bool {
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    use crypto_bigint::{Odd, U1024};
    const L: usize = U1024::LIMBS;
    if sig.len() != 40 {
        return false;
    }
    let (r_bytes, s_bytes) = sig.split_at(20);
    let digest = sha1::Sha1::digest(signed);
    let (Some(p), Some(q), Some(g), Some(y), Some(r), Some(s), Some(h)) = (
        uint_from_be::<L>(p),
        uint_from_be::<L>(q),
        uint_from_be::<L>(g),
        uint_from_be::<L>(y),
        uint_from_be::<L>(r_bytes),
        uint_from_be::<L>(s_bytes),
        uint_from_be::<L>(&digest),
    ) else {
        return false;
    };
    if r == U1024::ZERO || s == U1024::ZERO || r >= q || s >= q {
        return false;
    }
    let (Some(p_odd), Some(q_odd)) = (Odd::new(p).into_option(), Odd::new(q).into_option()) else {
        return false;
    };
    let mod_p = FixedMontyParams::new_vartime(p_odd);
    let mod_q = FixedMontyParams::new_vartime(q_odd);
    // w = s^-1 mod q (q is prime: s^(q-2)); u1 = H(m) w mod q; u2 = r w mod q.
    let w = FixedMontyForm::new(&s, &mod_q).pow_vartime(&q.wrapping_sub(&U1024::from_u8(2)));
    let u1 = (FixedMontyForm::new(&h, &mod_q) * w).retrieve();
    let u2 = (FixedMontyForm::new(&r, &mod_q) * w).retrieve();
    // v = (g^u1 y^u2 mod p) mod q.
    let gy = FixedMontyForm::new(&g, &mod_p).pow_vartime(&u1)
        * FixedMontyForm::new(&y, &mod_p).pow_vartime(&u2);
    let v = FixedMontyForm::new(&gy.retrieve(), &mod_q).retrieve();
    v == r
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls the memo and counts how often it ran the real check.
    fn ask(
        memo: &mut Memo,
        signed: &[u8],
        sig: &[u8],
        runs: &mut u32,
    ) -> Result<SignatureAlgorithm> {
        memo.get_or_insert_with(signed, sig, || {
            *runs += 1;
            if signed.first() == Some(&b'e') {
                Err(Error::CertificateSignatureInvalid)
            } else {
                Ok(SignatureAlgorithm::Ed25519)
            }
        })
    }

    #[test]
    fn the_memo_answers_only_for_the_same_bytes() {
        let mut memo = Memo::default();
        let mut runs = 0;
        assert_eq!(
            ask(&mut memo, b"ab", b"c", &mut runs),
            Ok(SignatureAlgorithm::Ed25519)
        );
        assert_eq!(
            ask(&mut memo, b"ab", b"c", &mut runs),
            Ok(SignatureAlgorithm::Ed25519)
        );
        assert_eq!(runs, 1, "the same bytes are verified once");
        // The same concatenation split elsewhere, another signature, other signed bytes.
        ask(&mut memo, b"a", b"bc", &mut runs).unwrap();
        ask(&mut memo, b"ab", b"d", &mut runs).unwrap();
        assert_eq!(runs, 3);
        // A refusal is remembered as it was given.
        let refused = Err(Error::CertificateSignatureInvalid);
        assert_eq!(ask(&mut memo, b"e", b"", &mut runs), refused);
        assert_eq!(ask(&mut memo, b"e", b"", &mut runs), refused);
        assert_eq!(runs, 4);
    }

    #[test]
    fn the_memo_keeps_the_last_four_answers() {
        let mut memo = Memo::default();
        let mut runs = 0;
        for i in 0..6u8 {
            ask(&mut memo, &[i], b"s", &mut runs).unwrap();
            assert!(memo.entries.len() <= Memo::CAPACITY);
        }
        assert_eq!(runs, 6);
        // 0 and 1 were replaced by 4 and 5; 2 to 5 are still known.
        for i in 2..6u8 {
            ask(&mut memo, &[i], b"s", &mut runs).unwrap();
        }
        assert_eq!(runs, 6);
        ask(&mut memo, &[0], b"s", &mut runs).unwrap();
        assert_eq!(runs, 7);
        // ... which replaced the oldest, 2, and kept 3, 4 and 5.
        for i in 3..6u8 {
            ask(&mut memo, &[i], b"s", &mut runs).unwrap();
        }
        assert_eq!(runs, 7);
        ask(&mut memo, &[2], b"s", &mut runs).unwrap();
        assert_eq!(runs, 8);
    }
}
