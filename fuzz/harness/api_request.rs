//! Invariants of the API entry point on arbitrary request bodies. Shared by the fuzz target
//! (`fuzz_targets/api_request.rs`) and the corpus replay test (`tests/fuzz_corpus.rs`).
//!
//! Each input is one body, sent at microversions 2.1, 2.2, 2.9, 2.10, 2.91 and 2.92 through
//! `api::handle` with a store in which only the name `taken` exists. No key is ever generated:
//! the RNG refuses to give bytes, so a create request that gets as far as generation ends in a
//! 500 with `Error::Crypto`, after the schema, policy and name checks ran.
//!
//! - `handle` = `parse_body` then `create_or_import` (same outcome), and the typed request
//!   survives a JSON round trip (`serde_json` out, `parse_body` in).
//! - The reply is JSON: a fault is `{"<key>": {"code": <status>, "message": ...}}`.
//! - Success is an import: status 200 below 2.2, 201 from 2.2; the public key echoed verbatim;
//!   an SSH key's fingerprint is the import parser's MD5 of it; no private key.
//! - 409 only for the name `taken`; 500 only for a create.

use keypairs::api::{self, Context, CreateKeypairRequest, KeypairType, Microversion, Reply};

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

/// Runs every invariant on one body.
///
/// # Panics
/// On a breach, with a message naming the invariant: that is how the fuzzer and the replay test
/// see it.
pub fn check(data: &[u8]) {
    for minor in VERSIONS {
        let mv = Microversion::new(minor).expect("a supported microversion");
        check_at(data, mv);
    }
}

fn check_at(body: &[u8], mv: Microversion) {
    let ctx = Context::new("caller", mv);
    let outcome = api::handle(body, &ctx, &name_taken, &mut NoRng);

    // handle = parse_body + create_or_import.
    let parsed = api::parse_body(body, &ctx);
    match &parsed {
        Err(fault) => assert_eq!(outcome.as_ref().err(), Some(fault), "handle vs parse_body"),
        Ok(request) => {
            let again = Reply::from(api::create_or_import(
                request,
                &ctx,
                &name_taken,
                &mut NoRng,
            ));
            let direct = Reply::from(api::handle(body, &ctx, &name_taken, &mut NoRng));
            assert_eq!(
                again.status, direct.status,
                "handle vs create_or_import: status"
            );
            assert_eq!(again.body, direct.body, "handle vs create_or_import: body");
            let json = serde_json::to_vec(request).expect("a request serializes");
            let reparsed = api::parse_body(&json, &ctx);
            assert_eq!(
                reparsed.as_ref().ok(),
                Some(request),
                "request JSON round trip"
            );
        }
    }

    match &outcome {
        Ok(created) => {
            let request = parsed.as_ref().expect("a success has a parsed body");
            check_created(request, created, &ctx);
        }
        Err(fault) => {
            let status = fault.status();
            if status == 409 {
                let request = parsed.as_ref().expect("a conflict has a parsed body");
                assert_eq!(request.keypair.name, "taken", "409 for a free name");
            }
            if status == 500 {
                let request = parsed.as_ref().expect("a 500 has a parsed body");
                assert!(request.keypair.public_key.is_none(), "500 on an import");
                assert_eq!(
                    fault.error(),
                    Some(&keypairs::Error::Crypto),
                    "500 not from the RNG"
                );
            }
            if fault.error().is_some_and(|e| *e == keypairs::Error::Crypto) {
                assert_eq!(status, 500, "RNG failure without a 500");
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
}

fn check_created(request: &CreateKeypairRequest, created: &api::Created, ctx: &Context<'_>) {
    let expected_status = if ctx.microversion >= Microversion::V2_2 {
        201
    } else {
        200
    };
    assert_eq!(created.status(), expected_status, "success status");
    assert!(
        !created.is_generated(),
        "a key was generated without randomness"
    );
    let kp = &created.response().keypair;
    let given = request
        .keypair
        .public_key
        .as_deref()
        .expect("a success is an import");
    assert_eq!(
        kp.public_key, given,
        "the public key is not echoed verbatim"
    );
    assert_eq!(kp.name, request.keypair.name, "name");
    assert!(kp.private_key.is_none(), "an import returned a private key");
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
    match request.keypair.key_type.unwrap_or_default() {
        KeypairType::Ssh => {
            let key = keypairs::parse_public_key_with(given.as_bytes(), &ctx.policy)
                .expect("an accepted SSH key parses");
            assert_eq!(
                kp.fingerprint,
                key.md5_fingerprint().to_string(),
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
