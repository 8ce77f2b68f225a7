//! A private key pasted into a request is never echoed by a schema error: every path of Nova's
//! validation messages, with every kind of private key, shows `api::REDACTED_PRIVATE_KEY` in
//! its place and otherwise Nova's text.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use crate::data;

use keypairs::api::{self, Context, FaultKind, Microversion, REDACTED_PRIVATE_KEY};
use serde_json::json;

/// The secret-bearing lines of a pasted key (its base64 and PuTTY lines, 16 characters or more).
fn secret_lines(key: &str) -> Vec<&str> {
    key.lines()
        .map(str::trim)
        .filter(|l| l.len() >= 16 && !l.starts_with("-----") && !l.contains(": "))
        .collect()
}

/// A request body with `K` standing for the key, and the microversion it is sent at.
struct Case {
    what: &'static str,
    microversion: Microversion,
    body: fn(&str) -> serde_json::Value,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "keypair without name (required, Value: the keypair)",
            microversion: Microversion::V2_1,
            body: |k| json!({"keypair": {"public_key": k}}),
        },
        Case {
            what: "an additional property (Value: the keypair)",
            microversion: Microversion::V2_1,
            body: |k| json!({"keypair": {"name": "n", "public_key": k, "extra": 1}}),
        },
        Case {
            what: "an additional property named by the key",
            microversion: Microversion::V2_1,
            body: |k| {
                let mut kp = serde_json::Map::new();
                kp.insert("name".into(), "n".into());
                kp.insert(k.into(), 1.into());
                json!({ "keypair": kp })
            },
        },
        Case {
            what: "public_key of the wrong type (a list holding the key)",
            microversion: Microversion::V2_1,
            body: |k| json!({"keypair": {"name": "n", "public_key": [k]}}),
        },
        Case {
            what: "name of the wrong type (an object holding the key)",
            microversion: Microversion::V2_1,
            body: |k| json!({"keypair": {"name": {"pasted": k}}}),
        },
        Case {
            what: "the key as type (not one of ['ssh', 'x509'])",
            microversion: Microversion::V2_2,
            body: |k| json!({"keypair": {"name": "n", "type": k, "public_key": "x"}}),
        },
        Case {
            what: "user_id of the wrong type",
            microversion: Microversion::V2_10,
            body: |k| json!({"keypair": {"name": "n", "public_key": "x", "user_id": [k]}}),
        },
        Case {
            what: "2.92 without public_key (Value: the keypair, with the key as user_id)",
            microversion: Microversion::V2_92,
            body: |k| json!({"keypair": {"name": "n", "user_id": k}}),
        },
        Case {
            what: "keypair is the key (not of type 'object')",
            microversion: Microversion::V2_1,
            body: |k| json!({ "keypair": k }),
        },
        Case {
            what: "the body is the key (not of type 'object')",
            microversion: Microversion::V2_1,
            body: |k| json!(k),
        },
        Case {
            what: "the body is a list holding the key",
            microversion: Microversion::V2_1,
            body: |k| json!([k]),
        },
        Case {
            what: "a top-level additional property named by the key",
            microversion: Microversion::V2_1,
            body: |k| {
                let mut top = serde_json::Map::new();
                top.insert("keypair".into(), json!({"name": "n", "public_key": "x"}));
                top.insert(k.into(), 1.into());
                serde_json::Value::Object(top)
            },
        },
    ]
}

/// The 400 message for `body`, as the API answers it.
fn message(body: &serde_json::Value, microversion: Microversion) -> String {
    let ctx = Context::new("u1", microversion);
    let bytes = serde_json::to_vec(body).unwrap();
    let fault = api::parse_body(&bytes, &ctx).expect_err("a schema error");
    assert_eq!(fault.kind(), FaultKind::Validation);
    fault.message().to_owned()
}

fn assert_no_key(text: &str, key: &str, context: &str) {
    assert!(!text.contains("PRIVATE KEY"), "{context}: {text}");
    assert!(!text.contains("PuTTY-User-Key-File"), "{context}: {text}");
    for line in secret_lines(key) {
        assert!(!text.contains(line), "{context}: echoes {line:?}");
    }
}

#[test]
fn every_schema_error_redacts_a_pasted_private_key() {
    let keys = data::pasted_keys();
    let mut checked = 0;
    for case in cases() {
        // Nova's message with the marker as the value: the message with the key must be it.
        let expected = message(&(case.body)(REDACTED_PRIVATE_KEY), case.microversion);
        for (file, key) in &keys {
            let context = format!("{} with {file}", case.what);
            let got = message(&(case.body)(key), case.microversion);
            assert_no_key(&got, key, &context);
            assert_eq!(got, expected, "{context}");
            assert!(got.contains(REDACTED_PRIVATE_KEY), "{context}: {got}");
            checked += 1;
        }
    }
    assert_eq!(checked, cases().len() * keys.len());
}

/// A pasted key as the name: each name rule that quotes the value (too long, pattern) redacts it.
#[test]
fn a_private_key_as_the_name_is_redacted() {
    for (file, key) in data::pasted_keys() {
        for mv in [Microversion::V2_1, Microversion::V2_92] {
            let got = message(&json!({"keypair": {"name": key}}), mv);
            assert_no_key(&got, &key, &file);
            let one_line: String = key.lines().collect::<Vec<_>>().join(" ");
            let got = message(&json!({"keypair": {"name": one_line}}), mv);
            assert_no_key(&got, &key, &file);
            assert!(
                got.starts_with("Invalid input for field/attribute name. Value: "),
                "{got}"
            );
            let fault = api::check_name(&one_line, mv).unwrap_err();
            assert_no_key(fault.message(), &key, &file);
            assert_no_key(&fault.reason(), &key, &file);
        }
    }
}

/// Values without a private key are quoted as Nova quotes them (unchanged).
#[test]
fn other_values_are_still_quoted() {
    let public = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";
    let got = message(
        &json!({"keypair": {"public_key": public}}),
        Microversion::V2_1,
    );
    assert_eq!(
        got,
        format!(
            "Invalid input for field/attribute keypair. Value: {{'public_key': '{public}'}}. \
             'name' is a required property"
        )
    );
    let got = message(
        &json!({"keypair": {"name": "n", "type": "rsa", "public_key": "x"}}),
        Microversion::V2_2,
    );
    assert_eq!(
        got,
        "Invalid input for field/attribute type. Value: rsa. 'rsa' is not one of ['ssh', 'x509']"
    );
}

/// `Fault::reason()` and `Display` (for terminals and logs) escape what the request put in the
/// message; `message()` and the JSON body keep Nova's text.
#[test]
fn fault_reason_and_display_escape_control_characters() {
    let body = br#"{"keypair": {"name": "n", "type": "\u001b[2J\r\nfake: line\u009b\u202e", "public_key": "x"}}"#;
    let ctx = Context::new("u1", Microversion::V2_2);
    let fault = api::parse_body(body, &ctx).unwrap_err();
    assert!(
        fault
            .message()
            .contains("Value: \x1b[2J\r\nfake: line\u{9b}\u{202e}.")
    );
    let shown = [fault.reason(), fault.to_string()];
    for text in &shown {
        for c in ['\x1b', '\r', '\n', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(c), "{text:?}");
        }
        assert!(
            text.contains("Value: \\u{1b}[2J\\r\\nfake: line\\u{9b}\\u{202e}."),
            "{text:?}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&fault.to_json()).unwrap();
    assert_eq!(json["badRequest"]["message"], fault.message());
    assert_eq!(api::escape_controls("plain"), "plain");
}
