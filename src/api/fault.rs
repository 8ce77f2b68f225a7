//! Refusals: an HTTP status, Nova's fault envelope and message, and the precise reason.

use core::fmt;
use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap as _, Serializer};

use crate::error::Error;

/// Nova's text for a refused SSH public key (`InvalidKeypair`), whatever the reason.
pub const INVALID_KEY_MESSAGE: &str = "Keypair data is invalid: failed to generate fingerprint";

/// Nova's text for an over-quota create or import (legacy quota driver).
pub const QUOTA_EXCEEDED_MESSAGE: &str = "Quota exceeded, too many key pairs.";

/// Nova's text for a request that failed inside (an unhandled exception in Nova, such as
/// `openssl` refusing an x509 create's subject): webob's `HTTPInternalServerError` explanation,
/// which Nova's `FaultWrapper` answers in a `computeFault` envelope without the exception's text.
pub const INTERNAL_ERROR_MESSAGE: &str =
    "The server has either erred or is incapable of performing the requested operation.";

/// The `message` of the 413 body that oslo.middleware's `sizelimit` (in front of Nova) answers
/// for a body over `max_request_body_size`: its explanation (since oslo.middleware 6.4.0 the
/// `%s` is not filled in) in webob's body template (`${explanation}<br /><br />\n${detail}\n
/// ${html_comment}\n`, detail and comment empty).
pub const BODY_TOO_LARGE_MESSAGE: &str =
    "Request is too large. Larger than max_request_body_size (%s).<br /><br />\n\n\n";

/// webob's status line and title of a 413, the body's `code` and `title`.
const BODY_TOO_LARGE_CODE: &str = "413 Request Entity Too Large";
const BODY_TOO_LARGE_TITLE: &str = "Request Entity Too Large";

/// `text` with every character that could act on a terminal escaped: control characters (C0,
/// DEL, C1: ESC, CSI, BEL, CR, LF, ...) and the invisible Unicode controls that reorder or break
/// lines (bidi embeddings, overrides, isolates and marks, U+2028, U+2029). Line breaks and TAB
/// become `\n`, `\r`, `\t`, the others `\u{..}`; everything else is unchanged.
///
/// ```
/// use keypairs::api::escape_controls;
///
/// assert_eq!(escape_controls("ok"), "ok");
/// assert_eq!(escape_controls("\x1b[2Jx\n"), "\\u{1b}[2Jx\\n");
/// ```
#[must_use]
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let needs_escape = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{061c}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
            )
    };
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What kind of refusal a [`Fault`] is; decides the HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// The body is longer than the caller's limit (413), refused unparsed. The body is not
    /// Nova's envelope but what oslo.middleware's `sizelimit` (in front of Nova) answers
    /// through webob: `{"message": ..., "code": "413 Request Entity Too Large", "title":
    /// "Request Entity Too Large"}` (see [`Fault::to_json`]).
    BodyTooLarge,
    /// The body is not JSON (400, `Malformed request body`).
    MalformedBody,
    /// The body breaks the microversion's request schema (400, `jsonschema`'s message).
    Validation,
    /// The public key or certificate is refused (400, `Keypair data is invalid: ...`).
    InvalidKeypair,
    /// The microversion header is not `MAJOR.MINOR` (400).
    InvalidVersion,
    /// The microversion is outside the supported range (406).
    VersionNotAcceptable,
    /// Policy or quota refused the request (403, `forbidden`); made by the caller's store.
    Forbidden,
    /// The user already has a key pair of that name (409, `conflictingRequest`).
    Conflict,
    /// Something failed inside (500, `computeFault`): key generation, the caller's store.
    Internal,
}

impl FaultKind {
    /// The HTTP status code.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::BodyTooLarge => 413,
            Self::MalformedBody
            | Self::Validation
            | Self::InvalidKeypair
            | Self::InvalidVersion => 400,
            Self::VersionNotAcceptable => 406,
            Self::Forbidden => 403,
            Self::Conflict => 409,
            Self::Internal => 500,
        }
    }
}

/// A refused request: what Nova would answer, and why.
///
/// [`Fault::to_json`] is Nova's envelope, `{"badRequest": {"code": 400, "message": "..."}}`,
/// with Nova's message text, so existing clients keep working (a body over the size limit
/// gets webob's 413 body instead, as oslo.middleware answers before Nova sees it). [`Fault::error`] is the precise
/// reason where the envelope's text is generic (an invalid key is always `Keypair data is
/// invalid: failed to generate fingerprint`), for logs or a clearer message of your own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    message: String,
    error: Option<Error>,
}

impl Fault {
    /// A fault of `kind` with `message` (the envelope's text) and no typed reason.
    #[must_use]
    pub fn new(kind: FaultKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            error: None,
        }
    }

    /// The same fault carrying `error` as its precise reason.
    #[must_use]
    pub fn with_error(mut self, error: Error) -> Self {
        self.error = Some(error);
        self
    }

    /// A refused SSH public key: Nova's `Keypair data is invalid: failed to generate
    /// fingerprint`, with `error` as the precise reason.
    #[must_use]
    pub fn invalid_key(error: Error) -> Self {
        Self::new(FaultKind::InvalidKeypair, INVALID_KEY_MESSAGE).with_error(error)
    }

    /// 409: `Key pair 'NAME' already exists.`
    #[must_use]
    pub fn conflict(name: &str) -> Self {
        Self::new(
            FaultKind::Conflict,
            format!("Key pair '{name}' already exists."),
        )
    }

    /// 403 with `message` (a policy refusal).
    #[must_use]
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(FaultKind::Forbidden, message)
    }

    /// 403: `Quota exceeded, too many key pairs.`
    #[must_use]
    pub fn quota_exceeded() -> Self {
        Self::new(FaultKind::Forbidden, QUOTA_EXCEEDED_MESSAGE)
    }

    /// 500 with `message` (for example when the caller's store cannot be read).
    #[must_use]
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(FaultKind::Internal, message)
    }

    /// 500 with Nova's text for a failure inside ([`INTERNAL_ERROR_MESSAGE`]) and `error` as
    /// the precise reason: what a create answers when its key or certificate cannot be made.
    #[must_use]
    pub fn internal_error(error: Error) -> Self {
        Self::internal(INTERNAL_ERROR_MESSAGE).with_error(error)
    }

    /// 413 for a body of `len` bytes over the limit `max`: webob's body with oslo.middleware's
    /// text ([`BODY_TOO_LARGE_MESSAGE`]), [`Error::RequestTooLarge`] as the precise reason.
    #[must_use]
    pub fn body_too_large(len: usize, max: usize) -> Self {
        Self::new(FaultKind::BodyTooLarge, BODY_TOO_LARGE_MESSAGE)
            .with_error(Error::RequestTooLarge { len, max })
    }

    /// The kind of refusal.
    #[must_use]
    pub const fn kind(&self) -> FaultKind {
        self.kind
    }

    /// The HTTP status code.
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The envelope's key for the status, as Nova's `Fault` names it (`badRequest`,
    /// `forbidden`, `conflictingRequest`, `overLimit`, and `computeFault` for the rest). A
    /// [`FaultKind::BodyTooLarge`] body has no envelope (webob's body, see [`Fault::to_json`]);
    /// its key here is Nova's name for a 413, `overLimit`.
    #[must_use]
    pub const fn fault_key(&self) -> &'static str {
        match self.status() {
            400 => "badRequest",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "itemNotFound",
            405 => "badMethod",
            409 => "conflictingRequest",
            413 | 429 => "overLimit",
            415 => "badMediaType",
            501 => "notImplemented",
            503 => "serviceUnavailable",
            _ => "computeFault",
        }
    }

    /// The envelope's message (Nova's text; for a body over the limit, the `message` of
    /// webob's body, [`BODY_TOO_LARGE_MESSAGE`]), verbatim: it may quote control characters from
    /// the request (Nova's `Value: ...`). JSON escapes them in [`Fault::to_json`]; before
    /// printing the message to a terminal or a log, use [`Fault::reason`] or `Display`, which
    /// escape them.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The precise reason, where there is one (invalid key, bad JSON, body too large, ...).
    #[must_use]
    pub const fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// One line for a log or a terminal: the message, and the precise reason if there is one,
    /// with control characters, line breaks and escape sequences from the request escaped
    /// (`\n`, `\u{1b}`, ...; see [`escape_controls`]).
    #[must_use]
    pub fn reason(&self) -> String {
        let message = escape_controls(&self.message);
        match &self.error {
            Some(e) => format!("{message}: {e}"),
            None => message.into_owned(),
        }
    }

    /// The response body, `{"<faultKey>": {"code": N, "message": "..."}}`.
    ///
    /// A body over the size limit ([`FaultKind::BodyTooLarge`]) gets, byte for byte, what
    /// oslo.middleware's `sizelimit` answers in front of Nova (webob's JSON body, written by
    /// Python's `json.dumps`):
    ///
    /// ```
    /// use keypairs::api::Fault;
    ///
    /// let body = Fault::body_too_large(114_689, 114_688).to_json();
    /// assert_eq!(
    ///     body,
    ///     r#"{"message": "Request is too large. Larger than max_request_body_size (%s).<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}"#
    /// );
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        if self.kind == FaultKind::BodyTooLarge {
            return format!(
                "{{\"message\": {}, \"code\": \"{BODY_TOO_LARGE_CODE}\", \"title\": \"{BODY_TOO_LARGE_TITLE}\"}}",
                py_json_string(&self.message)
            );
        }
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `text` as Python's `json.dumps` writes a string (`ensure_ascii`): `\"`, `\\`, the short
/// escapes `\n \r \t \b \f`, every other character outside `' '..='~'` (C0 controls, DEL,
/// non-ASCII) as `\uXXXX` (UTF-16, so a surrogate pair above U+FFFF); the rest as is.
fn py_json_string(text: &str) -> String {
    use core::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Serialize for Fault {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.kind == FaultKind::BodyTooLarge {
            // webob's body, keys in its order (see `to_json`).
            let mut m = s.serialize_map(Some(3))?;
            m.serialize_entry("message", &self.message)?;
            m.serialize_entry("code", BODY_TOO_LARGE_CODE)?;
            m.serialize_entry("title", BODY_TOO_LARGE_TITLE)?;
            return m.end();
        }
        struct Inner<'a>(&'a Fault);
        impl Serialize for Inner<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("code", &self.0.status())?;
                m.serialize_entry("message", &self.0.message)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.fault_key(), &Inner(self))?;
        m.end()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status(),
            self.fault_key(),
            escape_controls(&self.message)
        )
    }
}

impl std::error::Error for Fault {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.as_ref().map(|e| e as _)
    }
}
