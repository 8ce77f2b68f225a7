//! Passphrase-protected OpenSSH private keys, as `ssh-keygen -N PASSPHRASE -a ROUNDS` writes them:
//! aes256-ctr, key and IV from bcrypt-pbkdf (ssh-key's `encryption` feature; no cipher here).

use zeroize::Zeroizing;

use super::MAX_KDF_ROUNDS;
use crate::error::{Error, Result};

/// Length of the bcrypt-pbkdf salt (`ssh-keygen`'s `SALT_LEN`).
const SALT_LEN: usize = 16;

/// Encrypts `key` with `passphrase` (aes256-ctr, bcrypt-pbkdf with `rounds`, salt and check integer
/// from `rng`) and writes it as OpenSSH text. The derived key is zeroized by `ssh_key`; the
/// plaintext private section is encrypted in place in its one buffer.
pub(crate) fn encrypted_openssh<R: rand_core::TryCryptoRng + ?Sized>(
    key: &ssh_key::PrivateKey,
    rng: &mut R,
    passphrase: &[u8],
    rounds: u32,
) -> Result<Zeroizing<String>> {
    if passphrase.is_empty() {
        return Err(Error::EmptyPassphrase);
    }
    if rounds == 0 || rounds > MAX_KDF_ROUNDS {
        return Err(Error::KdfRounds {
            rounds,
            max: MAX_KDF_ROUNDS,
        });
    }
    let mut salt = vec![0u8; SALT_LEN];
    rng.try_fill_bytes(&mut salt).map_err(|_| Error::Crypto)?;
    let checkint = rng.try_next_u32().map_err(|_| Error::Crypto)?;
    let kdf = ssh_key::Kdf::Bcrypt { salt, rounds };
    let encrypted = key
        .encrypt_with(ssh_key::Cipher::Aes256Ctr, kdf, checkint, passphrase)
        .map_err(|_| Error::Crypto)?;
    encrypted
        .to_openssh(ssh_key::LineEnding::LF)
        .map_err(|_| Error::Encoding)
}
