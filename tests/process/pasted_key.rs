//! A private key pasted into a request leaves no copy in freed memory: for each kind of private
//! key that tests/api/api_redaction.rs pastes (PEM, OpenSSH, PuTTY, an OpenSSH body without its
//! armour), requests that carry it in `public_key` (ssh and x509 imports, both refused), in
//! `user_id` (accepted: the key pair's owner, echoed in the response), as the name, as an
//! unknown field's value and as an object key (schema errors, redacted) go through
//! `api::handle` and through `api::parse_body` + `api::create_or_import`, and their results are
//! dropped, while the watcher (tests/process/watch.rs) scans every block freed (and the old block
//! of every reallocation) for the key's text.
//!
//! The needles are 16-byte chunks, every 16 bytes, of each secret line of the key (its base64
//! and PuTTY lines): any freed copy of 31 or more consecutive bytes of a line holds one. A JSON
//! body carries the key's lines verbatim, with `\n` escapes between them, so the escaped path
//! (serde_json's scratch buffer, which it grows and frees unwiped) and the borrowed path (a
//! string without escapes) are both exercised.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::{data, watch};

use keypairs::api::{self, Context, Microversion};
use rand_core::SeedableRng as _;
use serde_json::json;

const ED25519: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";

/// 16-byte chunks, every 16 bytes, of the key's secret lines (16 characters or more, not armour,
/// not a PuTTY `Header: value` line), less those that the public key the requests import holds
/// too (every Ed25519 blob starts with the same bytes; the response echoes that key).
fn chunks(key: &str) -> Vec<Vec<u8>> {
    key.lines()
        .map(str::trim)
        .filter(|l| l.len() >= 16 && !l.starts_with("-----") && !l.contains(": "))
        .flat_map(|l| {
            l.as_bytes()
                .windows(16)
                .step_by(16)
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .filter(|c| !ED25519.as_bytes().windows(16).any(|w| w == c.as_slice()))
        .collect()
}

/// The requests that carry `key`, with their microversion and the status `handle` answers.
fn requests(key: &str) -> Vec<(&'static str, Vec<u8>, Microversion, u16)> {
    let mv = |minor| Microversion::new(minor).unwrap();
    let mut as_object_key = serde_json::Map::new();
    as_object_key.insert("name".into(), "n".into());
    as_object_key.insert(key.into(), 1.into());
    let bodies = [
        (
            "public_key (ssh import)",
            json!({"keypair": {"name": "n", "public_key": key}}),
            mv(1),
            400,
        ),
        (
            "public_key (x509 import)",
            json!({"keypair": {"name": "n", "type": "x509", "public_key": key}}),
            mv(2),
            400,
        ),
        (
            "user_id (accepted, echoed)",
            json!({"keypair": {"name": "n", "public_key": ED25519, "user_id": key}}),
            mv(10),
            201,
        ),
        ("name", json!({"keypair": {"name": key}}), mv(1), 400),
        (
            "an unknown field's value",
            json!({"keypair": {"name": "n", "public_key": ED25519, "extra": key}}),
            mv(1),
            400,
        ),
        (
            "an object key",
            json!({ "keypair": as_object_key }),
            mv(1),
            400,
        ),
    ];
    bodies
        .into_iter()
        .map(|(what, body, mv, status)| (what, serde_json::to_vec(&body).unwrap(), mv, status))
        .collect()
}

/// Serves `body` both ways and drops everything the API returned; the statuses.
fn serve(body: &[u8], mv: Microversion) -> (u16, u16) {
    let ctx = Context::new("caller", mv);
    let free = |_: &str, _: &str| false;
    let mut rng = rand_chacha::ChaCha8Rng::from_seed([5; 32]);
    let one = api::Reply::from(api::handle(body, &ctx, &free, &mut rng)).status;
    let two = match api::parse_body(body, &ctx) {
        Ok(request) => {
            api::Reply::from(api::create_or_import(&request, &ctx, &free, &mut rng)).status
        }
        Err(fault) => fault.status(),
    };
    (one, two)
}

pub(crate) fn a_pasted_private_key_leaves_no_copy_in_freed_memory() {
    // The watcher sees a copy freed unwiped (its own check).
    let line = b"0123456789abcdefghijklmnopqrstuv".to_vec();
    let needle = &line[..16];
    let seen = watch::watch(&[needle], || drop(line.clone()));
    assert_eq!(seen.hits, [1], "the watcher misses a freed copy");

    let mut requests_served = 0;
    let mut scanned = 0;
    let mut leaks = Vec::new();
    for (file, key) in data::pasted_keys() {
        let needles = chunks(&key);
        assert!(needles.len() >= 4, "{file}: {} chunks", needles.len());
        for (what, body, mv, status) in requests(&key) {
            // At most 128 needles a watch: the chunks in groups.
            for group in needles.chunks(128) {
                let group: Vec<&[u8]> = group.iter().map(Vec::as_slice).collect();
                let mut statuses = (0, 0);
                let seen = watch::watch(&group, || statuses = serve(&body, mv));
                assert_eq!(statuses, (status, status), "{file} as {what}: status");
                let held = seen.hits.iter().filter(|&&h| h > 0).count();
                if held > 0 {
                    let blocks = seen.hits.iter().max().unwrap_or(&0);
                    leaks.push(format!(
                        "{file} as {what}: {held} of {} chunks in freed blocks (up to {blocks} \
                         blocks each, {} scanned)",
                        group.len(),
                        seen.scanned
                    ));
                }
                assert!(seen.scanned > 0, "{file} as {what}: nothing freed");
                scanned += seen.scanned;
                requests_served += 2;
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "a pasted key left copies in freed memory:\n{}",
        leaks.join("\n")
    );
    note!(
        "pasted private keys: {requests_served} requests served, {scanned} freed blocks scanned, no line of a key left behind"
    );
}
