//! `type: x509` import (microversions 2.2-2.91): a PEM X.509 certificate in `public_key`, its
//! fingerprint the SHA-1 of the DER certificate in lowercase colon-hex (59 characters), as
//! Nova's `crypto.generate_x509_fingerprint` and `openssl x509 -fingerprint -sha1` give it.
//!
//! Like pyca/cryptography's `load_pem_x509_certificate` (which Nova uses), text before the
//! `-----BEGIN CERTIFICATE-----` line and after the `-----END CERTIFICATE-----` line is ignored,
//! CRLF line ends are fine, and the validity dates are not checked. The certificate must be
//! well-formed DER (RFC 5280 structure); its signature is not verified (Nova does not either).

mod create;

pub(crate) use self::create::{MAX_COMMON_NAME_LEN, create};

use sha1::{Digest as _, Sha1};
use x509_cert::Certificate;
use x509_cert::der::Decode as _;

use crate::error::{Error, Result};

/// pyca/cryptography's text for input without a PEM certificate block, which Nova puts after
/// `Error message:` (cryptography 48).
pub(crate) const PYCA_MALFORMED_FRAMING: &str = "Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file for more details. MalformedFraming";

const LABELS: [&str; 2] = ["CERTIFICATE", "X509 CERTIFICATE"];

/// Validates a PEM certificate and returns its SHA-1 colon-hex fingerprint.
pub(crate) fn x509_fingerprint(pem: &str) -> Result<String> {
    let der = pem_certificate_der(pem)?;
    Certificate::from_der(&der).map_err(|_| Error::X509Der)?;
    Ok(sha1_colon_hex(&der))
}

/// The SHA-1 of a certificate's DER in lowercase colon-hex (59 characters).
pub(crate) fn sha1_colon_hex(der: &[u8]) -> String {
    let digest = Sha1::digest(der);
    let mut out = String::with_capacity(59);
    for (i, b) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The DER bytes of the first PEM certificate block in `text`.
fn pem_certificate_der(text: &str) -> Result<Vec<u8>> {
    for label in LABELS {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let Some(start) = text.find(&begin) else {
            continue;
        };
        let body_start = start + begin.len();
        let rest = text.get(body_start..).unwrap_or_default();
        let Some(body_len) = rest.find(&end) else {
            return Err(Error::X509PemMissing);
        };
        let body = rest.get(..body_len).unwrap_or_default();
        let b64: String = body
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        return base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64)
            .map_err(|_| Error::X509Base64);
    }
    Err(Error::X509PemMissing)
}
