//! Named limits and the [`Policy`] that carries them into the parser.

/// The API's limit on an imported public key, in bytes (the seed document's rule).
pub const MAX_PUBLIC_KEY_LEN: usize = 1024;

/// The size bound used to inspect keys outside the API (`keypairs fingerprint`): big enough for
/// 16384-bit RSA keys, ML-DSA hybrids and certificates of either.
pub const INSPECT_MAX_LEN: usize = 16 * 1024;

/// Smallest RSA modulus accepted on import, in bits (OpenSSH's `SSH_RSA_MINIMUM_MODULUS_SIZE`).
pub const MIN_RSA_BITS: u32 = 1024;

/// Largest RSA modulus accepted on import, in bits (OpenSSH's `SSHBUF_MAX_BIGNUM` * 8).
pub const MAX_RSA_BITS: u32 = 16384;

/// Most principals a certificate may carry (OpenSSH's `SSHKEY_CERT_MAX_PRINCIPALS`).
pub const MAX_CERT_PRINCIPALS: usize = 256;

/// What the parser accepts. [`Policy::default`] is the API's policy ([`MAX_PUBLIC_KEY_LEN`]);
/// [`Policy::inspect`] allows inputs up to [`INSPECT_MAX_LEN`].
///
/// Certificates are verified against every CA key type OpenSSH verifies: RSA (`rsa-sha2-256`,
/// `rsa-sha2-512`, legacy `ssh-rsa`), DSA (legacy `ssh-dss`, flagged like `ssh-rsa`), ECDSA,
/// Ed25519 and the security-key types `sk-ssh-ed25519@openssh.com` and
/// `sk-ecdsa-sha2-nistp256@openssh.com` (over `SHA256(application) || flags || counter ||
/// SHA256(data)`; the flags are not checked, as OpenSSH does not check them on a CA signature).
/// Stricter than OpenSSH, whatever the policy: CA signatures in canonical encoding only (no
/// redundant leading zero in ECDSA r and s, Ed25519 S reduced below the group order), and no
/// small-order Ed25519 CA key (under such a key anyone can sign;
/// [`Error::CertificateCaKeySmallOrder`](crate::Error::CertificateCaKeySmallOrder)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Longest input, in bytes, checked before anything is decoded.
    pub max_input_len: usize,
    /// Smallest RSA modulus in bits.
    pub min_rsa_bits: u32,
    /// Largest RSA modulus in bits.
    pub max_rsa_bits: u32,
    /// Whether (1024-bit, deprecated) DSA keys are accepted.
    pub allow_dsa: bool,
    /// Whether OpenSSH certificates are accepted.
    pub allow_certificates: bool,
    /// Whether Ed25519 and sk-Ed25519 keys that are small-order points (the all-zero key, the
    /// identity `01 00..00`, ...) are accepted as keys. OpenSSH accepts them, so the API's policy
    /// does; signatures under such a key can be forged, so a stricter caller turns this off
    /// ([`Error::Ed25519SmallOrder`](crate::Error::Ed25519SmallOrder)). As a certificate's CA
    /// key such a point is refused whatever this says.
    pub allow_small_order_ed25519: bool,
    /// Whether Nova's own extra refusals apply too ([`Policy::nova`]): the key must also be one
    /// that Nova's loader (pyca/cryptography's `load_ssh_public_key`, then
    /// `public_key.split(' ')[1]`) reads.
    pub nova_rules: bool,
}

impl Policy {
    /// The API's policy: inputs up to 1024 bytes, RSA 1024..=16384 bits, DSA and certificates
    /// accepted (DSA flagged as deprecated).
    #[must_use]
    pub const fn api() -> Self {
        Self {
            max_input_len: MAX_PUBLIC_KEY_LEN,
            min_rsa_bits: MIN_RSA_BITS,
            max_rsa_bits: MAX_RSA_BITS,
            allow_dsa: true,
            allow_certificates: true,
            allow_small_order_ed25519: true,
            nova_rules: false,
        }
    }

    /// The os-keypairs API's policy: [`Policy::api`] and Nova's own refusals on top, so a key is
    /// accepted only when both OpenSSH's rules and Nova's accept it. Nova (pyca/cryptography's
    /// `load_ssh_public_key`, then `public_key.split(' ')[1]`) also refuses: whitespace or a
    /// line break before the key type; a TAB as the only separator after the key type;
    /// security-key (`sk-*`) keys whose application string does not start with `ssh:`;
    /// security-key certificates; key types pyca/cryptography does not know
    /// (`ssh-mldsa44-ed25519@openssh.com`).
    #[must_use]
    pub const fn nova() -> Self {
        Self::api().with_nova_rules(true)
    }

    /// The API's rules with a 16 KiB size bound, for inspecting big keys.
    #[must_use]
    pub const fn inspect() -> Self {
        Self::api().with_max_input_len(INSPECT_MAX_LEN)
    }

    /// Returns the policy with another input size bound.
    #[must_use]
    pub const fn with_max_input_len(mut self, max: usize) -> Self {
        self.max_input_len = max;
        self
    }

    /// Returns the policy with another smallest RSA modulus (for example 2048).
    #[must_use]
    pub const fn with_min_rsa_bits(mut self, bits: u32) -> Self {
        self.min_rsa_bits = bits;
        self
    }

    /// Returns the policy with DSA accepted or refused.
    #[must_use]
    pub const fn with_dsa(mut self, allow: bool) -> Self {
        self.allow_dsa = allow;
        self
    }

    /// Returns the policy with Nova's extra refusals ([`Policy::nova`]) on or off.
    #[must_use]
    pub const fn with_nova_rules(mut self, on: bool) -> Self {
        self.nova_rules = on;
        self
    }

    /// Returns the policy with certificates accepted or refused.
    #[must_use]
    pub const fn with_certificates(mut self, allow: bool) -> Self {
        self.allow_certificates = allow;
        self
    }
}

impl Policy {
    /// Returns the policy with small-order Ed25519 keys accepted or refused.
    #[must_use]
    pub const fn with_small_order_ed25519(mut self, allow: bool) -> Self {
        self.allow_small_order_ed25519 = allow;
        self
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::api()
    }
}
