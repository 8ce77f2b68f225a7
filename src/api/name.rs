//! Key pair names: Nova's schema for `keypair.name`, per microversion, with its exact messages.
//!
//! From 2.1 on the name schema is `allOf` of two parts, checked in this order (the first failure
//! is the one reported, as Nova's validator reports it):
//! 1. `parameter_types.name`: a string, then `format: name` (every character printable: Unicode
//!    categories other than C* and Zl/Zp, spaces Zs are printable, and in the Basic
//!    Multilingual Plane below U+FFFF, as Nova builds its character class from `range(0xFFFF)`;
//!    no Zs space at either end), then `minLength` 1, then `maxLength` 255 (Python `len`, i.e.
//!    code points);
//! 2. the pattern `^[_\- a-zA-Z0-9]+$` (2.1-2.91) or `^[_\-\@\. a-zA-Z0-9]+$` (2.92+).
//!
//! Python's `$` also matches before a final `\n`, so both regexes accept a name with one
//! trailing newline (`"key\n"`), which Nova's `common.normalize_name` then strips: the key pair
//! is called `key`. So here too ([`normalize`]); every other control character, and a second
//! newline, still breaks the format.

use unicode_general_category::{GeneralCategory, get_general_category};

use super::Microversion;
use super::json::{is_unprintable_category, py_repr_str};

/// Longest name, in characters (`name` is VARCHAR(255) in Nova's database).
pub const MAX_NAME_LEN: usize = 255;

/// Nova's pattern for 2.1-2.91, as Python's `repr` shows it in the message.
const PATTERN_V21_REPR: &str = r"'^[_\\- a-zA-Z0-9]+$'";
/// Nova's pattern for 2.92 and later, as Python's `repr` shows it in the message.
const PATTERN_V292_REPR: &str = r"'^[_\\-\\@\\. a-zA-Z0-9]+$'";

/// The text of Nova's `InvalidName` for the `name` format.
pub(crate) const INVALID_NAME_MESSAGE: &str = "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.";

/// Checks a key pair name against the rules of `microversion` and returns Nova's message for
/// the first rule it breaks: format, minLength, maxLength, pattern. The message quotes `shown`
/// where Nova's quotes the name (the name itself, or a stand-in for a name that must not be
/// echoed: the message is then never built with the name in it).
pub(crate) fn name_error(name: &str, shown: &str, microversion: Microversion) -> Option<String> {
    if !nova_format_ok(name) {
        return Some(INVALID_NAME_MESSAGE.to_owned());
    }
    let len = name.chars().count();
    let detail = if len == 0 {
        format!("{} should be non-empty", py_repr_str(shown))
    } else if len > MAX_NAME_LEN {
        format!("{} is too long", py_repr_str(shown))
    } else if !pattern_ok(name, microversion) {
        let pattern = if microversion >= Microversion::V2_92 {
            PATTERN_V292_REPR
        } else {
            PATTERN_V21_REPR
        };
        format!("{} does not match {pattern}", py_repr_str(shown))
    } else {
        return None;
    };
    Some(format!(
        "Invalid input for field/attribute name. Value: {shown}. {detail}"
    ))
}

/// The name Nova stores for a valid name: `name.strip()` (`common.normalize_name`), which for
/// a name that passed the schema only removes one trailing `\n`.
pub(crate) fn normalize(name: &str) -> &str {
    name.strip_suffix('\n').unwrap_or(name)
}

/// What Python's `re.search` with `^...$` sees: the name, or the name without one final `\n`
/// (`$` matches before it). `None` for a lone `"\n"`, which no `^(?!...)` or `+` pattern
/// matches.
fn regex_subject(name: &str) -> Option<&str> {
    match name.strip_suffix('\n') {
        Some("") => None,
        Some(rest) => Some(rest),
        None => Some(name),
    }
}

/// Nova's `format: name`: printable BMP characters, no Zs space at either end.
fn nova_format_ok(name: &str) -> bool {
    let Some(name) = regex_subject(name) else {
        return false;
    };
    if !name.chars().all(nova_printable) {
        return false;
    }
    let is_space = |c: Option<char>| {
        c.is_some_and(|c| get_general_category(c) == GeneralCategory::SpaceSeparator)
    };
    !is_space(name.chars().next()) && !is_space(name.chars().next_back())
}

/// A character of Nova's printable class: below U+FFFF, not in a C* category, not Zl or Zp.
fn nova_printable(c: char) -> bool {
    if u32::from(c) >= 0xFFFF {
        return false;
    }
    !is_unprintable_category(get_general_category(c))
}

fn pattern_ok(name: &str, microversion: Microversion) -> bool {
    let Some(name) = regex_subject(name) else {
        return false;
    };
    let extra: &[u8] = if microversion >= Microversion::V2_92 {
        b"@."
    } else {
        b""
    };
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' ') || extra.contains(&b)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_rules() {
        assert!(nova_format_ok("a b"));
        assert!(!nova_format_ok(" a"));
        assert!(!nova_format_ok("a\u{3000}"));
        assert!(!nova_format_ok("a\tb"));
        assert!(nova_format_ok("a\n"));
        assert!(!nova_format_ok("a\n\n"));
        assert!(!nova_format_ok("\n"));
        assert!(!nova_format_ok("a \n"));
        assert!(!nova_format_ok("a\r\n"));
        assert!(nova_format_ok(""));
        assert!(!nova_format_ok("a\u{200b}b"));
        assert!(!nova_format_ok("a😀"));
        assert!(nova_format_ok("é"));
    }
}
