//! MD5 and SHA-256 fingerprints of a plain public-key blob, as `ssh-keygen -l` prints them.

use core::fmt;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use sha2::Sha256;

/// MD5 fingerprint: `Display` gives 16 lowercase hex pairs joined by `:` (47 characters), the
/// value the os-keypairs API returns; [`Md5Fingerprint::prefixed`] adds `ssh-keygen`'s `MD5:`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Md5Fingerprint([u8; 16]);

/// SHA-256 fingerprint: `Display` gives `SHA256:` and unpadded standard base64, as `ssh-keygen -l`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Fingerprint([u8; 32]);

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Md5Fingerprint {
    /// MD5 of `blob`, the wire encoding of a plain public key.
    #[must_use]
    pub fn of_blob(blob: &[u8]) -> Self {
        Self(Md5::digest(blob).into())
    }

    /// Finishes a hasher that was fed a plain public-key blob.
    pub(crate) fn from_hasher(h: Md5) -> Self {
        Self(h.finalize().into())
    }

    /// The 16 digest bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The colon-hex form as a fixed-size ASCII buffer (no allocation).
    #[must_use]
    pub fn to_colon_hex(&self) -> [u8; 47] {
        let mut out = [b':'; 47];
        for (i, b) in self.0.iter().enumerate() {
            let at = i * 3;
            out[at] = HEX[usize::from(b >> 4)];
            out[at + 1] = HEX[usize::from(b & 0x0f)];
        }
        out
    }

    /// `MD5:` followed by the colon-hex form, as `ssh-keygen -l -E md5` prints it.
    #[must_use]
    pub fn prefixed(&self) -> String {
        format!("MD5:{self}")
    }
}

impl fmt::Display for Md5Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let buf = self.to_colon_hex();
        // The buffer is ASCII by construction.
        f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Md5Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Md5Fingerprint({self})")
    }
}

impl Sha256Fingerprint {
    /// SHA-256 of `blob`, the wire encoding of a plain public key.
    #[must_use]
    pub fn of_blob(blob: &[u8]) -> Self {
        Self(Sha256::digest(blob).into())
    }

    /// Finishes a hasher that was fed a plain public-key blob.
    pub(crate) fn from_hasher(h: Sha256) -> Self {
        Self(h.finalize().into())
    }

    /// The 32 digest bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Sha256Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 43];
        let n = base64::engine::general_purpose::STANDARD_NO_PAD
            .encode_slice(self.0, &mut buf)
            .map_err(|_| fmt::Error)?;
        f.write_str("SHA256:")?;
        f.write_str(core::str::from_utf8(buf.get(..n).ok_or(fmt::Error)?).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Sha256Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Fingerprint({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::{Md5Fingerprint, Sha256Fingerprint};

    /// `Debug` names the type and shows the printed form (cargo-mutants: both impls were
    /// replaceable by an empty one without a test noticing).
    #[test]
    fn debug_shows_type_and_fingerprint() {
        let blob = b"\0\0\0\x0bssh-ed25519";
        let md5 = Md5Fingerprint::of_blob(blob);
        assert_eq!(format!("{md5:?}"), format!("Md5Fingerprint({md5})"));
        assert_eq!(format!("{md5}").len(), 47);
        let sha = Sha256Fingerprint::of_blob(blob);
        assert_eq!(format!("{sha:?}"), format!("Sha256Fingerprint({sha})"));
        assert!(format!("{sha}").starts_with("SHA256:"));
    }
}
