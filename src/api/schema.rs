//! Nova's request schema for `POST /os-keypairs`, checked in the order Nova's `jsonschema`
//! validator checks it, so the first error, and so the message, is the one Nova reports.
//!
//! The validator walks each schema's keywords in their written order (`type`, `properties`,
//! `required`, `additionalProperties`), the properties in their written order (`name`, `type`,
//! `public_key`, `user_id`), and stops at the first error. Messages are `jsonschema`'s (4.23 and
//! later) wrapped as Nova wraps them: `Invalid input for field/attribute <last path element>.
//! Value: <str(instance)>. <message>`, or the bare message at the top level.

use super::Microversion;
use super::json::{Json, Object, py_repr_str};
use super::name::name_error;

/// Checks a request body against the schema of `microversion`; `Err` is Nova's message.
pub(crate) fn validate(body: &Json, microversion: Microversion) -> Result<(), String> {
    let Some(top) = body.as_object() else {
        return Err(format!("{} is not of type 'object'", body.py_repr()));
    };
    if let Some(keypair) = top.get("keypair") {
        validate_keypair(keypair, microversion)?;
    } else {
        return Err("'keypair' is a required property".to_owned());
    }
    additional(top, &["keypair"]).map_or(Ok(()), Err)
}

fn validate_keypair(keypair: &Json, mv: Microversion) -> Result<(), String> {
    let at = |message: String| {
        format!(
            "Invalid input for field/attribute keypair. Value: {}. {message}",
            keypair.py_str()
        )
    };
    let Some(obj) = keypair.as_object() else {
        return Err(at(format!("{} is not of type 'object'", keypair.py_repr())));
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
                &format!("{} is not of type 'string'", value.py_repr()),
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
                    &format!("{} is not one of ['ssh', 'x509']", py_repr_str(text)),
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
        value.py_str()
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
    let list: Vec<String> = extras.iter().map(|k| py_repr_str(k)).collect();
    Some(format!(
        "Additional properties are not allowed ({} {verb} unexpected)",
        list.join(", ")
    ))
}
