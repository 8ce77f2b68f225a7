//! The files operators point tools at, read one line (or one file) at a time: authorized_keys
//! lines as sshd reads them (`auth2-pubkeyfile.c`, options as `auth-options.c`), known_hosts
//! lines as ssh reads them (`hostfile.c`, host patterns as `match.c`), any key line as
//! `ssh-keygen -l` reads it, and the public half of a private key file.
//!
//! Whatever stands before the key (a marker, options, host patterns) is read here; the key
//! itself always goes to the same strict parser as an import ([`parse_public_key_with`]), under
//! the caller's [`Policy`]. Nothing here panics, and nothing allocates more than a small
//! multiple of the line's own length.
//!
//! [`parse_public_key_with`]: crate::parse_public_key_with

mod hosts;
mod options;
mod private_key;

pub use hosts::{HostPattern, HostPatterns, KnownHost, Marker, parse_known_hosts_line};
pub use options::{
    AuthorizedKey, AuthorizedKeyOption, parse_authorized_keys_line, parse_authorized_keys_options,
};
pub use private_key::{
    KeyEncryption, PrivateKeyFile, PrivateKeyFileKind, is_private_key_file, read_private_key_file,
};

use crate::error::{Error, Result};
use crate::key::{KeyType, PublicKey};
use crate::parse::parse_public_key_with;
use crate::policy::Policy;

/// One line of a file, as [`key_lines`] hands it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileLine<'a> {
    /// Line number, from 1.
    pub number: usize,
    /// Offset of the line's first byte in the input.
    pub offset: usize,
    /// The line without its `\n` (a `\r` before it is kept; the parsers trim it).
    pub text: &'a [u8],
}

/// The lines of `input` that may hold a key: blank lines and lines whose first character
/// after SPACE and TAB is `#` are skipped, as sshd, ssh and `ssh-keygen -l` skip them.
pub fn key_lines(input: &[u8]) -> impl Iterator<Item = FileLine<'_>> {
    let mut offset = 0usize;
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .map(move |(i, text)| {
            let line = FileLine {
                number: i.saturating_add(1),
                offset,
                text,
            };
            offset = offset.saturating_add(text.len()).saturating_add(1);
            line
        })
        .filter(|line| !is_skipped(line.text))
}

/// A blank or `#` comment line (after leading SPACE and TAB, as `ssh-keygen -l`).
fn is_skipped(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.is_empty() || t.starts_with(b"#")
}

/// A key line read the way `ssh-keygen -l` reads one: the key, and what stood before it.
#[derive(Clone, Debug)]
pub struct KeyLine {
    marker: Option<Marker>,
    before_key: Option<String>,
    key: PublicKey,
}

impl KeyLine {
    /// The known_hosts marker in front, if any.
    #[must_use]
    pub fn marker(&self) -> Option<Marker> {
        self.marker
    }

    /// The field between the marker and the key as written: authorized_keys options or
    /// known_hosts host patterns (read them with [`parse_authorized_keys_options`] or
    /// [`HostPatterns::parse`]), or `None` for a bare key.
    #[must_use]
    pub fn before_key(&self) -> Option<&str> {
        self.before_key.as_deref()
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The key, taking it out of the line.
    #[must_use]
    pub fn into_key(self) -> PublicKey {
        self.key
    }
}

/// Reads one line of an authorized_keys or known_hosts file, or a bare key, as `ssh-keygen -l`
/// does: an `@cert-authority` or `@revoked` marker, then one field that is not a key type
/// (options or host patterns; double quotes may hold blanks, `\"` escapes a quote), then the
/// key, which goes to the strict parser. Use [`parse_authorized_keys_line`] or
/// [`parse_known_hosts_line`] to read the field before the key as sshd or ssh do.
///
/// # Errors
/// - [`Error::CommentLine`] for a `#` line, [`Error::Empty`] for a blank one;
/// - [`Error::InvalidKnownHostsMarker`] for an `@` field other than the two markers;
/// - otherwise the strict parser's error for the key; where nothing was skipped or the key
///   after the skipped field fails too, the error for the whole line if that says more.
pub fn parse_key_line(line: &[u8], policy: &Policy) -> Result<KeyLine> {
    let mut rest = trim_start(line);
    if rest.starts_with(b"#") {
        return Err(Error::CommentLine);
    }
    let mut marker = None;
    if rest.starts_with(b"@") {
        let (field, after) = split_field(rest);
        marker = Some(Marker::from_field(field)?);
        rest = after;
        if rest.starts_with(b"@") {
            // One marker only (hostfile.c's check_markers).
            return Err(Error::InvalidKnownHostsMarker);
        }
    }
    let mut before_key = None;
    let (first, after) = split_field(rest);
    if KeyType::from_name(first).is_none() && !after.is_empty() {
        before_key = Some(String::from_utf8_lossy(first).into_owned());
        rest = after;
    }
    if rest.len() == line.len() {
        return parse_public_key_with(line, policy).map(|key| KeyLine {
            marker,
            before_key,
            key,
        });
    }
    match parse_public_key_with(rest, policy) {
        Ok(key) => Ok(KeyLine {
            marker,
            before_key,
            key,
        }),
        Err(e) => match parse_public_key_with(line, policy) {
            Ok(key) => Ok(KeyLine {
                marker: None,
                before_key: None,
                key,
            }),
            // The whole line's error names the prefix just skipped: the key's error says more.
            Err(Error::AuthorizedKeysOptions | Error::KnownHostsLine | Error::KnownHostsMarker) => {
                Err(e)
            }
            Err(whole) => Err(whole),
        },
    }
}

/// The first field (up to unquoted SPACE or TAB; `\"` is an escaped quote, inside quotes or
/// not, as in sshd's `sshkey_advance_past_options`) and the rest after the blanks that follow it.
pub(crate) fn split_field(s: &[u8]) -> (&[u8], &[u8]) {
    let mut quoted = false;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'\\' if s.get(i.saturating_add(1)) == Some(&b'"') => {
                i = i.saturating_add(1);
            }
            b'"' => quoted = !quoted,
            b' ' | b'\t' if !quoted => break,
            _ => {}
        }
        i = i.saturating_add(1);
    }
    let (field, rest) = s.split_at(i.min(s.len()));
    (field, trim_blanks_start(rest))
}

/// `rest` without its leading SPACE and TAB.
pub(crate) fn trim_blanks_start(rest: &[u8]) -> &[u8] {
    let n = rest
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(rest.len());
    rest.get(n..).unwrap_or_default()
}

/// The first field up to SPACE or TAB (no quoting) and the rest after the blanks.
pub(crate) fn split_plain_field(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .unwrap_or(s.len());
    let (field, rest) = s.split_at(end);
    (field, trim_blanks_start(rest))
}

/// The key after a prefix: the strict parser, or [`Error::MissingKey`] if nothing is left.
pub(crate) fn key_after(rest: &[u8], policy: &Policy) -> Result<PublicKey> {
    if rest.trim_ascii().is_empty() {
        return Err(Error::MissingKey);
    }
    parse_public_key_with(rest, policy)
}

/// `line` without leading SPACE, TAB, CR and LF (what the strict parser trims).
fn trim_start(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(line.len());
    line.get(n..).unwrap_or_default()
}

/// Refuses blank and `#` lines with their own errors; the rest starts after leading SPACE,
/// TAB, CR and LF, as the strict parser trims them.
pub(crate) fn refuse_skipped(line: &[u8]) -> Result<&[u8]> {
    let rest = trim_start(line);
    if rest.starts_with(b"#") {
        return Err(Error::CommentLine);
    }
    if rest.trim_ascii().is_empty() {
        return Err(Error::Empty);
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";

    #[test]
    fn lines_skip_blank_and_comment_lines() {
        let input = b"# c\n\n  \t# d\nkey one\r\n \nkey two";
        let got: Vec<_> = key_lines(input).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].number, 4);
        assert_eq!(got[0].offset, 12);
        assert_eq!(got[0].text, b"key one\r");
        assert_eq!(got[1].number, 6);
        assert_eq!(&input[got[1].offset..], b"key two");
        assert_eq!(key_lines(b"").count(), 0);
        assert_eq!(key_lines(b"\n\n# x").count(), 0);
    }

    #[test]
    fn fields_follow_quotes() {
        assert_eq!(
            split_field(br#"a="x y",b c d"#),
            (&br#"a="x y",b"#[..], &b"c d"[..])
        );
        assert_eq!(
            split_field(br#"a="x \" y" k"#),
            (&br#"a="x \" y""#[..], &b"k"[..])
        );
        assert_eq!(split_field(b"\"open k"), (&b"\"open k"[..], &b""[..]));
        // A backslash escapes a quote, inside quotes or not (sshd skips `\"` before it looks
        // for quotes), and escapes nothing else.
        assert_eq!(split_field(b"a\\ b c"), (&b"a\\"[..], &b"b c"[..]));
        assert_eq!(
            split_field(br#"a\"b c" d"#),
            (&br#"a\"b"#[..], &br#"c" d"#[..])
        );
        assert_eq!(split_field(br#""a\ b" c"#), (&br#""a\ b""#[..], &b"c"[..]));
        assert_eq!(split_field(b""), (&b""[..], &b""[..]));
        assert_eq!(
            split_plain_field(b"a\"b c\t d"),
            (&b"a\"b"[..], &b"c\t d"[..])
        );
    }

    #[test]
    fn key_line_forms() {
        let policy = Policy::inspect();
        let bare = parse_key_line(format!("{ED} me").as_bytes(), &policy).unwrap();
        assert_eq!((bare.marker(), bare.before_key()), (None, None));
        assert_eq!(bare.key().comment(), "me");
        let opts = format!("command=\"a b\",no-pty {ED}");
        let line = parse_key_line(opts.as_bytes(), &policy).unwrap();
        assert_eq!(line.before_key(), Some("command=\"a b\",no-pty"));
        let marked = format!("@revoked * {ED}");
        let line = parse_key_line(marked.as_bytes(), &policy).unwrap();
        assert_eq!(line.marker(), Some(Marker::Revoked));
        assert_eq!(line.before_key(), Some("*"));
        // A marker straight before the key, and blanks before a bare key: nothing stood before
        // the key, and the marker is kept.
        let marked = format!("@revoked {ED}");
        let line = parse_key_line(marked.as_bytes(), &policy).unwrap();
        assert_eq!(
            (line.marker(), line.before_key()),
            (Some(Marker::Revoked), None)
        );
        let indented = format!(" \t{ED} me");
        let line = parse_key_line(indented.as_bytes(), &policy).unwrap();
        assert_eq!((line.marker(), line.before_key()), (None, None));
        assert_eq!(line.key().comment(), "me");
        for (input, err) in [
            (format!("# {ED}"), Error::CommentLine),
            (format!("  #{ED}"), Error::CommentLine),
            (format!("@trusted * {ED}"), Error::InvalidKnownHostsMarker),
            (String::new(), Error::Empty),
        ] {
            assert_eq!(
                parse_key_line(input.as_bytes(), &policy).unwrap_err(),
                err,
                "{input}"
            );
        }
        // A broken key after options: the key's error, not "options are not allowed".
        let bad = format!("no-pty {}", &ED[..60]);
        let e = parse_key_line(bad.as_bytes(), &policy).unwrap_err();
        assert_ne!(e, Error::AuthorizedKeysOptions);
    }
}
