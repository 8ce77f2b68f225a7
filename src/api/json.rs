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
//! Every string of the tree (values and object keys) is a [`Text`], wiped when dropped: a request
//! may carry a pasted private key. Strings without escapes are copied once from the body, at
//! their size. Strings with escapes never go through `serde_json`'s own unescaping, whose scratch
//! buffer grows by reallocation and is freed unwiped: [`parse`] first unescapes each such string
//! itself ([`unescape`], straight into a zeroizing buffer of the escaped length, which is never
//! outgrown) and hands `serde_json` a zeroizing copy of the body in which each of them is a short
//! placeholder (`"\u0000<index>"`; a string without escapes cannot start with NUL). Strings that
//! [`unescape`] refuses (a bad escape, a lone surrogate, a control character, invalid UTF-8) are
//! left in place, so `serde_json` reports the error itself; error positions are mapped back to
//! the body as sent.
//!
//! Numbers are read as Python reads them (serde_json's `arbitrary_precision` hands over the
//! digits): integers stay exact at any size (`-0` is `0`), up to Python's 4300-digit limit for
//! `int()` (more is a `ValueError`, so "Malformed request body" in both); numbers with a
//! fraction or an exponent are floats (`1e400` is `inf`).

use core::cell::RefCell;
use core::fmt::Write as _;
use std::borrow::Borrow;
use std::collections::HashMap;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use unicode_general_category::{GeneralCategory, get_general_category};
use zeroize::{Zeroize as _, Zeroizing};

/// A string of a request body (a value or an object key): wiped when dropped, as it may hold a
/// pasted private key. Made at its final size and never grown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Text(String);

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<&str> for Text {
    /// A copy of exactly `s.len()` bytes.
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl core::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A JSON value with object keys in document order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// An integer as Python's `repr` prints it (exact digits, `-0` as `0`).
    Int(String),
    Float(f64),
    Str(Text),
    Array(Vec<Json>),
    Object(Object),
}

/// A JSON object: keys in the order of their first appearance, each with its last value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Object(Vec<(Text, Json)>);

impl Object {
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        self.0
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub(crate) fn push(&mut self, key: &str, value: Json) {
        self.0.push((Text::from(key), value));
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
            Self::Str(s) => s.as_str().to_owned(),
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

/// Where a body is not JSON: line and column (1-based) in the body as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Parses a request body. The caller has already checked its size.
pub(crate) fn parse(body: &[u8]) -> Result<Json, JsonError> {
    let prepared = Prepared::of(body);
    let strings = RefCell::new(prepared.strings);
    let seed = Seed(&strings);
    let mut de = serde_json::Deserializer::from_slice(&prepared.body);
    let value = seed
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| {
            prepared
                .map
                .position(&prepared.body, body, e.line(), e.column())
        })?;
    Ok(value)
}

/// A body with each string that has escapes unescaped ahead and replaced by a placeholder.
struct Prepared {
    /// The body as `serde_json` reads it (zeroizing: it holds the body's other strings).
    body: Zeroizing<Vec<u8>>,
    /// The unescaped strings, by placeholder index (taken as the tree takes them).
    strings: Vec<Option<Text>>,
    map: Spans,
}

/// Replaced spans: (start in the prepared body, its length, start in the body, its length).
#[derive(Default)]
struct Spans(Vec<(usize, usize, usize, usize)>);

impl Spans {
    /// The line and column in `original` of `column` on `line` of `prepared` (serde_json's
    /// 1-based position; column 0 stays 0). Replaced spans never hold a line break.
    fn position(&self, prepared: &[u8], original: &[u8], line: usize, column: usize) -> JsonError {
        if self.0.is_empty() || column == 0 {
            return JsonError { line, column };
        }
        let line_start = |text: &[u8]| {
            if line <= 1 {
                return 0;
            }
            text.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .nth(line - 2)
                .map_or(text.len(), |(i, _)| i + 1)
        };
        let at = line_start(prepared).saturating_add(column - 1);
        let mut orig = at;
        for &(new_start, new_len, old_start, old_len) in &self.0 {
            if at >= new_start + new_len {
                orig = at - (new_start + new_len) + old_start + old_len;
            } else if at >= new_start {
                orig = old_start + (at - new_start).min(old_len);
            } else {
                break;
            }
        }
        let column = orig.saturating_sub(line_start(original)) + 1;
        JsonError { line, column }
    }
}

impl Prepared {
    fn of(body: &[u8]) -> Self {
        // First pass: the string literals that have escapes and unescape cleanly.
        let mut found: Vec<(usize, usize, Text)> = Vec::new();
        let mut i = 0;
        while i < body.len() {
            if body.get(i) != Some(&b'"') {
                i += 1;
                continue;
            }
            // A literal from the quote at `i` to its closing quote.
            let mut j = i + 1;
            let mut escaped = false;
            while let Some(&b) = body.get(j) {
                match b {
                    b'\\' => {
                        escaped = true;
                        j += 2;
                    }
                    b'"' => break,
                    _ => j += 1,
                }
            }
            if j >= body.len() {
                break; // unterminated: serde_json reports it
            }
            if escaped && let Some(text) = body.get(i + 1..j).and_then(unescape) {
                found.push((i, j + 1, text));
            }
            i = j + 1;
        }
        // Second pass: the body with placeholders, in a buffer of its final size.
        let placeholder_len = |index: usize| 8 + decimal_len(index);
        let len = found
            .iter()
            .enumerate()
            .fold(body.len(), |len, (n, (a, b, _))| {
                len - (b - a) + placeholder_len(n)
            });
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        let mut spans = Spans::default();
        let mut strings = Vec::with_capacity(found.len());
        let mut from = 0;
        for (n, (a, b, text)) in found.into_iter().enumerate() {
            out.extend_from_slice(body.get(from..a).unwrap_or_default());
            let start = out.len();
            let _ = write!(Bytes(&mut out), "\"\\u0000{n}\"");
            spans.0.push((start, out.len() - start, a, b - a));
            strings.push(Some(text));
            from = b;
        }
        out.extend_from_slice(body.get(from..).unwrap_or_default());
        Self {
            body: out,
            strings,
            map: spans,
        }
    }
}

/// `fmt::Write` into a byte buffer (the placeholders are ASCII and short).
struct Bytes<'a>(&'a mut Vec<u8>);

impl core::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn decimal_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// The text of a JSON string literal's contents `raw` (between the quotes), exactly as
/// `serde_json` reads it, or `None` where `serde_json` would refuse it (then it reports the
/// error): escapes `\" \\ \/ \b \f \n \r \t \uXXXX` (surrogates only as a high-low pair), no
/// raw control character, valid UTF-8. Written into a zeroizing buffer of `raw.len()` bytes (the
/// text is never longer), which becomes the [`Text`] without a copy.
pub(crate) fn unescape(raw: &[u8]) -> Option<Text> {
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        i += 1;
        if b < 0x20 {
            return None;
        }
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let e = *raw.get(i)?;
        i += 1;
        let byte = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let unit = hex4(raw.get(i..i + 4)?)?;
                i += 4;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        if raw.get(i..i + 2)? != b"\\u" {
                            return None;
                        }
                        let low = hex4(raw.get(i + 2..i + 6)?)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        i += 6;
                        let v = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        char::from_u32(v)?
                    }
                    0xDC00..=0xDFFF => return None,
                    unit => char::from_u32(u32::from(unit))?,
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                buf.zeroize();
                continue;
            }
            _ => return None,
        };
        out.push(byte);
    }
    let bytes = core::mem::take(&mut *out);
    match String::from_utf8(bytes) {
        Ok(text) => Some(Text(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            None
        }
    }
}

/// Four hex digits (either case), as `\uXXXX` takes them.
fn hex4(digits: &[u8]) -> Option<u16> {
    digits.iter().try_fold(0u16, |acc, &d| {
        let v = char::from(d).to_digit(16)?;
        Some((acc << 4) | u16::try_from(v).ok()?)
    })
}

/// The unescaped strings of a [`Prepared`] body, for the placeholders.
type Strings = RefCell<Vec<Option<Text>>>;

/// A body string as the tree keeps it: a placeholder's unescaped text (taken, not copied), or a
/// copy of a string without escapes.
fn text_of<E: de::Error>(strings: &Strings, s: &str) -> Result<Text, E> {
    let Some(index) = s.strip_prefix('\0') else {
        return Ok(Text::from(s));
    };
    index
        .parse::<usize>()
        .ok()
        .and_then(|n| strings.borrow_mut().get_mut(n).and_then(Option::take))
        .ok_or_else(|| E::custom("string placeholder"))
}

/// Reads one JSON value into the tree, placeholders resolved.
#[derive(Clone, Copy)]
struct Seed<'s>(&'s Strings);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor(self.0))
    }
}

/// Reads one string (an object key) into a [`Text`], placeholders resolved.
struct KeySeed<'s>(&'s Strings);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Text;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Text, D::Error> {
        struct V<'s>(&'s Strings);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = Text;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                text_of(self.0, v)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
        }
        deserializer.deserialize_str(V(self.0))
    }
}

struct JsonVisitor<'s>(&'s Strings);

impl<'de> Visitor<'de> for JsonVisitor<'_> {
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
        text_of(self.0, v).map(Json::Str)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(Text(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Seed(self.0))? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(Text, Json)> = Vec::new();
        let mut index: HashMap<Text, usize> = HashMap::new();
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            if entries.is_empty() && key.as_str() == NUMBER_TOKEN {
                // serde_json's `arbitrary_precision` hands a number over as a one-entry map
                // whose value is an owned string; an object written with this key in the body
                // has a borrowed or escaped string value instead (or no string at all).
                match map.next_value_seed(NumberText(self.0))? {
                    Ok(text) => return number(&text).map_err(de::Error::custom),
                    Err(value) => {
                        index.insert(key.clone(), entries.len());
                        entries.push((key, value));
                        continue;
                    }
                }
            }
            let value = map.next_value_seed(Seed(self.0))?;
            // Python's dict: a repeated key keeps its first position and takes the last value.
            if let Some(&at) = index.get(key.as_str()) {
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
struct NumberText<'s>(&'s Strings);

impl<'de> DeserializeSeed<'de> for NumberText<'_> {
    type Value = Result<String, Json>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V<'s>(&'s Strings);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = Result<String, Json>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a number")
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Ok(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                text_of(self.0, v).map(|t| Err(Json::Str(t)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                JsonVisitor(self.0).visit_bool(v).map(Err)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Err(Json::Null))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                JsonVisitor(self.0).visit_i64(v).map(Err)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                JsonVisitor(self.0).visit_u64(v).map(Err)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                JsonVisitor(self.0).visit_f64(v).map(Err)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                JsonVisitor(self.0).visit_seq(seq).map(Err)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                JsonVisitor(self.0).visit_map(map).map(Err)
            }
        }
        d.deserialize_any(V(self.0))
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

    /// `unescape` reads what serde_json reads and refuses what it refuses.
    #[test]
    fn unescape_agrees_with_serde_json() {
        let literals: [&[u8]; 24] = [
            br"plain",
            br"a\nb",
            br#"\"\\\/\b\f\n\r\t"#,
            br"\u0041\u00e9\u20AC\u0000",
            br"\ud83d\ude00",
            br"\uD83D\uDE00x",
            "\u{e9}\\n\u{1f600}".as_bytes(),
            br"\ud800",
            br"\ud800x",
            br"\ud800\u0041",
            br"\udc00",
            br"\ude00\ud83d",
            br"\x",
            br"\u12",
            br"\u12g4",
            br"\",
            b"a\tb\\n",
            b"\x7f\\n",
            b"\xc3\\n\xa9",
            b"\xff\\n",
            br"\'",
            br"\U0041",
            br"\u0041\",
            b"\xe2\x82\xac\\u20ac",
        ];
        for raw in literals {
            let mut quoted = vec![b'"'];
            quoted.extend_from_slice(raw);
            quoted.push(b'"');
            let theirs = serde_json::from_slice::<String>(&quoted).ok();
            let ours = unescape(raw).map(|t| t.as_str().to_owned());
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(raw));
        }
    }

    /// Strings with escapes (values and keys) come out as serde_json reads them, and an error
    /// is reported where serde_json reports it in the body as sent.
    #[test]
    fn escaped_strings_and_error_positions_as_serde_json() {
        let body = br#"{"k\u0065y": "a\nb", "key": "\u00e9", "x": ["\t", "plain", "\/"]}"#;
        let v = parse(body).unwrap();
        assert_eq!(v.py_repr(), "{'key': '\u{e9}', 'x': ['\\t', 'plain', '/']}");
        // A string that starts with NUL is no placeholder.
        let v = parse(br#"["\u0000", "\u00001", "\\u0000"]"#).unwrap();
        assert_eq!(v.py_repr(), r"['\x00', '\x001', '\\u0000']");
        for body in [
            &br#"{"a\n": "b\n" "c"}"#[..],
            b"{\"a\\n\": \"b\\n\",\n  \"c\\t\": \"\\x\"}",
            br#"["\n\n\n\n\n\n\n\n\n\n\n\n", "\ud800"]"#,
            br#"["\n", 1,]"#,
            b"[\"\\n\",\n \"\\t\" \"\\r\"]",
            br#"{"\n": 1} x"#,
            br#"["\n", "unterminated"#,
            b"[\"\\n\", \"\x01\"]",
            b"[\"\\n\", \"\xff\"]",
            br#"["\u00e9\u00e9\u00e9\u00e9", nul]"#,
        ] {
            let theirs = serde_json::from_slice::<serde_json::Value>(body).unwrap_err();
            let ours = parse(body).unwrap_err();
            assert_eq!(
                (ours.line, ours.column),
                (theirs.line(), theirs.column()),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn duplicate_keys_keep_first_position_last_value() {
        let v = parse(br#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(v.py_repr(), "{'a': 3, 'b': 2}");
    }
}
