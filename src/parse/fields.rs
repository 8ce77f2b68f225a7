//! The fields of a plain key as the blob parser reads them: what the blob parser (`blob.rs`) hands
//! to the certificate signature check (`signature.rs`). Its own module so that the two import it
//! and neither imports the other back: blob -> signature -> fields, blob -> fields.

use crate::key::KeyType;
use crate::wire::bit_len;

/// The fields of a plain key, borrowed from the blob.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KeyFields<'a> {
    Rsa {
        e: &'a [u8],
        n: &'a [u8],
    },
    Dsa {
        p: &'a [u8],
        q: &'a [u8],
        g: &'a [u8],
        y: &'a [u8],
    },
    Ecdsa {
        key_type: KeyType,
        point: &'a [u8],
    },
    Ed25519 {
        key: &'a [u8],
    },
    SkEcdsa {
        point: &'a [u8],
        application: &'a [u8],
    },
    SkEd25519 {
        key: &'a [u8],
        application: &'a [u8],
    },
    MlDsa44Ed25519,
}

impl KeyFields<'_> {
    pub(crate) fn bits(&self) -> u32 {
        match self {
            Self::Rsa { n, .. } => bit_len(n),
            Self::Dsa { p, .. } => bit_len(p),
            Self::Ecdsa { key_type, .. } => match key_type {
                KeyType::EcdsaP384 => 384,
                KeyType::EcdsaP521 => 521,
                _ => 256,
            },
            Self::Ed25519 { .. }
            | Self::SkEcdsa { .. }
            | Self::SkEd25519 { .. }
            | Self::MlDsa44Ed25519 => 256,
        }
    }
}

#[cfg(test)]
mod tests {
    /// The imports run one way: the signature check knows the fields, never the blob parser.
    #[test]
    fn imports_run_one_way() {
        for (name, source) in [
            ("signature.rs", include_str!("signature.rs")),
            ("fields.rs", include_str!("fields.rs")),
        ] {
            for path in [concat!("super::", "blob"), concat!("parse::", "blob")] {
                assert!(!source.contains(path), "{name} imports blob.rs");
            }
        }
    }
}
