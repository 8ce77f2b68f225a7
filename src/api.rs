//! The os-keypairs API, `POST /v2.1/{project_id}/os-keypairs` (create or import a key pair), as
//! pure functions: Nova's request schema per microversion with Nova's messages, the import
//! parser, RSA generation, and Nova's response and fault bodies. The crate keeps no state: the
//! caller's own store answers whether a name is taken ([`KeypairStore`]).
//!
//! One call serves a route: [`handle`] takes the raw body, a [`Context`] (caller's user id,
//! microversion, limits), the store and a [`KeySource`] (an RNG, or keys made ahead), and
//! returns [`Created`] (status 200 below 2.2, 201 from 2.2) or a [`Fault`] (status, Nova's
//! envelope, and the precise reason). [`Reply`] turns either into a status and a JSON body. The
//! steps are also offered one by one: [`parse_body`] (bounded, Nova-exact schema validation)
//! and [`create_or_import`] (on a typed [`CreateKeypairRequest`], for callers whose framework
//! already parsed the JSON).
//!
//! ```
//! use std::collections::HashSet;
//!
//! use keypairs::api::{self, Context, Microversion, Reply};
//!
//! // The control plane's own store: the (user, name) pairs that exist.
//! let existing = HashSet::from([("u1".to_owned(), "laptop".to_owned())]);
//! let name_taken = |user: &str, name: &str| existing.contains(&(user.to_owned(), name.to_owned()));
//!
//! // POST /v2.1/{project_id}/os-keypairs: body, OpenStack-API-Version value, caller from the token.
//! let route = |body: &[u8], version: Option<&str>, user_id: &str| -> Reply {
//!     let microversion = match Microversion::from_header(version, Microversion::LATEST) {
//!         Ok(mv) => mv,
//!         Err(fault) => return Reply::from(Err(fault)),
//!     };
//!     let ctx = Context::new(user_id, microversion);
//!     let outcome = api::handle(body, &ctx, &name_taken, &mut getrandom::SysRng);
//!     if let Err(fault) = &outcome {
//!         eprintln!("os-keypairs refused: {}", fault.reason()); // the precise reason, for logs
//!     }
//!     Reply::from(outcome) // status + JSON body; store the key pair on 200/201
//! };
//!
//! let body = br#"{"keypair": {"name": "ci", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz"}}"#;
//! let reply = route(body, Some("2.92"), "u1");
//! assert_eq!(reply.status, 201);
//! assert!(reply.body.contains(r#""fingerprint":"1a:1d:a7:2c:4c:ff:15:c4:70:13:38:b6:ac:4c:dc:12""#));
//!
//! let taken = br#"{"keypair": {"name": "laptop", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz"}}"#;
//! assert_eq!(route(taken, None, "u1").status, 409);
//! assert_eq!(route(b"{}", None, "u1").status, 400);
//! assert_eq!(route(b"{}", Some("3.0"), "u1").status, 406);
//! ```
//!
//! Order of work, as in Nova: size bound, JSON, schema (first error wins, in Nova's order),
//! [`KeypairStore::admit`] (policy and quota), key validation (import) or the name check and
//! generation (create), then the name check for an import (Nova's database insert comes last,
//! so an invalid key with a taken name is a 400, not a 409).
//!
//! Where this crate deliberately differs from Nova (the README's table has them all, with the
//! reasons):
//! - a `public_key` over the [`Policy`]'s limit (1024 bytes by default, the seed document's
//!   rule) is refused, and SSH keys must pass OpenSSH's rules as well as Nova's
//!   ([`Policy::nova`]; Nova alone accepts any RSA size, stray characters in base64, and more);
//!   the envelope keeps Nova's text, [`Fault::error`] names the rule;
//! - two spaces after the key type: Nova fingerprints the empty string, this crate the key;
//! - the body is JSON as `serde_json` reads it (see `api/json.rs`: `NaN`, `Infinity`, lone
//!   surrogates and nesting deeper than 128 are "Malformed request body" here).

mod fault;
mod json;
mod name;
mod schema;
mod types;
mod version;
mod x509;

use core::fmt;
use std::time::SystemTime;

use rand_core::SeedableRng as _;
use zeroize::Zeroizing;

pub use self::fault::{
    BODY_TOO_LARGE_MESSAGE, Fault, FaultKind, INTERNAL_ERROR_MESSAGE, INVALID_KEY_MESSAGE,
    QUOTA_EXCEEDED_MESSAGE, escape_controls,
};
pub use self::name::MAX_NAME_LEN;
pub use self::schema::REDACTED_PRIVATE_KEY;
pub use self::types::{
    CreateKeypairRequest, CreateKeypairResponse, KeypairRequest, KeypairResponse, KeypairType,
    PrivateKeyPem,
};
pub use self::version::Microversion;

use self::json::{Json, Object, Text};
use crate::error::Error;
use crate::fingerprint::Md5Fingerprint;
use crate::generate::{
    DEFAULT_RSA_BITS, GeneratedKey, NOVA_COMMENT, PrivateKeyFormat, generate_rsa,
    generate_rsa_parallel,
};
use crate::key::PublicKey;
use crate::parse::parse_public_key_with;
use crate::policy::Policy;

/// Default bound on a request body: 114688 bytes (112 KiB), oslo.middleware's `sizelimit`
/// default (`[oslo_middleware] max_request_body_size`), in front of Nova's API.
pub const DEFAULT_MAX_BODY_LEN: usize = 114_688;

/// Nova's text for a body that is not JSON.
pub const MALFORMED_BODY_MESSAGE: &str = "Malformed request body";

/// Who asks, at which microversion, under which limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context<'a> {
    /// The caller's user id (the owner unless the body names another `user_id`, 2.10+).
    pub user_id: &'a str,
    /// The request's microversion.
    pub microversion: Microversion,
    /// Largest body accepted, in bytes; longer bodies are refused unparsed (413).
    pub max_body_len: usize,
    /// Rules for imported SSH keys (x509 certificates are bounded by the body limit alone).
    pub policy: Policy,
    /// The time an x509 create's certificate starts (`None`: the system clock).
    pub now: Option<SystemTime>,
}

impl<'a> Context<'a> {
    /// A context with the API's defaults: [`DEFAULT_MAX_BODY_LEN`], [`Policy::nova`].
    #[must_use]
    pub const fn new(user_id: &'a str, microversion: Microversion) -> Self {
        Self {
            user_id,
            microversion,
            max_body_len: DEFAULT_MAX_BODY_LEN,
            policy: Policy::nova(),
            now: None,
        }
    }

    /// The same context with a fixed time for x509 creates (the certificate's `notBefore`).
    #[must_use]
    pub const fn with_now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// The same context with another body bound.
    #[must_use]
    pub const fn with_max_body_len(mut self, max: usize) -> Self {
        self.max_body_len = max;
        self
    }

    /// The same context with another import policy.
    #[must_use]
    pub const fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
}

/// The caller's key pair store, asked by the API; the crate keeps no state.
///
/// Any `Fn(&str, &str) -> bool` (`user_id`, `name`) is a store that answers "is this name
/// taken" and admits everything.
///
/// The name check is a pre-check: two requests racing for the same name can both pass it, so
/// the store's insert still needs its own unique constraint on `(user_id, name)`; answer a
/// failed insert with [`Fault::conflict`].
pub trait KeypairStore {
    /// Whether `user_id` already has a key pair called `name`.
    ///
    /// # Errors
    /// A fault to answer with instead, e.g. [`Fault::internal`] when the store cannot be read.
    fn name_taken(&self, user_id: &str, name: &str) -> Result<bool, Fault>;

    /// Policy and quota (Nova's steps 3 and 4) for a key pair owned by `user_id`, requested by
    /// `caller`; asked after the body is validated and before the key is parsed or generated.
    /// The default admits everything.
    ///
    /// # Errors
    /// The fault to refuse with, usually [`Fault::forbidden`] or [`Fault::quota_exceeded`].
    fn admit(&self, user_id: &str, caller: &str) -> Result<(), Fault> {
        let _ = (user_id, caller);
        Ok(())
    }
}

impl<F: Fn(&str, &str) -> bool + ?Sized> KeypairStore for F {
    fn name_taken(&self, user_id: &str, name: &str) -> Result<bool, Fault> {
        Ok(self(user_id, name))
    }
}

/// Where a create's key comes from: any RNG (a fresh key is generated, on the calling thread,
/// for each create), or the caller's own source, such as a pool of keys generated ahead of time
/// by a background worker, so that a create answers in microseconds instead of tens of
/// milliseconds.
///
/// A source must give each key once and never keep a copy: the private key is returned to the
/// caller of the API and nowhere else. The API checks that the key is what it asked for
/// (size and comment) and answers a 500 with [`Error::KeySourceMismatch`] otherwise.
///
/// ```
/// use keypairs::api::KeySource;
/// use keypairs::{Error, GeneratedKey};
///
/// /// Keys generated ahead of time, handed out once each.
/// struct Pool(Vec<GeneratedKey>);
///
/// # #[cfg(feature = "getrandom")]
/// impl KeySource for Pool {
///     fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error> {
///         // Only keys of the asked size; generate on the spot when the pool is dry.
///         match self.0.pop() {
///             Some(key) if key.bits() as usize == bits && key.public_key().comment() == comment => {
///                 Ok(key)
///             }
///             _ => keypairs::generate_rsa_os(bits, comment),
///         }
///     }
/// }
/// ```
pub trait KeySource {
    /// A new RSA key of `bits` bits whose public line carries `comment`.
    ///
    /// # Errors
    /// Any [`Error`]; the API answers it with a 500 (and keeps the error in [`Fault::error`]).
    fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error>;

    /// Fills `out` with random bytes: what an x509 create needs besides the key (the
    /// certificate's serial number, the PKCS#12 salts and IVs), 32 bytes per create. The default takes them from the operating system (an [`Error::Crypto`] without
    /// the `getrandom` feature); an RNG key source takes them from the RNG.
    ///
    /// # Errors
    /// [`Error::Crypto`] when no random bytes can be had; the API answers a 500.
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
        os_random(out)
    }
}

#[cfg(feature = "getrandom")]
fn os_random(out: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(out).map_err(|_| Error::Crypto)
}

#[cfg(not(feature = "getrandom"))]
fn os_random(out: &mut [u8]) -> Result<(), Error> {
    let _ = out;
    Err(Error::Crypto)
}

/// Any cryptographic RNG is a key source: [`generate_rsa`] with it.
impl<R: rand_core::TryCryptoRng + ?Sized> KeySource for R {
    fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error> {
        generate_rsa(self, bits, comment)
    }

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
        self.try_fill_bytes(out).map_err(|_| Error::Crypto)
    }
}

/// A key source that generates each key with [`generate_rsa_parallel`]: the prime search spread
/// over `threads` threads (`0`: one per core), about half the time of one thread on two cores.
/// The key depends only on the RNG, not on the thread count.
#[derive(Debug)]
pub struct Parallel<'r, R: ?Sized> {
    rng: &'r mut R,
    threads: usize,
}

impl<'r, R: rand_core::TryCryptoRng + ?Sized> Parallel<'r, R> {
    /// Generates from `rng` on `threads` threads (`0`: one per available core).
    pub const fn new(rng: &'r mut R, threads: usize) -> Self {
        Self { rng, threads }
    }
}

impl<R: rand_core::TryCryptoRng + ?Sized> KeySource for Parallel<'_, R> {
    fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error> {
        generate_rsa_parallel(self.rng, bits, comment, self.threads)
    }

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
        self.rng.try_fill_bytes(out).map_err(|_| Error::Crypto)
    }
}

/// A created or imported key pair: the status and the response body.
#[derive(Debug)]
pub struct Created {
    status: u16,
    response: CreateKeypairResponse,
    key: Option<PublicKey>,
}

impl Created {
    /// 200 below microversion 2.2, 201 from 2.2 on.
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The response body.
    #[must_use]
    pub const fn response(&self) -> &CreateKeypairResponse {
        &self.response
    }

    /// The response body, by value.
    #[must_use]
    pub fn into_response(self) -> CreateKeypairResponse {
        self.response
    }

    /// The parsed SSH public key (imported or generated); `None` for an x509 certificate.
    #[must_use]
    pub const fn public_key(&self) -> Option<&PublicKey> {
        self.key.as_ref()
    }

    /// Whether a key was generated (the body then carries `private_key`, once).
    #[must_use]
    pub const fn is_generated(&self) -> bool {
        self.response.keypair.private_key.is_some()
    }

    /// The response body as JSON; zeroizing, as it may hold the private key, and written into a
    /// buffer of its final size, so no partial copy of the key is freed unwiped.
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<String> {
        types::to_zeroizing_json(&self.response)
    }
}

/// An HTTP answer: status and JSON body, from [`Created`] or [`Fault`].
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// JSON body (zeroizing: a create's body holds the private key).
    pub body: Zeroizing<String>,
}

impl From<Result<Created, Fault>> for Reply {
    fn from(outcome: Result<Created, Fault>) -> Self {
        match outcome {
            Ok(created) => Self {
                status: created.status(),
                body: created.to_json(),
            },
            Err(fault) => Self {
                status: fault.status(),
                body: Zeroizing::new(fault.to_json()),
            },
        }
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Serves `POST /v2.1/{project_id}/os-keypairs` from the raw request body: [`parse_body`], then
/// [`create_or_import`]'s work. A create takes its key from `keys`: an RNG (a key is generated
/// on the calling thread) or any other [`KeySource`].
///
/// # Errors
/// A [`Fault`] for every refusal: body too large (413, oslo.middleware's webob body), not JSON
/// or against the schema (400), invalid key (400), refused by [`KeypairStore::admit`] (403),
/// name taken (409), no key or no random bytes from the key source, not the key asked for, or
/// an x509 create for a user id over 64 characters (500, as Nova's `openssl` fails: Nova's
/// [`INTERNAL_ERROR_MESSAGE`], the reason, such as [`Error::X509SubjectTooLong`], in
/// [`Fault::error`]).
pub fn handle<S, K>(
    body: &[u8],
    ctx: &Context<'_>,
    store: &S,
    keys: &mut K,
) -> Result<Created, Fault>
where
    S: KeypairStore + ?Sized,
    K: KeySource + ?Sized,
{
    let request = parse_body(body, ctx)?;
    execute(&request, ctx, store, keys)
}

/// Parses and validates a request body as Nova does at `ctx.microversion`.
///
/// Bodies longer than `ctx.max_body_len` are refused before parsing. An empty body is JSON
/// `null` (Nova: `None is not of type 'object'`). Duplicate keys: the last value wins, as with
/// Python's `json`.
///
/// # Errors
/// [`FaultKind::BodyTooLarge`] (413), [`FaultKind::MalformedBody`] (400, with
/// [`Error::InvalidJson`]), [`FaultKind::Validation`] (400, Nova's schema message).
pub fn parse_body(body: &[u8], ctx: &Context<'_>) -> Result<CreateKeypairRequest, Fault> {
    if body.len() > ctx.max_body_len {
        return Err(Fault::body_too_large(body.len(), ctx.max_body_len));
    }
    let value = if body.is_empty() {
        Json::Null
    } else {
        json::parse(body).map_err(|e| {
            Fault::new(FaultKind::MalformedBody, MALFORMED_BODY_MESSAGE).with_error(
                Error::InvalidJson {
                    line: e.line,
                    column: e.column,
                },
            )
        })?
    };
    schema::validate(&value, ctx.microversion).map_err(|m| Fault::new(FaultKind::Validation, m))?;
    Ok(from_json(&value))
}

/// Creates or imports the key pair of a parsed request (from [`parse_body`] or built by the
/// caller), validating it against `ctx.microversion`'s schema first.
///
/// Import (`public_key` present, even empty): the key is checked with the import parser under
/// `ctx.policy` and echoed verbatim, with Nova's MD5 fingerprint (of the whole blob: for an
/// OpenSSH certificate, the certificate's); `type: x509` takes a PEM certificate and gives its
/// SHA-1 fingerprint. Create (no `public_key`, below 2.92): a 2048-bit RSA key from `keys` (an
/// RNG or another [`KeySource`]), `ssh-rsa ... Generated-by-Nova`, and the PKCS#1 PEM private
/// key, returned this once; with `type: x509`, a self-signed client certificate for the owner
/// as `public_key`, its SHA-1 fingerprint, and the base64 of a PKCS#12 bundle (key and
/// certificate, empty password) as `private_key`. The name is stored and answered without one
/// trailing newline (Nova's `normalize_name`).
///
/// # Errors
/// As [`handle`], less the body-level faults.
pub fn create_or_import<S, K>(
    request: &CreateKeypairRequest,
    ctx: &Context<'_>,
    store: &S,
    keys: &mut K,
) -> Result<Created, Fault>
where
    S: KeypairStore + ?Sized,
    K: KeySource + ?Sized,
{
    schema::validate(&to_json(request), ctx.microversion)
        .map_err(|m| Fault::new(FaultKind::Validation, m))?;
    execute(request, ctx, store, keys)
}

/// Checks a key pair name against `microversion`'s rules.
///
/// # Errors
/// A [`FaultKind::Validation`] fault with Nova's message for the first rule broken.
pub fn check_name(name: &str, microversion: Microversion) -> Result<(), Fault> {
    schema::name_error(name, microversion)
        .map_or(Ok(()), |m| Err(Fault::new(FaultKind::Validation, m)))
}

/// The work after validation.
fn execute<S, K>(
    request: &CreateKeypairRequest,
    ctx: &Context<'_>,
    store: &S,
    keys: &mut K,
) -> Result<Created, Fault>
where
    S: KeypairStore + ?Sized,
    K: KeySource + ?Sized,
{
    let kp = &request.keypair;
    let mv = ctx.microversion;
    let key_type = kp.key_type.unwrap_or_default();
    // Nova's `common.normalize_name`: the stored (and answered) name is `name.strip()`.
    let name = name::normalize(&kp.name);
    // Nova: `user_id = body user_id or context.user_id` (an empty string falls back too).
    let user_id = kp
        .user_id
        .as_deref()
        .filter(|u| !u.is_empty())
        .unwrap_or(ctx.user_id);
    store.admit(user_id, ctx.user_id)?;

    let (public_key, fingerprint, private_key, key) = if let Some(public_key) = &kp.public_key {
        let (fingerprint, key) = match key_type {
            KeypairType::Ssh => {
                let key = parse_public_key_with(public_key.as_bytes(), &ctx.policy)
                    .map_err(Fault::invalid_key)?;
                (nova_md5_fingerprint(&key).to_string(), Some(key))
            }
            KeypairType::X509 => (import_x509(public_key)?, None),
        };
        if store.name_taken(user_id, name)? {
            return Err(Fault::conflict(name));
        }
        (public_key.clone(), fingerprint, None, key)
    } else {
        // Nova generates first and fails at the insert; checking first spares the work and
        // answers the same.
        if store.name_taken(user_id, name)? {
            return Err(Fault::conflict(name));
        }
        // Nova answers any failure here (paramiko, `openssl`) as an unhandled exception: a 500
        // with webob's generic text; the precise reason stays in `Fault::error`.
        let generation_failed = Fault::internal_error;
        if key_type == KeypairType::X509 {
            let (certificate, fingerprint, pkcs12) =
                create_x509(keys, user_id, ctx).map_err(generation_failed)?;
            (
                certificate,
                fingerprint,
                Some(PrivateKeyPem::new(pkcs12)),
                None,
            )
        } else {
            let generated = new_key(keys).map_err(generation_failed)?;
            let line = generated.public_line();
            let fingerprint = generated.md5_fingerprint().to_string();
            let (key, pem) = generated
                .into_private(PrivateKeyFormat::Pem)
                .map_err(generation_failed)?;
            (line, fingerprint, Some(PrivateKeyPem::new(pem)), Some(key))
        }
    };

    let status = if mv >= Microversion::V2_2 { 201 } else { 200 };
    Ok(Created {
        status,
        response: CreateKeypairResponse {
            keypair: KeypairResponse {
                name: name.to_owned(),
                public_key,
                fingerprint,
                key_type: (mv >= Microversion::V2_2).then_some(key_type),
                user_id: user_id.to_owned(),
                private_key,
            },
        },
        key,
    })
}

/// An x509 create (Nova's `crypto.generate_winrm_x509_cert(user_id)`): a 2048-bit RSA key
/// from `keys`, a self-signed client certificate for `CN=<user_id>`, and a PKCS#12 bundle of
/// both under an empty password. Returns the certificate PEM, its SHA-1 fingerprint and the
/// bundle's base64 (zeroizing).
fn create_x509<K: KeySource + ?Sized>(
    keys: &mut K,
    user_id: &str,
    ctx: &Context<'_>,
) -> Result<(String, String, Zeroizing<String>), Error> {
    let len = user_id.chars().count();
    if len > x509::MAX_COMMON_NAME_LEN {
        return Err(Error::X509SubjectTooLong {
            len,
            max: x509::MAX_COMMON_NAME_LEN,
        });
    }
    let key = new_key(keys)?;
    let mut seed = Zeroizing::new([0u8; 32]);
    keys.random_bytes(seed.as_mut())?;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(*seed);
    let now = ctx.now.unwrap_or_else(SystemTime::now);
    let pkcs1 = key.pkcs1_der()?;
    let pair = x509::create(&key, pkcs1.as_bytes(), user_id, now, &mut rng)?;
    let fingerprint = x509::sha1_colon_hex(&pair.certificate_der);
    Ok((
        pair.certificate_pem,
        fingerprint,
        base64_secret(&pair.pkcs12)?,
    ))
}

/// Standard base64 (one line, padded) of secret bytes, constant-time, into a zeroizing string
/// of exactly its size.
fn base64_secret(bytes: &[u8]) -> Result<Zeroizing<String>, Error> {
    use base64ct::Encoding as _;
    let len = base64ct::Base64::encoded_len(bytes);
    let mut buf = Zeroizing::new(vec![0u8; len]);
    base64ct::Base64::encode(bytes, &mut buf).map_err(|_| Error::Encoding)?;
    let text = core::mem::take(&mut *buf);
    String::from_utf8(text)
        .map(Zeroizing::new)
        .map_err(|_| Error::Encoding)
}

/// A create's key from `keys`: a 2048-bit RSA key with Nova's comment, checked as such.
fn new_key<K: KeySource + ?Sized>(keys: &mut K) -> Result<GeneratedKey, Error> {
    let key = keys.rsa_key(DEFAULT_RSA_BITS, NOVA_COMMENT)?;
    let public = key.public_key();
    // A `GeneratedKey` is always RSA: size and comment are what a source can get wrong.
    if public.bits() as usize != DEFAULT_RSA_BITS || public.comment() != NOVA_COMMENT {
        return Err(Error::KeySourceMismatch {
            expected_bits: DEFAULT_RSA_BITS,
            bits: public.bits(),
        });
    }
    Ok(key)
}

/// The API's fingerprint of an imported SSH key, as Nova computes it: the MD5 of the whole
/// decoded blob, so for an OpenSSH certificate the MD5 of the certificate, not of the key it
/// certifies (which [`PublicKey::md5_fingerprint`] gives, as `ssh-keygen -l` and `keypairs
/// fingerprint` do).
fn nova_md5_fingerprint(key: &PublicKey) -> Md5Fingerprint {
    if key.is_certificate() {
        Md5Fingerprint::of_blob(key.blob())
    } else {
        key.md5_fingerprint()
    }
}

/// x509 import: the certificate (bounded by the body limit only, as in Nova); Nova's message
/// with the reason.
fn import_x509(pem: &str) -> Result<String, Fault> {
    x509::x509_fingerprint(pem).map_err(|e| {
        let detail = if e == Error::X509PemMissing {
            x509::PYCA_MALFORMED_FRAMING.to_owned()
        } else {
            e.to_string()
        };
        Fault::new(
            FaultKind::InvalidKeypair,
            format!(
                "Keypair data is invalid: failed to generate X509 fingerprint. Error message: {detail}"
            ),
        )
        .with_error(e)
    })
}

/// The typed request of a body that passed the schema.
fn from_json(value: &Json) -> CreateKeypairRequest {
    let kp = value
        .as_object()
        .and_then(|o| o.get("keypair"))
        .and_then(Json::as_object);
    let field = |k: &str| kp.and_then(|o| o.get(k)).and_then(Json::as_str);
    CreateKeypairRequest {
        keypair: KeypairRequest {
            name: field("name").unwrap_or_default().to_owned(),
            key_type: field("type").map(|t| {
                if t == "x509" {
                    KeypairType::X509
                } else {
                    KeypairType::Ssh
                }
            }),
            public_key: field("public_key").map(str::to_owned),
            user_id: field("user_id").map(str::to_owned),
        },
    }
}

/// A typed request as JSON, fields in serialization order, for the schema check.
fn to_json(request: &CreateKeypairRequest) -> Json {
    let kp = &request.keypair;
    let mut obj = Object::default();
    obj.push("name", Json::Str(Text::from(kp.name.as_str())));
    if let Some(t) = kp.key_type {
        obj.push("type", Json::Str(Text::from(t.as_str())));
    }
    if let Some(pk) = &kp.public_key {
        obj.push("public_key", Json::Str(Text::from(pk.as_str())));
    }
    if let Some(u) = &kp.user_id {
        obj.push("user_id", Json::Str(Text::from(u.as_str())));
    }
    let mut top = Object::default();
    top.push("keypair", Json::Object(obj));
    Json::Object(top)
}
