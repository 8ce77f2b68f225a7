#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "api")]
#[cfg_attr(docsrs, doc(cfg(feature = "api")))]
pub mod api;
mod error;
mod file_forms;
mod fingerprint;
mod generate;
mod key;
mod parse;
mod policy;
mod wire;

pub use crate::error::{Error, PemKind, Result};
pub use crate::file_forms::{
    AuthorizedKey, AuthorizedKeyOption, FileLine, HostPattern, HostPatterns, KeyEncryption,
    KeyLine, KnownHost, Marker, PrivateKeyFile, PrivateKeyFileKind, is_private_key_file, key_lines,
    parse_authorized_keys_line, parse_authorized_keys_options, parse_key_line,
    parse_known_hosts_line, read_private_key_file,
};
pub use crate::fingerprint::{Md5Fingerprint, Sha256Fingerprint};
#[cfg(feature = "getrandom")]
#[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
pub use crate::generate::generate_rsa_os;
pub use crate::generate::{
    DEFAULT_KDF_ROUNDS, DEFAULT_RSA_BITS, GeneratedKey, MAX_KDF_ROUNDS, NOVA_COMMENT,
    PrivateKeyFormat, RSA_PUBLIC_EXPONENT, SUPPORTED_RSA_BITS, generate_rsa, generate_rsa_parallel,
};
pub use crate::generate::{GeneratedEcKey, SUPPORTED_ECDSA_BITS, generate_ecdsa, generate_ed25519};
#[cfg(feature = "getrandom")]
pub use crate::generate::{generate_ecdsa_os, generate_ed25519_os};
pub use crate::key::{
    CertificateInfo, CertificateType, KeyType, PublicKey, SignatureAlgorithm, Warnings,
};
pub use crate::parse::{parse_public_key, parse_public_key_with};
pub use crate::policy::{
    INSPECT_MAX_LEN, MAX_CERT_PRINCIPALS, MAX_PUBLIC_KEY_LEN, MAX_RSA_BITS, MIN_RSA_BITS, Policy,
};
