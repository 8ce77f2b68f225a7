//! The crate's one error type.
//!
//! Every variant names the rule that failed and carries numbers (lengths, offsets, bit sizes) or
//! names fixed by this crate, never bytes of the caller's input: a key, a comment or a pasted
//! private key never ends up in an error message or a log line built from one.

use core::fmt;

/// Result type with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong in this crate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // ----- the string as a whole ---------------------------------------------------------------
    /// The input is longer than the policy allows; checked before anything is decoded.
    InputTooLong {
        /// Length of the input in bytes.
        len: usize,
        /// The policy's limit in bytes.
        max: usize,
    },
    /// The input is not valid UTF-8.
    NotUtf8 {
        /// Offset of the first byte that is not UTF-8.
        offset: usize,
    },
    /// The input is empty or only whitespace.
    Empty,
    /// A line break (CR or LF) is left inside the key after trimming: one string is one key.
    LineBreak {
        /// Byte offset of the line break in the input.
        offset: usize,
    },
    /// A NUL byte inside the key text.
    NulByte {
        /// Byte offset of the NUL in the input.
        offset: usize,
    },
    /// A control character (other than TAB) or DEL inside the key text.
    ControlCharacter {
        /// Byte offset of the character in the input.
        offset: usize,
        /// The character's value.
        value: u8,
    },
    /// A Unicode space (U+00A0, U+3000, ...) where a separator belongs: only SPACE and TAB separate.
    NonAsciiSeparator {
        /// Byte offset of the character in the input.
        offset: usize,
    },
    /// Only a key type, with no base64 key data after it.
    MissingKeyData,
    /// Base64 key data with no key type in front of it.
    MissingKeyType,

    // ----- things that are not one bare public key ----------------------------------------------
    /// An authorized_keys line with options (`from=`, `command=`, `restrict`, ...) before the key.
    AuthorizedKeysOptions,
    /// A `#` comment line.
    CommentLine,
    /// A known_hosts line (host names, `[host]:port`, hashed `|1|` hosts).
    KnownHostsLine,
    /// A known_hosts marker line (`@cert-authority`, `@revoked`).
    KnownHostsMarker,
    /// An RFC 4716 `---- BEGIN SSH2 PUBLIC KEY ----` block.
    Rfc4716PublicKey,
    /// A PEM, PKCS#8 or X.509 text block (`-----BEGIN PUBLIC KEY-----`, `-----BEGIN CERTIFICATE-----`).
    PemText {
        /// What the PEM label says it is.
        kind: PemKind,
    },
    /// A private key (OpenSSH, PEM, PKCS#8 or PuTTY) was given where a public key belongs.
    /// Its content is not echoed anywhere.
    PrivateKey,
    /// An SSH protocol 1 key (`bits exponent modulus` in decimal).
    Ssh1Key,

    // ----- type token ---------------------------------------------------------------------------
    /// The key type is not one this crate knows (unknown names and `name@domain` types alike).
    UnknownKeyType {
        /// Length of the type token in bytes (the token itself is not echoed).
        len: usize,
    },
    /// A signature algorithm name was given where a key type belongs.
    SignatureAlgorithmName {
        /// The signature algorithm that was given.
        given: &'static str,
        /// The key type to use instead.
        use_instead: &'static str,
    },

    // ----- base64 -------------------------------------------------------------------------------
    /// A character outside the standard base64 alphabet inside the key data.
    InvalidBase64 {
        /// Offset of the character within the base64 token.
        offset: usize,
    },
    /// The base64 key data has a wrong length or missing or misplaced `=` padding.
    Base64Padding {
        /// Length of the base64 token.
        len: usize,
    },
    /// The last base64 symbol has non-zero unused bits (not canonical base64).
    Base64TrailingBits {
        /// Offset of the symbol within the base64 token.
        offset: usize,
    },

    // ----- wire format (RFC 4251) ---------------------------------------------------------------
    /// A field runs past the end of the key data.
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Offset of the field in the decoded key data.
        offset: usize,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// Bytes are left over after the last field of the key.
    TrailingData {
        /// How many bytes are left over.
        remaining: usize,
    },
    /// A text field inside the key data contains a NUL byte.
    NulInString {
        /// The field.
        field: &'static str,
    },
    /// The type name inside the key data is not the type named in front of it.
    KeyTypeMismatch,
    /// An integer field (mpint) is negative.
    NegativeInteger {
        /// The field.
        field: &'static str,
    },
    /// An integer field (mpint) is zero where a positive value is required.
    ZeroInteger {
        /// The field.
        field: &'static str,
    },
    /// An integer field (mpint) is not in its shortest form (a redundant leading zero byte).
    NonCanonicalInteger {
        /// The field.
        field: &'static str,
    },

    // ----- per key type -------------------------------------------------------------------------
    /// The RSA modulus has a size outside the policy's bounds.
    RsaKeySize {
        /// Bits of the modulus.
        bits: u32,
        /// The smallest size allowed.
        min: u32,
        /// The largest size allowed.
        max: u32,
    },
    /// The RSA modulus is even.
    RsaModulusEven,
    /// The RSA public exponent is even.
    RsaExponentEven,
    /// The RSA public exponent is out of range: it must satisfy `3 <= e < 2^33` and `e < n`.
    RsaExponentRange {
        /// Bits of the exponent.
        bits: u32,
    },
    /// DSA is turned off by the policy.
    DsaNotAllowed,
    /// DSA parameters of a size other than p = 1024 and q = 160 bits.
    DsaKeySize {
        /// Bits of p.
        p_bits: u32,
        /// Bits of q.
        q_bits: u32,
    },
    /// A DSA value (g or y) is not in the range `0 < v < p`.
    DsaValueRange {
        /// The field.
        field: &'static str,
    },
    /// The curve named inside an ECDSA key is not the curve of its type.
    EcdsaCurveMismatch,
    /// The ECDSA point is the point at infinity.
    EcdsaPointAtInfinity,
    /// The ECDSA point is not uncompressed SEC1 of the curve's size (`0x04 || X || Y`).
    EcdsaPointEncoding {
        /// Length of the point field.
        len: usize,
        /// Length an uncompressed point of this curve has.
        expected: usize,
    },
    /// An ECDSA coordinate is not smaller than the field prime.
    EcdsaCoordinateRange,
    /// The ECDSA point is not on the curve.
    EcdsaPointNotOnCurve,
    /// An ECDSA coordinate outside OpenSSH's bounds: more than half the group order's bits and
    /// below the order minus one (`sshkey_ec_validate_public`).
    EcdsaCoordinateBounds,
    /// An Ed25519 key that is not 32 bytes.
    Ed25519KeyLength {
        /// Length of the key field.
        len: usize,
    },
    /// A security-key (`sk-`) key without its application string.
    SkApplicationMissing,
    /// An ML-DSA-44 + Ed25519 hybrid key of the wrong length.
    MlDsaKeyLength {
        /// Length of the key field.
        len: usize,
        /// The length required.
        expected: usize,
    },

    // ----- certificates -------------------------------------------------------------------------
    /// Certificates are turned off by the policy.
    CertificateNotAllowed,
    /// A certificate type other than user (1) or host (2).
    CertificateType {
        /// The value found.
        value: u32,
    },
    /// A certificate with more principals than OpenSSH allows.
    CertificateTooManyPrincipals {
        /// The largest number allowed.
        max: usize,
    },
    /// The certificate's signing (CA) key is itself a certificate.
    CertificateCaIsCertificate,
    /// The certificate's CA key type cannot sign certificates here (hybrids, unknown types).
    CertificateCaKeyUnsupported,
    /// The certificate's signature algorithm is unknown or does not fit the CA key.
    CertificateSignatureAlgorithm,
    /// The certificate's CA signature does not verify.
    CertificateSignatureInvalid,

    // ----- generation ---------------------------------------------------------------------------
    /// A key size that generation does not offer.
    UnsupportedKeySize {
        /// The size asked for.
        bits: usize,
    },
    /// A comment that cannot go into a one-line public key (a line break, NUL or control character).
    InvalidComment,
    /// The underlying cryptography failed (details are collapsed on purpose).
    Crypto,
    /// Encoding a key to text failed.
    Encoding,
    /// A private key given to load is not an unencrypted two-prime PKCS#1 RSA key (its content is
    /// not echoed).
    InvalidPrivateKey,
    /// A caller's key source (`api::KeySource`) gave a key other than the one asked for.
    KeySourceMismatch {
        /// The size asked for, in bits.
        expected_bits: usize,
        /// The size of the key given, in bits.
        bits: u32,
    },

    // ----- the os-keypairs API (src/api) ----------------------------------------------------------
    /// A request body longer than the caller's limit; refused before it is parsed.
    RequestTooLarge {
        /// Length of the body in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A request body that is not JSON (syntax, not UTF-8, nested deeper than 128 levels).
    InvalidJson {
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
    },
    /// No PEM certificate block (`-----BEGIN CERTIFICATE-----` ... `-----END CERTIFICATE-----`).
    X509PemMissing,
    /// The PEM certificate block's base64 is invalid.
    X509Base64,
    /// The certificate is not a well-formed DER X.509 certificate.
    X509Der,
    /// An x509 create for a `user_id` longer than a certificate's common name may be (64
    /// characters); Nova's `openssl req` fails the same way (a 500).
    X509SubjectTooLong {
        /// Length of the user id in characters.
        len: usize,
        /// The limit in characters.
        max: usize,
    },
    /// A microversion that is not `MAJOR.MINOR` (or `latest`).
    MicroversionFormat,
    /// A microversion outside the supported range.
    MicroversionUnsupported,

    // ----- operator features: more key types, passphrases, CAs ------------------------------------
    /// An ECDSA key size that generation does not offer (256, 384, 521).
    UnsupportedCurve {
        /// The size asked for.
        bits: usize,
    },
    /// An empty passphrase for an encrypted private key (write the key unencrypted instead).
    EmptyPassphrase,
    /// A bcrypt-pbkdf round count outside `1..=max`.
    KdfRounds {
        /// The count asked for.
        rounds: u32,
        /// The largest count offered.
        max: u32,
    },
    /// A certificate's Ed25519 (or sk-Ed25519) CA key is a small-order point: anyone can make a
    /// signature that verifies under it.
    CertificateCaKeySmallOrder,
    /// An Ed25519 (or sk-Ed25519) key that is a small-order point, refused by the policy
    /// ([`Policy::with_small_order_ed25519`](crate::Policy::with_small_order_ed25519)).
    Ed25519SmallOrder,
    // ----- operator files (src/file_forms): authorized_keys, known_hosts, private key files ---
    /// An authorized_keys option list that sshd refuses (`auth-options.c`).
    InvalidAuthorizedKeysOptions {
        /// Byte offset in the line where reading stopped.
        offset: usize,
        /// sshd's reason (`unknown key option`, `missing end quote`, ...).
        reason: &'static str,
    },
    /// A known_hosts `@` field other than `@cert-authority` or `@revoked`, or a second marker.
    InvalidKnownHostsMarker,
    /// A known_hosts host field starting with `|` that is not `|1|SALT|HASH` with a 20-byte salt.
    InvalidHashedHost,
    /// A known_hosts host field that is empty or holds a control character.
    KnownHostsHostField,
    /// Options or host names with no key after them.
    MissingKey,
    /// A file that does not start with a private key PEM label.
    NotPrivateKeyFile,
    // ----- Nova's own refusals ([`crate::Policy::nova`]) -------------------------------------------
    /// Whitespace or a line break before the key type (Nova's loader wants the type first).
    NovaLeadingWhitespace,
    /// A TAB is the only separator between the key type and the base64 (Nova reads the key
    /// after the first space).
    NovaTabSeparator {
        /// Offset of the TAB.
        offset: usize,
    },
    /// The text after the input's first SPACE is not base64 that Python's `b64decode` reads
    /// (Nova hashes `base64.b64decode(public_key.split(' ')[1])`): a TAB before the comment
    /// where the base64 has no padding, a non-ASCII comment after a TAB, no space at all.
    NovaBase64Token,
    /// A security-key (`sk-*`) key whose application string does not start with `ssh:`.
    NovaSkApplication,
    /// A key type Nova's loader does not read (security-key certificates, ML-DSA hybrids).
    NovaKeyType,
}

/// What a PEM block's label says it holds (public material only; private keys have their own error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PemKind {
    /// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, PKCS#8 public key).
    PublicKey,
    /// `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1).
    RsaPublicKey,
    /// `-----BEGIN CERTIFICATE-----` (X.509).
    Certificate,
    /// Any other PEM label.
    Other,
}

impl fmt::Display for PemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PublicKey => "PEM public key (SubjectPublicKeyInfo)",
            Self::RsaPublicKey => "PEM PKCS#1 RSA public key",
            Self::Certificate => "X.509 certificate",
            Self::Other => "PEM block",
        })
    }
}

impl Error {
    /// A short, stable, snake_case name of the variant, for logs, JSON output and test data.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InputTooLong { .. } => "input_too_long",
            Self::NotUtf8 { .. } => "not_utf8",
            Self::Empty => "empty",
            Self::LineBreak { .. } => "line_break",
            Self::NulByte { .. } => "nul_byte",
            Self::ControlCharacter { .. } => "control_character",
            Self::NonAsciiSeparator { .. } => "non_ascii_separator",
            Self::MissingKeyData => "missing_key_data",
            Self::MissingKeyType => "missing_key_type",
            Self::AuthorizedKeysOptions => "authorized_keys_options",
            Self::CommentLine => "comment_line",
            Self::KnownHostsLine => "known_hosts_line",
            Self::KnownHostsMarker => "known_hosts_marker",
            Self::Rfc4716PublicKey => "rfc4716_public_key",
            Self::PemText { .. } => "pem_text",
            Self::PrivateKey => "private_key",
            Self::Ssh1Key => "ssh1_key",
            Self::UnknownKeyType { .. } => "unknown_key_type",
            Self::SignatureAlgorithmName { .. } => "signature_algorithm_name",
            Self::InvalidBase64 { .. } => "invalid_base64",
            Self::Base64Padding { .. } => "base64_padding",
            Self::Base64TrailingBits { .. } => "base64_trailing_bits",
            Self::Truncated { .. } => "truncated",
            Self::TrailingData { .. } => "trailing_data",
            Self::NulInString { .. } => "nul_in_string",
            Self::KeyTypeMismatch => "key_type_mismatch",
            Self::NegativeInteger { .. } => "negative_integer",
            Self::ZeroInteger { .. } => "zero_integer",
            Self::NonCanonicalInteger { .. } => "non_canonical_integer",
            Self::RsaKeySize { .. } => "rsa_key_size",
            Self::RsaModulusEven => "rsa_modulus_even",
            Self::RsaExponentEven => "rsa_exponent_even",
            Self::RsaExponentRange { .. } => "rsa_exponent_range",
            Self::DsaNotAllowed => "dsa_not_allowed",
            Self::DsaKeySize { .. } => "dsa_key_size",
            Self::DsaValueRange { .. } => "dsa_value_range",
            Self::EcdsaCurveMismatch => "ecdsa_curve_mismatch",
            Self::EcdsaPointAtInfinity => "ecdsa_point_at_infinity",
            Self::EcdsaPointEncoding { .. } => "ecdsa_point_encoding",
            Self::EcdsaCoordinateRange => "ecdsa_coordinate_range",
            Self::EcdsaPointNotOnCurve => "ecdsa_point_not_on_curve",
            Self::EcdsaCoordinateBounds => "ecdsa_coordinate_bounds",
            Self::Ed25519KeyLength { .. } => "ed25519_key_length",
            Self::SkApplicationMissing => "sk_application_missing",
            Self::MlDsaKeyLength { .. } => "mldsa_key_length",
            Self::CertificateNotAllowed => "certificate_not_allowed",
            Self::CertificateType { .. } => "certificate_type",
            Self::CertificateTooManyPrincipals { .. } => "certificate_too_many_principals",
            Self::CertificateCaIsCertificate => "certificate_ca_is_certificate",
            Self::CertificateCaKeyUnsupported => "certificate_ca_key_unsupported",
            Self::CertificateSignatureAlgorithm => "certificate_signature_algorithm",
            Self::CertificateSignatureInvalid => "certificate_signature_invalid",
            Self::UnsupportedKeySize { .. } => "unsupported_key_size",
            Self::InvalidComment => "invalid_comment",
            Self::Crypto => "crypto",
            Self::Encoding => "encoding",
            Self::InvalidPrivateKey => "invalid_private_key",
            Self::KeySourceMismatch { .. } => "key_source_mismatch",
            Self::RequestTooLarge { .. } => "request_too_large",
            Self::InvalidJson { .. } => "invalid_json",
            Self::X509PemMissing => "x509_pem_missing",
            Self::X509Base64 => "x509_base64",
            Self::X509Der => "x509_der",
            Self::X509SubjectTooLong { .. } => "x509_subject_too_long",
            Self::MicroversionFormat => "microversion_format",
            Self::MicroversionUnsupported => "microversion_unsupported",
            Self::UnsupportedCurve { .. } => "unsupported_curve",
            Self::EmptyPassphrase => "empty_passphrase",
            Self::KdfRounds { .. } => "kdf_rounds",
            Self::CertificateCaKeySmallOrder => "certificate_ca_key_small_order",
            Self::Ed25519SmallOrder => "ed25519_small_order",
            Self::InvalidAuthorizedKeysOptions { .. } => "invalid_authorized_keys_options",
            Self::InvalidKnownHostsMarker => "invalid_known_hosts_marker",
            Self::InvalidHashedHost => "invalid_hashed_host",
            Self::KnownHostsHostField => "known_hosts_host_field",
            Self::MissingKey => "missing_key",
            Self::NotPrivateKeyFile => "not_private_key_file",
            Self::NovaLeadingWhitespace => "nova_leading_whitespace",
            Self::NovaTabSeparator { .. } => "nova_tab_separator",
            Self::NovaBase64Token => "nova_base64_token",
            Self::NovaSkApplication => "nova_sk_application",
            Self::NovaKeyType => "nova_key_type",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InputTooLong { len, max } => {
                write!(f, "public key is {len} bytes long, the limit is {max} bytes")
            }
            Self::NotUtf8 { offset } => write!(f, "input is not valid UTF-8 (at byte {offset})"),
            Self::Empty => f.write_str("input is empty or only whitespace"),
            Self::LineBreak { offset } => write!(
                f,
                "line break inside the key at byte {offset}: give exactly one key on one line"
            ),
            Self::NulByte { offset } => write!(f, "NUL byte inside the key at byte {offset}"),
            Self::ControlCharacter { offset, value } => write!(
                f,
                "control character 0x{value:02x} inside the key at byte {offset}"
            ),
            Self::NonAsciiSeparator { offset } => write!(
                f,
                "a Unicode space at byte {offset} separates the fields: only SPACE and TAB do"
            ),
            Self::MissingKeyData => f.write_str("key type without key data after it"),
            Self::MissingKeyType => f.write_str(
                "key data without a key type: the line must start with the type, e.g. ssh-ed25519",
            ),
            Self::AuthorizedKeysOptions => f.write_str(
                "authorized_keys options are not allowed here: give only the key (type, data, comment)",
            ),
            Self::CommentLine => f.write_str("a '#' comment line is not a public key"),
            Self::KnownHostsLine => f.write_str(
                "a known_hosts line (host names before the key) is not a bare public key",
            ),
            Self::KnownHostsMarker => f.write_str(
                "a known_hosts marker line (@cert-authority, @revoked) is not a bare public key",
            ),
            Self::Rfc4716PublicKey => f.write_str(
                "RFC 4716 (SSH2) public key block: convert it with `ssh-keygen -i -f FILE` first",
            ),
            Self::PemText { kind } => write!(
                f,
                "{kind} is not an OpenSSH public key (for a PEM public key use `ssh-keygen -i -m PKCS8 -f FILE`)"
            ),
            Self::PrivateKey => f.write_str(
                "this is a PRIVATE key: never share it; give the public key (the .pub file) instead",
            ),
            Self::Ssh1Key => f.write_str("SSH protocol 1 keys are not supported"),
            Self::UnknownKeyType { len } => {
                write!(f, "unknown or unsupported key type (a {len}-byte type name)")
            }
            Self::SignatureAlgorithmName { given, use_instead } => write!(
                f,
                "{given} is a signature algorithm, not a key type: use {use_instead}"
            ),
            Self::InvalidBase64 { offset } => write!(
                f,
                "invalid character in the base64 key data at offset {offset}"
            ),
            Self::Base64Padding { len } => write!(
                f,
                "base64 key data of {len} characters has a wrong length or wrong '=' padding"
            ),
            Self::Base64TrailingBits { offset } => write!(
                f,
                "base64 key data is not canonical: unused bits set in the symbol at offset {offset}"
            ),
            Self::Truncated {
                field,
                offset,
                needed,
                remaining,
            } => write!(
                f,
                "key data is truncated: {field} at offset {offset} needs {needed} bytes, {remaining} remain"
            ),
            Self::TrailingData { remaining } => write!(
                f,
                "unexpected trailing data at end of key data ({remaining} bytes)"
            ),
            Self::NulInString { field } => write!(f, "{field} contains a NUL byte"),
            Self::KeyTypeMismatch => f.write_str(
                "the key type inside the key data does not match the key type in front of it",
            ),
            Self::NegativeInteger { field } => write!(f, "{field} is negative"),
            Self::ZeroInteger { field } => write!(f, "{field} is zero"),
            Self::NonCanonicalInteger { field } => {
                write!(f, "{field} is not canonical (redundant leading zero byte)")
            }
            Self::RsaKeySize { bits, min, max } => write!(
                f,
                "RSA key of {bits} bits is outside the allowed range {min}..={max} bits"
            ),
            Self::RsaModulusEven => f.write_str("RSA modulus is even"),
            Self::RsaExponentEven => f.write_str("RSA public exponent is even"),
            Self::RsaExponentRange { bits } => write!(
                f,
                "RSA public exponent of {bits} bits is out of range (3 <= e < 2^33 and e < n)"
            ),
            Self::DsaNotAllowed => f.write_str("DSA keys are not allowed by the policy"),
            Self::DsaKeySize { p_bits, q_bits } => write!(
                f,
                "DSA key with p of {p_bits} bits and q of {q_bits} bits: only p = 1024 and q = 160 bits are accepted"
            ),
            Self::DsaValueRange { field } => write!(f, "DSA {field} is not in the range 0 < v < p"),
            Self::EcdsaCurveMismatch => {
                f.write_str("the curve inside the ECDSA key does not match its key type")
            }
            Self::EcdsaPointAtInfinity => f.write_str("ECDSA public point is the point at infinity"),
            Self::EcdsaPointEncoding { len, expected } => write!(
                f,
                "ECDSA public point of {len} bytes: an uncompressed point (0x04 || X || Y) of {expected} bytes is required"
            ),
            Self::EcdsaCoordinateRange => {
                f.write_str("ECDSA public point has a coordinate not below the field prime")
            }
            Self::EcdsaPointNotOnCurve => f.write_str("ECDSA public point is not on the curve"),
            Self::EcdsaCoordinateBounds => f.write_str(
                "ECDSA public point has a coordinate too small or not below the group order minus one (OpenSSH refuses it)",
            ),
            Self::Ed25519KeyLength { len } => {
                write!(f, "Ed25519 public key is {len} bytes, 32 are required")
            }
            Self::SkApplicationMissing => {
                f.write_str("security-key (sk-) public key without its application string")
            }
            Self::MlDsaKeyLength { len, expected } => write!(
                f,
                "ML-DSA-44/Ed25519 hybrid public key is {len} bytes, {expected} are required"
            ),
            Self::CertificateNotAllowed => {
                f.write_str("OpenSSH certificates are not allowed by the policy")
            }
            Self::CertificateType { value } => write!(
                f,
                "certificate type {value} is neither user (1) nor host (2)"
            ),
            Self::CertificateTooManyPrincipals { max } => {
                write!(f, "certificate has more than {max} principals")
            }
            Self::CertificateCaIsCertificate => {
                f.write_str("certificate is signed by a key that is itself a certificate")
            }
            Self::CertificateCaKeyUnsupported => {
                f.write_str("certificate is signed by a key type that cannot sign certificates")
            }
            Self::CertificateSignatureAlgorithm => f.write_str(
                "certificate signature algorithm is unknown or does not match the signing key",
            ),
            Self::CertificateSignatureInvalid => {
                f.write_str("certificate signature does not verify")
            }
            Self::UnsupportedKeySize { bits } => write!(
                f,
                "RSA key size of {bits} bits is not offered: use 2048, 3072 or 4096"
            ),
            Self::InvalidComment => f.write_str(
                "comment must be one line without control characters",
            ),
            Self::Crypto => f.write_str("cryptographic operation failed"),
            Self::Encoding => f.write_str("encoding the key failed"),
            Self::InvalidPrivateKey => {
                f.write_str("not a valid unencrypted PKCS#1 RSA private key")
            }
            Self::KeySourceMismatch {
                expected_bits,
                bits,
            } => write!(
                f,
                "the key source gave a {bits}-bit key or another comment; \
                 asked for a {expected_bits}-bit RSA key with the requested comment"
            ),
            Self::RequestTooLarge { len, max } => write!(
                f,
                "request body is {len} bytes long, the limit is {max} bytes"
            ),
            Self::InvalidJson { line, column } => write!(
                f,
                "request body is not valid JSON (line {line}, column {column})"
            ),
            Self::X509PemMissing => f.write_str(
                "no PEM certificate block (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
            ),
            Self::X509Base64 => f.write_str("the PEM certificate block has invalid base64"),
            Self::X509Der => f.write_str("the certificate is not a well-formed DER X.509 certificate"),
            Self::X509SubjectTooLong { len, max } => write!(
                f,
                "user id is {len} characters long, a certificate's common name takes at most {max}"
            ),
            Self::MicroversionFormat => {
                f.write_str("microversion must be of the form MAJOR.MINOR (e.g. 2.92) or latest")
            }
            Self::MicroversionUnsupported => f.write_str("microversion is not supported"),
            Self::UnsupportedCurve { bits } => write!(
                f,
                "ECDSA key size of {bits} bits is not offered: use 256, 384 or 521"
            ),
            Self::EmptyPassphrase => f.write_str(
                "passphrase is empty: give a passphrase or write the key unencrypted",
            ),
            Self::KdfRounds { rounds, max } => write!(
                f,
                "bcrypt-pbkdf rounds must be 1 to {max}, not {rounds}"
            ),
            Self::CertificateCaKeySmallOrder => f.write_str(
                "certificate CA key is a small-order Ed25519 point: anyone can sign for it",
            ),
            Self::Ed25519SmallOrder => f.write_str(
                "Ed25519 key is a small-order point: signatures under it can be forged",
            ),
            Self::InvalidAuthorizedKeysOptions { offset, reason } => write!(
                f,
                "authorized_keys options refused at byte {offset}: {reason}"
            ),
            Self::InvalidKnownHostsMarker => f.write_str(
                "a known_hosts marker must be @cert-authority or @revoked, and only one",
            ),
            Self::InvalidHashedHost => f.write_str(
                "hashed known_hosts host is not |1|SALT|HASH with a 20-byte base64 salt",
            ),
            Self::KnownHostsHostField => {
                f.write_str("known_hosts host field is empty or holds a control character")
            }
            Self::MissingKey => f.write_str("no key after the options or host names"),
            Self::NotPrivateKeyFile => f.write_str(
                "not a private key file (no -----BEGIN ... PRIVATE KEY----- line first)",
            ),
            Self::NovaLeadingWhitespace => f.write_str(
                "whitespace before the key type: nova only reads a key that starts with its type",
            ),
            Self::NovaTabSeparator { offset } => write!(
                f,
                "a TAB is the only separator after the key type (at byte {offset}): nova needs a space there"
            ),
            Self::NovaBase64Token => f.write_str(
                "the text after the first space is not base64 nova can decode (nova hashes the second space-separated field)",
            ),
            Self::NovaSkApplication => f.write_str(
                "security-key application string does not start with \"ssh:\" (nova refuses it)",
            ),
            Self::NovaKeyType => f.write_str(
                "nova does not read this key type (security-key certificates, ML-DSA keys)",
            ),
        }
    }
}

impl std::error::Error for Error {}
