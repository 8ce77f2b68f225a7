//! authorized_keys lines as sshd reads them: `auth2-pubkeyfile.c`'s `auth_check_authkey_line`
//! (a bare key, or options then the key) and `auth-options.c`'s `sshauthopt_parse` (the option
//! list, with `misc.c`'s `opt_flag`, `opt_match` and `opt_dequote`).

use super::{key_after, refuse_skipped, split_field};
use crate::error::{Error, Result};
use crate::key::{KeyType, PublicKey};
use crate::policy::Policy;

/// Flag options in `sshauthopt_parse`'s order, and whether `no-` may negate them.
const FLAGS: [(&str, bool); 9] = [
    ("restrict", false),
    ("cert-authority", false),
    ("port-forwarding", true),
    ("agent-forwarding", true),
    ("x11-forwarding", true),
    ("touch-required", true),
    ("verify-required", true),
    ("pty", true),
    ("user-rc", true),
];

/// Options that take a quoted value (`name="value"`).
const VALUED: [&str; 8] = [
    "command",
    "principals",
    "from",
    "expiry-time",
    "environment",
    "permitopen",
    "permitlisten",
    "tunnel",
];

/// One authorized_keys option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizedKeyOption {
    name: &'static str,
    negated: bool,
    value: Option<String>,
}

impl AuthorizedKeyOption {
    /// The option's name in lower case, without `no-` (`pty` for `no-pty`, `command`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether it was written with `no-` (`no-pty`, `no-port-forwarding`).
    #[must_use]
    pub fn negated(&self) -> bool {
        self.negated
    }

    /// The value of a `name="value"` option with its quotes removed and `\"` read as `"`
    /// (sshd checks values further, e.g. `expiry-time`'s date; this reader does not).
    #[must_use]
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

/// Reads an option list as `sshauthopt_parse` does: options separated by commas (an empty one,
/// as in `a,,b` or a leading comma, is skipped), up to the first SPACE or TAB outside quotes;
/// names case-insensitive; the flags `restrict`, `cert-authority`, `[no-]port-forwarding`, `[no-]agent-forwarding`, `[no-]x11-forwarding`,
/// `[no-]touch-required`, `[no-]verify-required`, `[no-]pty`, `[no-]user-rc`; the valued
/// options `command`, `principals`, `from`, `expiry-time`, `environment`, `permitopen`,
/// `permitlisten`, `tunnel`, each `="..."` with `\"` for a quote inside. Anything after the
/// list (from the first blank) is ignored, as sshd does.
///
/// # Errors
/// [`Error::InvalidAuthorizedKeysOptions`] with the byte offset and sshd's reason (`unknown
/// key option`, `missing start quote`, `missing end quote`, `unexpected end-of-options`,
/// `multiple "command" clauses` (and `"principals"`, `"from"`), `not UTF-8`).
pub fn parse_authorized_keys_options(options: &[u8]) -> Result<Vec<AuthorizedKeyOption>> {
    let mut out = Vec::new();
    let mut i = 0usize;
    let fail = |offset: usize, reason: &'static str| {
        Err(Error::InvalidAuthorizedKeysOptions { offset, reason })
    };
    while let Some(&b) = options.get(i) {
        if b == b' ' || b == b'\t' {
            break;
        }
        let rest = options.get(i..).unwrap_or_default();
        let (option, used) = if rest.first() == Some(&b',') {
            // An empty option (`,,`, a leading `,`): no name matches and sshd's next check
            // finds the comma it wants, so it moves on.
            (None, 0)
        } else if let Some((name, negated, used)) = flag(rest) {
            (
                Some(AuthorizedKeyOption {
                    name,
                    negated,
                    value: None,
                }),
                used,
            )
        } else if let Some(name) = VALUED.iter().find(|n| starts_with_name(rest, n, b"=")) {
            // sshd refuses a second command, principals or from before it reads the value.
            if let Some(reason) = single_clause(name)
                && out.iter().any(|o: &AuthorizedKeyOption| o.name == *name)
            {
                return fail(i, reason);
            }
            let start = name.len().saturating_add(1);
            let quoted = rest.get(start..).unwrap_or_default();
            let (value, len) = match dequote(quoted) {
                Ok(v) => v,
                Err((at, reason)) => {
                    return fail(i.saturating_add(start).saturating_add(at), reason);
                }
            };
            let Ok(value) = String::from_utf8(value) else {
                return fail(i.saturating_add(start), "not UTF-8");
            };
            (
                Some(AuthorizedKeyOption {
                    name,
                    negated: false,
                    value: Some(value),
                }),
                start.saturating_add(len),
            )
        } else {
            return fail(i, "unknown key option");
        };
        out.extend(option);
        i = i.saturating_add(used);
        match options.get(i) {
            None | Some(b' ' | b'\t') => break,
            Some(b',') => {
                i = i.saturating_add(1);
                if options.get(i).is_none() {
                    return fail(i, "unexpected end-of-options");
                }
            }
            Some(_) => return fail(i, "unknown key option"),
        }
    }
    Ok(out)
}

/// sshd's refusal of a second clause of `name`, for the options that may appear once.
fn single_clause(name: &str) -> Option<&'static str> {
    match name {
        "command" => Some("multiple \"command\" clauses"),
        "principals" => Some("multiple \"principals\" clauses"),
        "from" => Some("multiple \"from\" clauses"),
        _ => None,
    }
}

/// `opt_flag` for each flag in order: the name (after `no-` where allowed), matched
/// case-insensitively as a prefix, as sshd does (what follows is checked by the caller).
fn flag(s: &[u8]) -> Option<(&'static str, bool, usize)> {
    for (name, negatable) in FLAGS {
        let (negated, at) = match s.get(..3) {
            Some(p) if negatable && p.eq_ignore_ascii_case(b"no-") => (true, 3usize),
            _ => (false, 0),
        };
        let rest = s.get(at..).unwrap_or_default();
        if starts_with_name(rest, name, b"") {
            return Some((name, negated, at.saturating_add(name.len())));
        }
    }
    None
}

/// Whether `s` starts with `name` (ASCII case-insensitive) followed by `then`.
fn starts_with_name(s: &[u8], name: &str, then: &[u8]) -> bool {
    let n = name.len();
    s.get(..n)
        .is_some_and(|p| p.eq_ignore_ascii_case(name.as_bytes()))
        && s.get(n..n.saturating_add(then.len())) == Some(then)
}

/// `opt_dequote`: a `"`, then bytes up to the next unescaped `"` (`\"` is a quote). Gives the
/// value and the bytes used, or the offset and reason of the failure.
fn dequote(s: &[u8]) -> core::result::Result<(Vec<u8>, usize), (usize, &'static str)> {
    if s.first() != Some(&b'"') {
        return Err((0, "missing start quote"));
    }
    let mut value = Vec::new();
    let mut i = 1usize;
    loop {
        match s.get(i) {
            None => return Err((i, "missing end quote")),
            Some(b'"') => return Ok((value, i.saturating_add(1))),
            Some(b'\\') if s.get(i.saturating_add(1)) == Some(&b'"') => {
                value.push(b'"');
                i = i.saturating_add(2);
            }
            Some(&b) => {
                value.push(b);
                i = i.saturating_add(1);
            }
        }
    }
}

/// An authorized_keys line as sshd reads it.
#[derive(Clone, Debug)]
pub struct AuthorizedKey {
    options: Vec<AuthorizedKeyOption>,
    key: PublicKey,
}

impl AuthorizedKey {
    /// The options in front of the key, in order (empty for a bare key).
    #[must_use]
    pub fn options(&self) -> &[AuthorizedKeyOption] {
        &self.options
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &PublicKey {
        &self.key
    }
}

/// Reads one authorized_keys line: a bare key when the first field is a key type, otherwise
/// the option list (the first field, quotes may hold blanks) and then the key, which goes to
/// the strict parser.
///
/// # Errors
/// - [`Error::CommentLine`] for a `#` line, [`Error::Empty`] for a blank one;
/// - [`Error::InvalidAuthorizedKeysOptions`] for the options
///   ([`parse_authorized_keys_options`]), with the offset in the line;
/// - [`Error::MissingKey`] when nothing follows the options;
/// - the strict parser's error for the key.
pub fn parse_authorized_keys_line(line: &[u8], policy: &Policy) -> Result<AuthorizedKey> {
    let rest = refuse_skipped(line)?;
    let (first, after) = split_field(rest);
    if KeyType::from_name(first).is_some() {
        return key_after(rest, policy).map(|key| AuthorizedKey {
            options: Vec::new(),
            key,
        });
    }
    let base = line.len().saturating_sub(rest.len());
    // The list is read from the line, not from the field: it ends at the first blank outside
    // quotes, so `no-pty, ssh-ed25519 ...` (a comma, then the blank) is sshd's `no-pty`.
    let options = parse_authorized_keys_options(rest).map_err(|e| match e {
        Error::InvalidAuthorizedKeysOptions { offset, reason } => {
            Error::InvalidAuthorizedKeysOptions {
                offset: base.saturating_add(offset),
                reason,
            }
        }
        other => other,
    })?;
    let key = key_after(after, policy)?;
    Ok(AuthorizedKey { options, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";

    fn names(s: &str) -> Vec<(&'static str, bool, Option<String>)> {
        parse_authorized_keys_options(s.as_bytes())
            .unwrap()
            .into_iter()
            .map(|o| (o.name(), o.negated(), o.value().map(str::to_owned)))
            .collect()
    }

    #[test]
    fn option_lists() {
        assert_eq!(
            names(r#"restrict,No-PTY,command="echo \"a b\" \x",from="10.0.0.0/8,!10.0.0.1""#),
            vec![
                ("restrict", false, None),
                ("pty", true, None),
                ("command", false, Some(r#"echo "a b" \x"#.to_owned())),
                ("from", false, Some("10.0.0.0/8,!10.0.0.1".to_owned())),
            ]
        );
        assert_eq!(
            names("cert-authority,user-rc k"),
            vec![("cert-authority", false, None), ("user-rc", false, None),]
        );
        assert_eq!(names(r#"ENVIRONMENT="A=b""#)[0].2.as_deref(), Some("A=b"));
        assert_eq!(names(""), vec![]);
        // A blank ends the list where an option would start, after a comma too
        // (sshauthopt_parse's loop condition).
        assert_eq!(names("no-pty, bogus"), vec![("pty", true, None)]);
        assert_eq!(names("no-pty,\tbogus"), vec![("pty", true, None)]);
        assert_eq!(names(" bogus"), vec![]);
        // Empty options are skipped (sshd: no name matches, then the comma it looks for).
        assert_eq!(
            names("pty,,pty"),
            vec![("pty", false, None), ("pty", false, None)]
        );
        assert_eq!(names(",pty"), vec![("pty", false, None)]);
        assert_eq!(names("pty,, x"), vec![("pty", false, None)]);
    }

    #[test]
    fn option_errors() {
        for (s, offset, reason) in [
            ("no-restrict", 0, "unknown key option"),
            ("restricted", 8, "unknown key option"),
            ("pty,", 4, "unexpected end-of-options"),
            ("pty,,", 5, "unexpected end-of-options"),
            ("command=x", 8, "missing start quote"),
            ("command=\"x", 10, "missing end quote"),
            ("command=\"x\"y", 11, "unknown key option"),
            ("command", 0, "unknown key option"),
            ("permit-pty", 0, "unknown key option"),
            (
                "command=\"a\",command=\"b\"",
                12,
                "multiple \"command\" clauses",
            ),
            ("from=\"a\",pty,FROM=x", 13, "multiple \"from\" clauses"),
            (
                "principals=\"a\",principals=\"",
                15,
                "multiple \"principals\" clauses",
            ),
        ] {
            assert_eq!(
                parse_authorized_keys_options(s.as_bytes()),
                Err(Error::InvalidAuthorizedKeysOptions { offset, reason }),
                "{s}"
            );
        }
    }

    #[test]
    fn lines() {
        let policy = Policy::inspect();
        let l = parse_authorized_keys_line(format!("{ED} me").as_bytes(), &policy).unwrap();
        assert!(l.options().is_empty());
        let l = parse_authorized_keys_line(
            format!("  command=\"a b\",no-pty\t{ED} me").as_bytes(),
            &policy,
        )
        .unwrap();
        assert_eq!(l.options().len(), 2);
        assert_eq!(l.key().comment(), "me");
        // A comma, then the blank before the key: the list ends there, as in sshd.
        let l = parse_authorized_keys_line(format!("no-pty, {ED} me").as_bytes(), &policy).unwrap();
        assert_eq!(l.options().len(), 1);
        assert_eq!(l.key().comment(), "me");
        // Two environment and two expiry-time clauses are allowed (sshd keeps the first, the
        // earliest).
        let two = format!(
            "environment=\"A=1\",environment=\"A=2\",expiry-time=\"20990101\",expiry-time=\"20980101\" {ED}"
        );
        assert_eq!(
            parse_authorized_keys_line(two.as_bytes(), &policy)
                .unwrap()
                .options()
                .len(),
            4
        );
        for (line, err) in [
            (
                format!("  bogus {ED}"),
                Error::InvalidAuthorizedKeysOptions {
                    offset: 2,
                    reason: "unknown key option",
                },
            ),
            ("no-pty".to_owned(), Error::MissingKey),
            ("# no-pty k".to_owned(), Error::CommentLine),
            ("\t".to_owned(), Error::Empty),
        ] {
            assert_eq!(
                parse_authorized_keys_line(line.as_bytes(), &policy).unwrap_err(),
                err,
                "{line}"
            );
        }
    }
}
