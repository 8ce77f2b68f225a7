//! Request-body JSON as Nova sees it: a value tree that keeps object keys in the order Python's
//! `json.loads` gives them, parsed under a size bound, and Python's `str()` / `repr()` of it (the
//! `Value: ...` and `'...' is too long` parts of Nova's validation messages).
//!
//! Python's `json` module and `serde_json` agree on what JSON is, with these differences:
//! - duplicate object keys: Python keeps the **last** value at the position of the **first**
//!   key; so does [`Json`] (a derived serde struct would fail with "duplicate field" instead);
//! - `NaN`, `Infinity` and lone surrogates (`"\ud800"`) are accepted by Python and refused here
//!   (a 400 either way, with another message);
//! - nesting: serde_json stops at depth 128 with an error (Python raises `RecursionError` near
//!   1000); this never overflows the stack.
//!
//! Numbers are read as Python reads them (serde_json's `arbitrary_precision` hands over the
//! digits): integers stay exact at any size (`-0` is `0`), up to Python's 4300-digit limit for
//! `int()` (more is a `ValueError`, so "Malformed request body" in both); numbers with a
//! fraction or an exponent are floats (`1e400` is `inf`).

use core::fmt::Write as _;
use std::collections::HashMap;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use unicode_general_category::{GeneralCategory, get_general_category};

/// A JSON value with object keys in document order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// An integer as Python's `repr` prints it (exact digits, `-0` as `0`).
    Int(String),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Object),
}

/// A JSON object: keys in the order of their first appearance, each with its last value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Object(Vec<(String, Json)>);

impl Object {
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub(crate) fn push(&mut self, key: &str, value: Json) {
        self.0.push((key.to_owned(), value));
    }

    /// The entries, in order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Json {
    pub(crate) const fn as_object(&self) -> Option<&Object> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Python's `str()` of the value: a string as is, anything else as `repr()`.
    pub(crate) fn py_str(&self) -> String {
        match self {
            Self::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python's `repr()` of the value.
    pub(crate) fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("None"),
            Self::Bool(true) => out.push_str("True"),
            Self::Bool(false) => out.push_str("False"),
            Self::Int(digits) => out.push_str(digits),
            Self::Float(f) => out.push_str(&py_float_repr(*f)),
            Self::Str(s) => out.push_str(&py_repr_str(s)),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            Self::Object(obj) => {
                out.push('{');
                for (i, (k, v)) in obj.0.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&py_repr_str(k));
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }
}

/// Parses a request body. The caller has already checked its size.
pub(crate) fn parse(body: &[u8]) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = Json::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Int(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if entries.is_empty() && key == NUMBER_TOKEN {
                // serde_json's `arbitrary_precision` hands a number over as a one-entry map
                // whose value is an owned string; an object written with this key in the body
                // has a borrowed or escaped string value instead (or no string at all).
                match map.next_value_seed(NumberText)? {
                    Ok(text) => return number(&text).map_err(de::Error::custom),
                    Err(value) => {
                        index.insert(key.clone(), entries.len());
                        entries.push((key, value));
                        continue;
                    }
                }
            }
            let value = map.next_value::<Json>()?;
            // Python's dict: a repeated key keeps its first position and takes the last value.
            if let Some(&at) = index.get(&key) {
                if let Some(slot) = entries.get_mut(at) {
                    slot.1 = value;
                }
            } else {
                index.insert(key.clone(), entries.len());
                entries.push((key, value));
            }
        }
        Ok(Json::Object(Object(entries)))
    }
}

/// The key under which serde_json (`arbitrary_precision`) hands over a number's digits.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Python's limit on the digits of an `int()` parsed from text (`sys.get_int_max_str_digits()`).
const PY_INT_MAX_STR_DIGITS: usize = 4300;

/// The value after [`NUMBER_TOKEN`]: `Ok(digits)` for a number, `Err(value)` for a JSON value
/// that merely sits under that key in the body.
struct NumberText;

impl<'de> de::DeserializeSeed<'de> for NumberText {
    type Value = Result<String, Json>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Result<String, Json>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a number")
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Ok(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Err(Json::Str(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                JsonVisitor.visit_bool(v).map(Err)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Err(Json::Null))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                JsonVisitor.visit_i64(v).map(Err)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                JsonVisitor.visit_u64(v).map(Err)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                JsonVisitor.visit_f64(v).map(Err)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                JsonVisitor.visit_seq(seq).map(Err)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                JsonVisitor.visit_map(map).map(Err)
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON number's text as Python's `json` reads it: an integer (exact) or a float.
fn number(text: &str) -> Result<Json, &'static str> {
    if text.contains(['.', 'e', 'E']) {
        return text
            .parse::<f64>()
            .map(Json::Float)
            .map_err(|_| "invalid number");
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.len() > PY_INT_MAX_STR_DIGITS {
        return Err("integer has more digits than Python's int() reads");
    }
    if digits.bytes().all(|b| b == b'0') {
        return Ok(Json::Int("0".to_owned()));
    }
    Ok(Json::Int(text.to_owned()))
}

/// Whether a category is one both Python's `str.isprintable()` and Nova's name format count as
/// unprintable: Cc, Cf, Cs, Co, Cn, Zl and Zp (Python also excludes Zs, bar SPACE).
pub(crate) const fn is_unprintable_category(category: GeneralCategory) -> bool {
    matches!(
        category,
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Surrogate
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// Whether Python's `str.isprintable()` holds for `c` (used by `repr()`): everything but the
/// categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs, except that SPACE is printable.
pub(crate) fn py_is_printable(c: char) -> bool {
    match get_general_category(c) {
        GeneralCategory::SpaceSeparator => c == ' ',
        category => !is_unprintable_category(category),
    }
}

/// Python's `repr()` of a string.
pub(crate) fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && (c < ' ' || c == '\x7f') => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_ascii() || py_is_printable(c) => out.push(c),
            c => {
                let v = u32::from(c);
                let _ = if v <= 0xff {
                    write!(out, "\\x{v:02x}")
                } else if v <= 0xffff {
                    write!(out, "\\u{v:04x}")
                } else {
                    write!(out, "\\U{v:08x}")
                };
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a float: the shortest round-trip digits, in positional notation when the
/// decimal exponent is in `-4..16` (with `.0` for whole numbers), else as `d.ddde+XX`.
pub(crate) fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7", "1e16", "0e0".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Value = 0.DIGITS x 10^decpt.
    let decpt = exp.saturating_add(1);
    let mut out = String::from(sign);
    if (-3..=16).contains(&decpt) {
        let n = digits.len();
        if decpt <= 0 {
            out.push_str("0.");
            for _ in 0..decpt.unsigned_abs() {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let point = usize::try_from(decpt).unwrap_or(0);
            if point >= n {
                out.push_str(&digits);
                for _ in n..point {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(digits.get(..point).unwrap_or_default());
                out.push('.');
                out.push_str(digits.get(point..).unwrap_or_default());
            }
        }
    } else {
        out.push_str(digits.get(..1).unwrap_or_default());
        if digits.len() > 1 {
            out.push('.');
            out.push_str(digits.get(1..).unwrap_or_default());
        }
        let e = decpt - 1;
        let _ = write!(
            out,
            "e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        for (f, want) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e300, "1.5e+300"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.2345e-7, "1.2345e-07"),
            (123.456, "123.456"),
            (1.8446744073709552e19, "1.8446744073709552e+19"),
        ] {
            assert_eq!(py_float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(py_repr_str(""), "''");
        assert_eq!(py_repr_str("a'b"), "\"a'b\"");
        assert_eq!(py_repr_str("a'b\""), "'a\\'b\"'");
        assert_eq!(py_repr_str("\t\n\r\x00\x7f\\"), "'\\t\\n\\r\\x00\\x7f\\\\'");
        assert_eq!(
            py_repr_str("é\u{a0}\u{200b}\u{e000}"),
            "'é\\xa0\\u200b\\ue000'"
        );
        assert_eq!(py_repr_str("\u{10ffff}😀"), "'\\U0010ffff😀'");
    }

    #[test]
    fn numbers_as_python_reads_them() {
        let big = "123456789012345678901234567890";
        for (text, want) in [
            ("-0", "0"),
            ("0", "0"),
            ("-12", "-12"),
            ("18446744073709551616", "18446744073709551616"),
            (big, big),
            ("-0.0", "-0.0"),
            ("1e400", "inf"),
            ("-1e400", "-inf"),
            ("1E2", "100.0"),
            ("1e-400", "0.0"),
        ] {
            assert_eq!(parse(text.as_bytes()).unwrap().py_repr(), want, "{text}");
        }
        let n400 = "9".repeat(400);
        assert_eq!(parse(n400.as_bytes()).unwrap().py_repr(), n400);
        assert!(parse("1".repeat(4300).as_bytes()).is_ok());
        assert!(parse("1".repeat(4301).as_bytes()).is_err());
        assert!(parse(format!("-{}", "1".repeat(4301)).as_bytes()).is_err());
        // An object that merely uses serde_json's private key stays an object.
        for body in [
            r#"{"$serde_json::private::Number": "5"}"#,
            r#"{"$serde_json::private::Number": "\u0035"}"#,
            r#"{"$serde_json::private::Number": 5}"#,
            r#"{"$serde_json::private::Number": [1], "a": 2}"#,
        ] {
            let v = parse(body.as_bytes()).unwrap();
            assert!(v.as_object().is_some(), "{body}");
        }
    }

    #[test]
    fn duplicate_keys_keep_first_position_last_value() {
        let v = parse(br#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(v.py_repr(), "{'a': 3, 'b': 2}");
    }
}
