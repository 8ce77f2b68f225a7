//! Invariants of the API entry point on arbitrary request bodies. Shared by the fuzz target
//! (`fuzz_targets/api_request.rs`) and the corpus replay test (`tests/library/fuzz_corpus.rs`).
//!
//! An input whose first byte is 0x01 is *structured*: its second byte picks one microversion
//! (2.1, 2.2, 2.9, 2.10, 2.91 or 2.92, the edges of the schema's ranges) and the rest drives
//! [`structured_body`], which builds a well-formed request body (name, type, user id, and a
//! public key taken from tests/data/keys/ and mutated in place, or left out for a create), so
//! that most such inputs pass the JSON reader and the schema and reach the key parser. After
//! 0x02, the second byte picks the microversion and the rest is the body (the committed seeds
//! are of this form). Any other input is the body itself, sent at all six microversions. One
//! microversion an input keeps the import parser's and the x509 create's costs (certificate
//! signatures, RSA signing, PBKDF2) from being paid six times per input.
//!
//! Each body goes through `api::parse_body` and `api::create_or_import` with a store in which
//! only the name `taken` exists. No key is generated per input: creates take a fixed 2048-bit
//! key, generated once per process and copied (fuzz builds) or reloaded from its PKCS#1 PEM (the replay test) for each create
//! ([`FixedKey`], an `api::KeySource`). Each body that parses is also sent once, at its first
//! microversion, through `create_or_import` with a key source that always fails ([`NoRng`], an
//! RNG that gives no bytes).
//!
//! - The typed request survives a JSON round trip (`serde_json` out, `parse_body` in). The
//!   replay test also checks `handle` = `parse_body` then `create_or_import` (same reply); fuzz
//!   builds serve each body once, through `parse_body` and `create_or_import`.
//! - The reply is JSON: a fault is `{"<key>": {"code": <status>, "message": ...}}`.
//! - Success: status 200 below 2.2, 201 from 2.2. An import echoes the public key verbatim, an
//!   SSH key's fingerprint is the import parser's MD5 of it, and no private key comes back. A
//!   create (below 2.92, SSH type) returns the fixed key as `ssh-rsa ... Generated-by-Nova`,
//!   its MD5 fingerprint, and a PKCS#1 PEM private key that reloads to the same public line; an
//!   x509 create (fixed random bytes and time) a certificate that imports back with the same
//!   SHA-1 fingerprint and a PKCS#12 bundle. The name answered is the request's without one
//!   trailing newline (Nova's `normalize_name`).
//! - 409 only for the name `taken`; never a 500 with a working key source (but for an x509
//!   create for a user id over 64 characters, Nova's own 500); with the failing
//!   source, exactly the bodies that created a key end in a 500 (`Error::Crypto`) and every
//!   other body gets the same reply.

use std::sync::OnceLock;

use super::fixed_key::FixedRsaKey;
use keypairs::api::{
    self, Context, CreateKeypairRequest, Fault, KeySource, KeypairType, Microversion, Reply,
};
use keypairs::{Error, GeneratedKey};

/// The fixed key, generated once per process from a seeded RNG, and the key with Nova's
/// comment, as a create gives it.
fn fixed() -> &'static (FixedRsaKey, GeneratedKey) {
    static KEY: OnceLock<(FixedRsaKey, GeneratedKey)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = FixedRsaKey::new(0x6170_695f_7265_7175);
        let nova =
            GeneratedKey::from_pkcs1_pem(&key.pem, "Generated-by-Nova").expect("the PEM reloads");
        (key, nova)
    })
}

/// A key source that hands out the fixed key with the asked comment each time (in fuzz builds
/// a copy of the key, elsewhere a reload of its PEM).
struct FixedKey;

impl KeySource for FixedKey {
    fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error> {
        assert_eq!(bits, 2048, "the API asks for 2048 bits");
        fixed().0.with_comment(comment)
    }

    /// Fixed bytes, so that an x509 create gives the same certificate and bundle every time.
    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
        out.fill(0x5a);
        Ok(())
    }
}

/// The time x509 creates are made at (fixed, for comparable replies).
fn context(mv: Microversion) -> Context<'static> {
    Context::new("caller", mv)
        .with_now(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600))
}

/// An RNG that never gives a byte: generation fails at once with `Error::Crypto`.
struct NoRng;

/// The error of [`NoRng`].
#[derive(Debug)]
struct NoBytes;

impl core::fmt::Display for NoBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("no random bytes in the fuzz harness")
    }
}

impl core::error::Error for NoBytes {}

impl rand_core::TryRng for NoRng {
    type Error = NoBytes;
    fn try_next_u32(&mut self) -> Result<u32, NoBytes> {
        Err(NoBytes)
    }
    fn try_next_u64(&mut self) -> Result<u64, NoBytes> {
        Err(NoBytes)
    }
    fn try_fill_bytes(&mut self, _dst: &mut [u8]) -> Result<(), NoBytes> {
        Err(NoBytes)
    }
}

impl rand_core::TryCryptoRng for NoRng {}

/// The store: only `taken` exists (for every user).
fn name_taken(_user: &str, name: &str) -> bool {
    name == "taken"
}

/// The microversions every body is sent at (the edges of the schema's ranges).
const VERSIONS: [u32; 6] = [1, 2, 9, 10, 91, 92];

/// Runs every invariant on one input, at the microversion it picks (or all six): the fuzz
/// target's entry.
///
/// # Panics
/// On a breach, with a message naming the invariant: that is how the fuzzer sees it.
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub(crate) fn check(data: &[u8]) {
    let (body, version) = decode(data);
    match version {
        Some(v) => check_body(&body, &[VERSIONS[usize::from(v) % VERSIONS.len()]]),
        None => check_body(&body, &VERSIONS),
    }
}

/// [`check`], with the body sent at all six microversions whatever the input picks: the
/// replay test's way through the committed seeds.
///
/// # Panics
/// As [`check`].
#[cfg_attr(fuzzing, allow(dead_code))]
pub(crate) fn check_every_version(data: &[u8]) {
    check_body(&decode(data).0, &VERSIONS);
}

/// The body an input stands for and the microversion byte it picks (none: all six).
fn decode(data: &[u8]) -> (std::borrow::Cow<'_, [u8]>, Option<u8>) {
    match data {
        [STRUCTURED, version, rest @ ..] => (structured_body(rest).into(), Some(*version)),
        [ONE_VERSION, version, rest @ ..] => (rest.into(), Some(*version)),
        _ => (data.into(), None),
    }
}

/// Every invariant on one body, at each of `versions`.
fn check_body(data: &[u8], versions: &[u32]) {
    for (i, &minor) in versions.iter().enumerate() {
        let mv = Microversion::new(minor).expect("a supported microversion");
        let (reply, generated, parsed) = check_at(data, mv);
        if i == 0 {
            check_failing_source(parsed.as_ref(), mv, &reply, generated);
        }
    }
}

/// With a key source that fails, the reply is the working source's (`working`, which `generated`
/// a key or not), except that a create is a 500 carrying the source's error. The body is not
/// parsed again ([`check_at`] did), and a body `parse_body` refuses never reaches the key source.
fn check_failing_source(
    parsed: Result<&CreateKeypairRequest, &Fault>,
    mv: Microversion,
    working: &Reply,
    generated: bool,
) {
    let Ok(request) = parsed else {
        assert!(!generated, "a refused body generated a key");
        return;
    };
    let ctx = context(mv);
    let failing = api::create_or_import(request, &ctx, &name_taken, &mut NoRng);
    if generated {
        let fault = failing.expect_err("a create without randomness succeeded");
        assert_eq!(fault.status(), 500, "failing source: status");
        assert_eq!(fault.error(), Some(&Error::Crypto), "failing source: error");
    } else {
        let failing = Reply::from(failing);
        assert_eq!(working.status, failing.status, "failing source: status");
        assert_eq!(working.body, failing.body, "failing source: body");
    }
}

/// Every invariant at one microversion; gives the reply, whether a key was generated and what
/// `parse_body` made of the body.
fn check_at(body: &[u8], mv: Microversion) -> (Reply, bool, Result<CreateKeypairRequest, Fault>) {
    let ctx = context(mv);
    let parsed = api::parse_body(body, &ctx);
    if let Ok(request) = &parsed {
        let json = serde_json::to_vec(request).expect("a request serializes");
        let reparsed = api::parse_body(&json, &ctx);
        assert_eq!(
            reparsed.as_ref().ok(),
            Some(request),
            "request JSON round trip"
        );
    }
    let outcome = serve(&parsed, &ctx);

    // handle = parse_body + create_or_import, checked by the replay test on every committed
    // input at every microversion. Fuzz builds leave it out: it parsed and served each body a
    // second time (a third of each input's work) to check two lines of glue.
    #[cfg(not(fuzzing))]
    {
        let handled = Reply::from(api::handle(body, &ctx, &name_taken, &mut FixedKey));
        let composed = Reply::from(serve(&parsed, &ctx));
        assert_eq!(handled.status, composed.status, "handle: status");
        assert_eq!(handled.body, composed.body, "handle: body");
    }

    let generated = outcome.as_ref().is_ok_and(api::Created::is_generated);
    match &outcome {
        Ok(created) => {
            let request = parsed.as_ref().expect("a success has a parsed body");
            check_created(request, created, &ctx);
        }
        Err(fault) => {
            let status = fault.status();
            if status == 409 {
                let request = parsed.as_ref().expect("a conflict has a parsed body");
                assert_eq!(stored_name(request), "taken", "409 for a free name");
            }
            // Nova's openssl fails on a CN over 64 characters: its only 500.
            if !matches!(fault.error(), Some(Error::X509SubjectTooLong { .. })) {
                assert_ne!(status, 500, "a 500 with a working key source");
            }
        }
    }

    // The reply is JSON of the documented shape.
    let status = outcome.as_ref().map_or_else(|f| f.status(), |c| c.status());
    let fault_key = outcome
        .as_ref()
        .err()
        .map(|f| (f.fault_key(), f.message().to_owned()));
    let reply = Reply::from(outcome);
    assert_eq!(reply.status, status, "reply status");
    let value: serde_json::Value =
        serde_json::from_str(&reply.body).expect("the reply body is JSON");
    let object = value.as_object().expect("the reply body is an object");
    if status == 413 {
        // oslo.middleware's webob body, not Nova's envelope.
        assert_eq!(
            reply.body.as_str(),
            Fault::body_too_large(0, 0).to_json(),
            "413 body"
        );
        return (reply, generated, parsed);
    }
    assert_eq!(object.len(), 1, "one top-level key");
    if let Some((key, message)) = fault_key {
        assert!(
            matches!(status, 400 | 403 | 406 | 409 | 413 | 500),
            "fault status {status}"
        );
        let inner = object.get(key).expect("the fault key");
        assert_eq!(
            inner.get("code").and_then(serde_json::Value::as_u64),
            Some(u64::from(status))
        );
        assert_eq!(
            inner.get("message").and_then(serde_json::Value::as_str),
            Some(message.as_str())
        );
    } else {
        assert!(
            object.contains_key("keypair"),
            "a success is {{\"keypair\": ...}}"
        );
    }
    (reply, generated, parsed)
}

/// `create_or_import` with the working key source on what `parse_body` made of a body: what
/// `handle` gives for that body.
fn serve(
    parsed: &Result<CreateKeypairRequest, Fault>,
    ctx: &Context<'_>,
) -> Result<api::Created, Fault> {
    match parsed {
        Ok(request) => api::create_or_import(request, ctx, &name_taken, &mut FixedKey),
        Err(fault) => Err(fault.clone()),
    }
}

/// The name Nova stores: the request's, without one trailing newline (`normalize_name`).
fn stored_name(request: &CreateKeypairRequest) -> &str {
    let name = request.keypair.name.as_str();
    name.strip_suffix('\n').unwrap_or(name)
}

fn check_created(request: &CreateKeypairRequest, created: &api::Created, ctx: &Context<'_>) {
    let expected_status = if ctx.microversion >= Microversion::V2_2 {
        201
    } else {
        200
    };
    assert_eq!(created.status(), expected_status, "success status");
    let kp = &created.response().keypair;
    assert_eq!(kp.name, stored_name(request), "name");
    let owner = request
        .keypair
        .user_id
        .as_deref()
        .filter(|u| !u.is_empty())
        .unwrap_or(ctx.user_id);
    assert_eq!(kp.user_id, owner, "owner");
    assert_eq!(
        kp.key_type.is_some(),
        ctx.microversion >= Microversion::V2_2,
        "type field presence"
    );
    let Some(given) = request.keypair.public_key.as_deref() else {
        check_generated(request, created, ctx);
        return;
    };
    assert!(!created.is_generated(), "an import generated a key");
    assert_eq!(
        kp.public_key, given,
        "the public key is not echoed verbatim"
    );
    assert!(kp.private_key.is_none(), "an import returned a private key");
    match request.keypair.key_type.unwrap_or_default() {
        KeypairType::Ssh => {
            let key = keypairs::parse_public_key_with(given.as_bytes(), &ctx.policy)
                .expect("an accepted SSH key parses");
            // Nova's MD5: of the whole blob (for a certificate, the certificate's).
            assert_eq!(
                kp.fingerprint,
                keypairs::Md5Fingerprint::of_blob(key.blob()).to_string(),
                "MD5 fingerprint"
            );
            assert_eq!(created.public_key(), Some(&key), "the parsed key");
        }
        KeypairType::X509 => {
            assert_eq!(kp.fingerprint.len(), 59, "SHA-1 colon-hex length");
            assert!(
                created.public_key().is_none(),
                "a certificate has no SSH key"
            );
        }
    }
}

/// A create: the fixed key, with Nova's comment, its fingerprint and its private key.
fn check_generated(request: &CreateKeypairRequest, created: &api::Created, ctx: &Context<'_>) {
    assert!(
        ctx.microversion < Microversion::V2_92,
        "a create from 2.92 on"
    );
    assert!(created.is_generated(), "a create without a private key");
    let kp = &created.response().keypair;
    if request.keypair.key_type == Some(KeypairType::X509) {
        // A certificate that imports back with the same SHA-1, and a PKCS#12 bundle.
        assert!(
            created.public_key().is_none(),
            "an x509 create has no SSH key"
        );
        let import = CreateKeypairRequest::import("x", &kp.public_key).with_type(KeypairType::X509);
        let imported = api::create_or_import(&import, ctx, &name_taken, &mut FixedKey)
            .expect("the created certificate imports");
        assert_eq!(imported.response().keypair.fingerprint, kp.fingerprint);
        let private = kp.private_key.as_ref().expect("a PKCS#12 bundle");
        assert!(
            private.secret_pem().starts_with("MII"),
            "base64 of a DER PFX"
        );
        return;
    }
    let expected = &fixed().1;
    assert_eq!(
        kp.public_key,
        expected.public_line(),
        "the created public key"
    );
    assert_eq!(
        kp.fingerprint,
        expected.md5_fingerprint().to_string(),
        "the created key's fingerprint"
    );
    assert_eq!(
        created.public_key(),
        Some(expected.public_key()),
        "the created parsed key"
    );
    // The fixed PEM reloads to the fixed key (checked once, in `FixedRsaKey::new`).
    let private = kp.private_key.as_ref().expect("a private key");
    assert_eq!(
        private.secret_pem(),
        fixed().0.pem.as_str(),
        "the private key is not the fixed key's PKCS#1 PEM"
    );
}

/// First byte of a structured input.
const STRUCTURED: u8 = 0x01;

/// First byte of a body sent at one microversion.
const ONE_VERSION: u8 = 0x02;

/// Key lines the structured bodies start from (tests/data/keys/).
const KEYS: [&str; 6] = [
    include_str!("../../tests/data/keys/ed25519.pub"),
    include_str!("../../tests/data/keys/ecdsa256.pub"),
    include_str!("../../tests/data/keys/rsa2048.pub"),
    include_str!("../../tests/data/keys/dsa1024.pub"),
    include_str!("../../tests/data/keys/ed25519-by-ed25519-cert.pub"),
    include_str!("../../tests/data/keys/sk_ed25519.pub"),
];

/// The fuzzer's bytes, consumed one decision at a time (zeros once they run out). Written out
/// instead of `arbitrary` so that the replay test, in the main crate, needs no new dependency.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        let v = (usize::from(self.byte()) << 8) | usize::from(self.byte());
        v % n.max(1)
    }

    /// Up to `max` bytes as text (invalid UTF-8 replaced: the body is JSON).
    fn text(&mut self, max: usize) -> String {
        let n = self.below(max.saturating_add(1)).min(self.0.len());
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(s).into_owned()
    }
}

/// A request body built from `data` (see the module docs).
fn structured_body(data: &[u8]) -> Vec<u8> {
    let mut c = Choices(data);
    let mut keypair = serde_json::Map::new();
    let name = match c.byte() % 6 {
        0 => "k1".to_owned(),
        1 => "taken".to_owned(),
        2 => "a-b_c.d@e f".to_owned(),
        3 => "k1\n".to_owned(),
        4 => "n".repeat(c.below(300)),
        _ => c.text(80),
    };
    keypair.insert("name".into(), name.into());
    // Creates are rare (one in 32): each reloads the fixed key, an x509 create also signs and
    // runs PBKDF2, which would take most of the time.
    match c.byte() % 32 {
        0 => {} // no public key: a create (below 2.92)
        1..=3 => {
            keypair.insert("public_key".into(), c.text(300).into());
        }
        _ => {
            let mut key = KEYS[c.below(KEYS.len())].trim_end().to_owned().into_bytes();
            for _ in 0..c.byte() % 4 {
                let at = c.below(key.len().saturating_add(1));
                match c.byte() % 5 {
                    0 => key.truncate(at),
                    1 => {
                        if let Some(b) = key.get_mut(at) {
                            *b = c.byte();
                        }
                    }
                    2 => {
                        let text = c.text(16);
                        key.splice(at..at, text.into_bytes());
                    }
                    3 => {
                        key.push(b' ');
                        key.extend(c.text(64).into_bytes());
                    }
                    _ => key.insert(at.min(key.len()), b' '),
                }
            }
            let key = String::from_utf8_lossy(&key).into_owned();
            keypair.insert("public_key".into(), key.into());
        }
    }
    match c.byte() % 5 {
        0 | 1 => {}
        2 => {
            keypair.insert("type".into(), "ssh".into());
        }
        3 => {
            keypair.insert("type".into(), "x509".into());
        }
        _ => {
            keypair.insert("type".into(), c.text(8).into());
        }
    }
    if c.byte() % 4 == 0 {
        keypair.insert("user_id".into(), c.text(80).into());
    }
    if c.byte() % 8 == 0 {
        keypair.insert(c.text(8), 1.into());
    }
    let body = serde_json::json!({ "keypair": keypair });
    serde_json::to_vec(&body).unwrap_or_default()
}
