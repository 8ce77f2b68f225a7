//! Nova's request schema for `POST /os-keypairs`, checked in the order Nova's `jsonschema`
//! validator checks it, so the first error, and so the message, is the one Nova reports.
//!
//! The validator walks each schema's keywords in their written order (`type`, `properties`,
//! `required`, `additionalProperties`), the properties in their written order (`name`, `type`,
//! `public_key`, `user_id`), and stops at the first error. Messages are `jsonschema`'s (4.23 and
//! later) wrapped as Nova wraps them: `Invalid input for field/attribute <last path element>.
//! Value: <str(instance)>. <message>`, or the bare message at the top level.
//!
//! One deliberate difference: a string that holds a private key (a pasted `-----BEGIN ...
//! PRIVATE KEY-----` block, an OpenSSH or PuTTY private key) is never echoed. Wherever Nova's
//! message would quote it, as a value, inside a value, or as an object key, the string
//! [`REDACTED_PRIVATE_KEY`] stands in its place; the rest of the message is Nova's.

use super::Microversion;
use super::json::{Json, Object, Text, py_repr_str};

/// What a validation message shows instead of a string that holds a private key.
pub const REDACTED_PRIVATE_KEY: &str = "[private key redacted]";

/// Whether `s` holds a private key, or a telling part of one: a PEM or RFC 4716 private-key
/// armour line (`-----BEGIN RSA PRIVATE KEY-----`, `-----BEGIN OPENSSH PRIVATE KEY-----`,
/// `-----BEGIN ENCRYPTED PRIVATE KEY-----`, `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`), a PuTTY
/// key file (`PuTTY-User-Key-File-2/3`, `Private-Lines:`), or the base64 body of an OpenSSH
/// private key without its armour (`openssh-key-v1\0` encoded: `b3BlbnNzaC1rZXktdjE`).
pub(crate) fn holds_private_key(s: &str) -> bool {
    const MARKERS: [&str; 5] = [
        "PRIVATE KEY",
        "PuTTY-User-Key-File-",
        "Private-Lines:",
        "Private-MAC:",
        "b3BlbnNzaC1rZXktdjE",
    ];
    MARKERS.iter().any(|m| s.contains(m))
}

/// `value` with every string (and object key) that holds a private key replaced by
/// [`REDACTED_PRIVATE_KEY`]; the same value otherwise.
fn redacted(value: &Json) -> Json {
    match value {
        Json::Str(s) if holds_private_key(s) => Json::Str(Text::from(REDACTED_PRIVATE_KEY)),
        Json::Array(items) => Json::Array(items.iter().map(redacted).collect()),
        Json::Object(obj) => {
            let mut out = Object::default();
            for (k, v) in obj.entries() {
                out.push(redacted_str(k), redacted(v));
            }
            Json::Object(out)
        }
        other => other.clone(),
    }
}

fn redacted_str(s: &str) -> &str {
    if holds_private_key(s) {
        REDACTED_PRIVATE_KEY
    } else {
        s
    }
}

/// Nova's message for the first name rule `name` breaks, with a name that holds a private key
/// redacted where the message quotes it.
pub(crate) fn name_error(name: &str, microversion: Microversion) -> Option<String> {
    super::name::name_error(name, redacted_str(name), microversion)
}

/// Checks a request body against the schema of `microversion`; `Err` is Nova's message.
pub(crate) fn validate(body: &Json, microversion: Microversion) -> Result<(), String> {
    let Some(top) = body.as_object() else {
        return Err(format!(
            "{} is not of type 'object'",
            redacted(body).py_repr()
        ));
    };
    if let Some(keypair) = top.get("keypair") {
        validate_keypair(keypair, microversion)?;
    } else {
        return Err("'keypair' is a required property".to_owned());
    }
    additional(top, &["keypair"]).map_or(Ok(()), Err)
}

fn validate_keypair(keypair: &Json, mv: Microversion) -> Result<(), String> {
    // The redacted copy is made only for a message (a valid body never needs one).
    let at = |message: String| {
        format!(
            "Invalid input for field/attribute keypair. Value: {}. {message}",
            redacted(keypair).py_str()
        )
    };
    let Some(obj) = keypair.as_object() else {
        return Err(at(format!(
            "{} is not of type 'object'",
            redacted(keypair).py_repr()
        )));
    };
    let allowed = allowed_fields(mv);
    // `properties`, in schema order.
    for &field in allowed {
        let Some(value) = obj.get(field) else {
            continue;
        };
        let Some(text) = value.as_str() else {
            return Err(field_error(
                field,
                value,
                &format!("{} is not of type 'string'", redacted(value).py_repr()),
            ));
        };
        match field {
            "name" => {
                if let Some(message) = name_error(text, mv) {
                    return Err(message);
                }
            }
            "type" if text != "ssh" && text != "x509" => {
                return Err(field_error(
                    field,
                    value,
                    &format!(
                        "{} is not one of ['ssh', 'x509']",
                        py_repr_str(redacted_str(text))
                    ),
                ));
            }
            _ => {}
        }
    }
    // `required`.
    let required: &[&str] = if mv >= Microversion::V2_92 {
        &["name", "public_key"]
    } else {
        &["name"]
    };
    if let Some(missing) = required.iter().find(|f| !obj.contains(f)) {
        return Err(at(format!("'{missing}' is a required property")));
    }
    // `additionalProperties: false`.
    additional(obj, allowed).map_or(Ok(()), |m| Err(at(m)))
}

/// The `keypair` properties of each microversion's schema, in schema order.
pub(crate) const fn allowed_fields(mv: Microversion) -> &'static [&'static str] {
    if mv.minor() >= 10 {
        &["name", "type", "public_key", "user_id"]
    } else if mv.minor() >= 2 {
        &["name", "type", "public_key"]
    } else {
        &["name", "public_key"]
    }
}

fn field_error(field: &str, value: &Json, message: &str) -> String {
    format!(
        "Invalid input for field/attribute {field}. Value: {}. {message}",
        redacted(value).py_str()
    )
}

/// `jsonschema`'s `additionalProperties: false` message: the extra keys sorted, each as `repr`.
fn additional(obj: &Object, allowed: &[&str]) -> Option<String> {
    let mut extras: Vec<&str> = obj.keys().filter(|k| !allowed.contains(k)).collect();
    if extras.is_empty() {
        return None;
    }
    extras.sort_unstable();
    let verb = if extras.len() == 1 { "was" } else { "were" };
    let list: Vec<String> = extras
        .iter()
        .map(|k| py_repr_str(redacted_str(k)))
        .collect();
    Some(format!(
        "Additional properties are not allowed ({} {verb} unexpected)",
        list.join(", ")
    ))
}
