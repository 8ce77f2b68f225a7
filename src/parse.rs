//! Import: one OpenSSH public-key string in, a validated [`PublicKey`] out.
//!
//! The order of work is fixed: the size limit first, then UTF-8, trimming, recognising what is
//! not a bare key (PEM, RFC 4716, private keys, authorized_keys and known_hosts lines), control
//! characters, the type token, one strict base64 decode, and the wire fields of the key type
//! (see `blob`). Nothing is allocated but the decoded blob and the comment.

mod blob;
mod fields;
mod nova;
mod signature;

use base64::Engine as _;

use crate::error::{Error, PemKind, Result};
use crate::key::{KeyType, PublicKey};
use crate::policy::Policy;

/// Parses one OpenSSH public key under the API's policy ([`Policy::api`]: at most 1024 bytes).
///
/// Leading and trailing ASCII whitespace (space, TAB, CR, LF) is ignored; anything else that is
/// not exactly `TYPE BASE64[ COMMENT]` is refused with the reason.
///
/// # Errors
/// An [`Error`] naming the rule the input breaks.
pub fn parse_public_key(input: &[u8]) -> Result<PublicKey> {
    parse_public_key_with(input, &Policy::api())
}

/// Parses one OpenSSH public key under `policy`.
///
/// # Errors
/// An [`Error`] naming the rule the input breaks.
pub fn parse_public_key_with(input: &[u8], policy: &Policy) -> Result<PublicKey> {
    if input.len() > policy.max_input_len {
        return Err(Error::InputTooLong {
            len: input.len(),
            max: policy.max_input_len,
        });
    }
    let text = core::str::from_utf8(input).map_err(|e| Error::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let (start, line) = trim(text);
    if line.is_empty() {
        return Err(Error::Empty);
    }
    reject_blocks(line)?;
    check_controls(line, start)?;

    let (type_token, rest) = split_token(line);
    let Some((key_type, is_cert)) = KeyType::from_name(type_token.as_bytes()) else {
        return Err(classify_non_key(line, type_token, start));
    };
    let b64_offset = start + (line.len() - rest.len());
    let (b64, comment) = split_token(rest);
    if b64.is_empty() {
        return Err(Error::MissingKeyData);
    }
    let blob = decode_base64(b64, b64_offset)?;
    let parsed = blob::parse_blob(&blob, key_type, is_cert, policy)?;
    // Nova's loader (pyca/cryptography) does not read a certificate signed by a security-key CA.
    let sk_ca = parsed
        .certificate
        .as_ref()
        .is_some_and(|c| matches!(c.ca_key_type, KeyType::SkEd25519 | KeyType::SkEcdsaP256));
    if policy.nova_rules && sk_ca {
        return Err(Error::NovaKeyType);
    }
    if policy.nova_rules {
        nova::check(
            text,
            start,
            b64_offset,
            key_type,
            is_cert,
            &blob,
            &parsed.key_fields,
        )?;
    }
    Ok(PublicKey {
        key_type,
        blob,
        key_fields: parsed.key_fields,
        bits: parsed.bits,
        comment: comment.to_owned(),
        certificate: parsed.certificate,
        warnings: parsed.warnings,
    })
}

const fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

const fn is_trim(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Trims ASCII space, TAB, CR and LF at both ends; returns the offset of what is left.
fn trim(text: &str) -> (usize, &str) {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_trim(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_trim(b))
        .map_or(start, |i| i + 1);
    (start, text.get(start..end).unwrap_or_default())
}

/// Splits off the first token at the first SPACE or TAB; the rest starts after the run of blanks.
fn split_token(s: &str) -> (&str, &str) {
    let bytes = s.as_bytes();
    // SIMD search: the base64 token is most of the line.
    match memchr::memchr2(b' ', b'\t', bytes) {
        None => (s, ""),
        Some(end) => {
            let next = bytes
                .iter()
                .skip(end)
                .position(|&b| !is_blank(b))
                .map_or(bytes.len(), |p| end + p);
            (
                s.get(..end).unwrap_or_default(),
                s.get(next..).unwrap_or_default(),
            )
        }
    }
}

/// The non-empty SPACE/TAB-separated tokens of `s`, found with [`split_token`] (memchr): the
/// classifier runs on every refused line, and the operator file readers refuse many.
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let (token, after) = split_token(rest);
            rest = after;
            if !token.is_empty() {
                return Some(token);
            }
        }
        None
    })
}

/// Recognises multi-line text blocks that are not one-line keys, before the line checks, so
/// that the caller hears what they pasted rather than "line break".
fn reject_blocks(line: &str) -> Result<()> {
    if let Some(rest) = line.strip_prefix("-----BEGIN ") {
        let label = rest.split("-----").next().unwrap_or_default();
        return Err(pem_error(label));
    }
    if line.starts_with("---- BEGIN SSH2 PUBLIC KEY ----") {
        return Err(Error::Rfc4716PublicKey);
    }
    if line.starts_with("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----")
        || line.starts_with("PuTTY-User-Key-File-")
    {
        return Err(Error::PrivateKey);
    }
    if line.starts_with('#') {
        return Err(Error::CommentLine);
    }
    Ok(())
}

fn pem_error(label: &str) -> Error {
    if label.contains("PRIVATE KEY") {
        return Error::PrivateKey;
    }
    let kind = match label {
        "PUBLIC KEY" => PemKind::PublicKey,
        "RSA PUBLIC KEY" => PemKind::RsaPublicKey,
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => PemKind::Certificate,
        _ => PemKind::Other,
    };
    Error::PemText { kind }
}

/// Refuses CR, LF, NUL, other C0 controls but TAB, and DEL inside the trimmed line.
fn check_controls(line: &str, start: usize) -> Result<()> {
    let bytes = line.as_bytes();
    // Branch-free pass first (vectorises); the slow path finds the offset.
    let any = bytes.iter().fold(false, |acc, &b| {
        acc | ((b < 0x20) & (b != b'\t')) | (b == 0x7f)
    });
    if !any {
        return Ok(());
    }
    for (i, &b) in bytes.iter().enumerate() {
        let offset = start + i;
        match b {
            b'\r' | b'\n' => {
                // A private key pasted below a public line still gets the private-key error.
                if line.contains("PRIVATE KEY-----") {
                    return Err(Error::PrivateKey);
                }
                return Err(Error::LineBreak { offset });
            }
            0 => return Err(Error::NulByte { offset }),
            b'\t' => {}
            v if v < 0x20 || v == 0x7f => {
                return Err(Error::ControlCharacter { offset, value: v });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Signature algorithm names people put where a key type belongs, with the key type to use.
const SIGNATURE_NAMES: [(&str, &str); 5] = [
    ("rsa-sha2-256", "ssh-rsa"),
    ("rsa-sha2-512", "ssh-rsa"),
    (
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    ),
    (
        "rsa-sha2-256-cert-v01@openssh.com",
        "ssh-rsa-cert-v01@openssh.com",
    ),
    (
        "rsa-sha2-512-cert-v01@openssh.com",
        "ssh-rsa-cert-v01@openssh.com",
    ),
];

/// authorized_keys option names (sshd's auth-options.c), matched case-insensitively.
const AUTHORIZED_KEYS_OPTIONS: [&str; 22] = [
    "agent-forwarding",
    "cert-authority",
    "command",
    "environment",
    "expiry-time",
    "from",
    "no-agent-forwarding",
    "no-port-forwarding",
    "no-pty",
    "no-touch-required",
    "no-user-rc",
    "no-x11-forwarding",
    "permitlisten",
    "permitopen",
    "port-forwarding",
    "principals",
    "pty",
    "restrict",
    "tunnel",
    "user-rc",
    "verify-required",
    "x11-forwarding",
];

fn is_option_token(token: &str) -> bool {
    if token.contains("=\"") {
        return true;
    }
    let first = token.split(',').next().unwrap_or_default();
    let name = first.split('=').next().unwrap_or_default();
    AUTHORIZED_KEYS_OPTIONS
        .iter()
        .any(|o| o.eq_ignore_ascii_case(name))
}

/// Says what a line whose first token is not a key type is.
fn classify_non_key(line: &str, first: &str, start: usize) -> Error {
    if let Some(&(given, use_instead)) = SIGNATURE_NAMES.iter().find(|(s, _)| *s == first) {
        return Error::SignatureAlgorithmName { given, use_instead };
    }
    if first.starts_with('@') {
        return Error::KnownHostsMarker;
    }
    if first.starts_with("|1|") {
        return Error::KnownHostsLine;
    }
    if is_option_token(first) {
        return Error::AuthorizedKeysOptions;
    }
    let later_key_type = tokens(line)
        .skip(1)
        .any(|t| KeyType::from_name(t.as_bytes()).is_some());
    if later_key_type {
        // Host patterns or options in front of a key: options carry '=' or quotes.
        return if first.contains('=') || first.contains('"') {
            Error::AuthorizedKeysOptions
        } else {
            Error::KnownHostsLine
        };
    }
    let mut tokens = tokens(line);
    let numeric = |t: Option<&str>| t.is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()));
    if numeric(tokens.next()) && numeric(tokens.next()) && numeric(tokens.next()) {
        return Error::Ssh1Key;
    }
    if first.starts_with("AAAA")
        && first.len() >= 16
        && first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return Error::MissingKeyType;
    }
    if let Some(at) = first.find(|c: char| !c.is_ascii() && c.is_whitespace())
        && KeyType::from_name(first.get(..at).unwrap_or_default().as_bytes()).is_some()
    {
        return Error::NonAsciiSeparator { offset: start + at };
    }
    Error::UnknownKeyType { len: first.len() }
}

/// One strict base64 decode (standard alphabet, canonical padding, zero unused bits) into a
/// buffer sized from the token's length, which the size limit already bounds.
fn decode_base64(token: &str, token_offset: usize) -> Result<Vec<u8>> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut out = Vec::with_capacity(base64::decoded_len_estimate(token.len()));
    match engine.decode_vec(token, &mut out) {
        Ok(()) => Ok(out),
        Err(e) => Err(map_base64_error(token, token_offset, &e)),
    }
}

fn map_base64_error(token: &str, token_offset: usize, e: &base64::DecodeError) -> Error {
    use base64::DecodeError as D;
    match *e {
        D::InvalidByte(_, b'=') | D::InvalidLength(_) | D::InvalidPadding => {
            Error::Base64Padding { len: token.len() }
        }
        D::InvalidByte(offset, _) => {
            if token
                .get(offset..)
                .and_then(|s| s.chars().next())
                .is_some_and(|c| !c.is_ascii() && c.is_whitespace())
            {
                Error::NonAsciiSeparator {
                    offset: token_offset + offset,
                }
            } else {
                Error::InvalidBase64 { offset }
            }
        }
        D::InvalidLastSymbol { offset, .. } => Error::Base64TrailingBits { offset },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming() {
        assert_eq!(trim(" \t\r\nab c\r\n"), (4, "ab c"));
        assert_eq!(trim(" \n "), (3, ""));
    }

    #[test]
    fn tokens() {
        assert_eq!(split_token("a \t b c"), ("a", "b c"));
        assert_eq!(split_token("a"), ("a", ""));
        assert_eq!(split_token("a  "), ("a", ""));
    }
}
