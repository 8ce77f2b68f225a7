//! known_hosts lines as ssh reads them (OpenSSH `hostfile.c`): an optional marker, the host
//! patterns (plain, as `match.c`'s `match_hostname`, or one hashed `|1|salt|hash` host), the key.

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};

use super::{key_after, refuse_skipped, split_plain_field};
use crate::error::{Error, Result};
use crate::key::PublicKey;
use crate::policy::Policy;

/// A known_hosts marker (`hostfile.c`'s `check_markers`; case-sensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Marker {
    /// `@cert-authority`: the key is a CA for host certificates of the matching hosts.
    CertAuthority,
    /// `@revoked`: the key must never be accepted for the matching hosts.
    Revoked,
}

impl Marker {
    /// The marker as written in the file (`@cert-authority`, `@revoked`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CertAuthority => "@cert-authority",
            Self::Revoked => "@revoked",
        }
    }

    /// The marker named by `field` (one field, with its `@`).
    pub(crate) fn from_field(field: &[u8]) -> Result<Self> {
        match field {
            b"@cert-authority" => Ok(Self::CertAuthority),
            b"@revoked" => Ok(Self::Revoked),
            _ => Err(Error::InvalidKnownHostsMarker),
        }
    }
}

impl core::fmt::Display for Marker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `|1|`: the magic of a hashed host (`HASH_MAGIC`).
const HASH_MAGIC: &str = "|1|";

/// Bytes of a hashed host's salt and hash (SHA-1's output).
const HASH_LEN: usize = 20;

/// Longest subpattern `match_pattern_list` handles (its buffer is 1024 bytes): a list with a
/// longer one matches nothing.
const MAX_SUBPATTERN_LEN: usize = 1022;

/// Longest base64 salt `extract_salt` reads.
const MAX_B64_SALT_LEN: usize = 1024;

/// One plain host pattern of a comma-separated list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPattern {
    negated: bool,
    pattern: String,
}

impl HostPattern {
    /// `!pattern`: a host matching it makes the whole list fail.
    #[must_use]
    pub fn negated(&self) -> bool {
        self.negated
    }

    /// The pattern without its `!`: `*` any run of characters, `?` any one character; a
    /// `[host]:port` pattern is matched as text against `[HOST]:PORT`.
    #[must_use]
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Hosts {
    /// `|1|base64(salt)|base64(hmac-sha1(salt, host))`, kept as written (ssh compares text).
    Hashed {
        salt: [u8; HASH_LEN],
        text: String,
    },
    Plain(Vec<HostPattern>),
}

/// The host field of a known_hosts line: a list of plain patterns or one hashed host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPatterns(Hosts);

impl HostPatterns {
    /// Reads a host field (no SPACE or TAB inside): `|1|SALT|HASH` (a salt of 20 bytes in
    /// base64, as `ssh-keygen -H` writes it) or a comma-separated list of patterns, each
    /// possibly negated with `!`.
    ///
    /// # Errors
    /// [`Error::InvalidHashedHost`] for a field starting with `|` that is not `|1|SALT|HASH`
    /// with a 20-byte salt; [`Error::KnownHostsHostField`] for an empty field or one holding
    /// a blank or a control character.
    pub fn parse(field: &str) -> Result<Self> {
        if field.is_empty() || field.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::KnownHostsHostField);
        }
        if field.starts_with('|') {
            return parse_hashed(field).map(Self);
        }
        // match_pattern_list stops at the end of the text, so a trailing ',' adds no
        // (empty) pattern; every other empty piece is one.
        let list = field.strip_suffix(',').unwrap_or(field);
        let patterns = list
            .split(',')
            .map(|p| match p.strip_prefix('!') {
                Some(rest) => HostPattern {
                    negated: true,
                    pattern: rest.to_owned(),
                },
                None => HostPattern {
                    negated: false,
                    pattern: p.to_owned(),
                },
            })
            .collect();
        Ok(Self(Hosts::Plain(patterns)))
    }

    /// Whether this is one hashed host.
    #[must_use]
    pub fn is_hashed(&self) -> bool {
        matches!(self.0, Hosts::Hashed { .. })
    }

    /// The plain patterns, in order (empty for a hashed host).
    #[must_use]
    pub fn patterns(&self) -> &[HostPattern] {
        match &self.0 {
            Hosts::Plain(p) => p,
            Hosts::Hashed { .. } => &[],
        }
    }

    /// Whether ssh would use this line for `host` on `port`, as OpenSSH's hostfile.c does. The
    /// name looked up is `host` for port 22 (or 0), `[host]:port` otherwise (`put_host_port`).
    /// A hashed host matches when HMAC-SHA1 keyed with its salt over that name, written as
    /// `|1|SALT|HASH`, is the field's exact text. Plain patterns match case-insensitively
    /// (`match_hostname`): the list matches when some pattern matches and no negated one does;
    /// a list with a pattern over 1022 bytes matches nothing (`match_pattern_list`).
    #[must_use]
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let name = if port == 0 || port == 22 {
            host.to_owned()
        } else {
            format!("[{host}]:{port}")
        };
        match &self.0 {
            Hosts::Hashed { salt, text } => hashed_name(salt, &name) == *text,
            Hosts::Plain(patterns) => {
                let name = name.to_ascii_lowercase();
                let mut positive = false;
                for p in patterns {
                    if p.pattern.len() > MAX_SUBPATTERN_LEN {
                        return false;
                    }
                    let pattern = p.pattern.to_ascii_lowercase();
                    if glob(name.as_bytes(), pattern.as_bytes()) {
                        if p.negated {
                            return false;
                        }
                        positive = true;
                    }
                }
                positive
            }
        }
    }
}

/// `|1|SALT|HASH` with a 20-byte salt (`extract_salt`); the hash stays text.
fn parse_hashed(field: &str) -> Result<Hosts> {
    let body = field
        .strip_prefix(HASH_MAGIC)
        .ok_or(Error::InvalidHashedHost)?;
    let (b64_salt, hash) = body.split_once('|').ok_or(Error::InvalidHashedHost)?;
    if b64_salt.is_empty() || b64_salt.len() > MAX_B64_SALT_LEN || hash.is_empty() {
        return Err(Error::InvalidHashedHost);
    }
    let mut salt = [0u8; HASH_LEN];
    match base64::engine::general_purpose::STANDARD.decode_slice(b64_salt, &mut salt) {
        Ok(HASH_LEN) => Ok(Hosts::Hashed {
            salt,
            text: field.to_owned(),
        }),
        _ => Err(Error::InvalidHashedHost),
    }
}

/// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (`host_hash`).
fn hashed_name(salt: &[u8; HASH_LEN], name: &str) -> String {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(salt) else {
        return String::new();
    };
    mac.update(name.as_bytes());
    let digest = mac.finalize().into_bytes();
    format!("{HASH_MAGIC}{}|{}", b64.encode(salt), b64.encode(digest))
}

/// `match_pattern`: `*` matches any run, `?` any one byte, everything else itself. One
/// backtracking point (the last `*`), so the time is at most `name.len() * pattern.len()`
/// (OpenSSH's recursive version can take exponential time on patterns with many `*`; the
/// answers are the same).
fn glob(name: &[u8], pattern: &[u8]) -> bool {
    let (mut n, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p = p.saturating_add(1);
            }
            Some(&c) if c == b'?' || Some(&c) == name.get(n) => {
                n = n.saturating_add(1);
                p = p.saturating_add(1);
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp.saturating_add(1);
                    n = sn.saturating_add(1);
                    star = Some((sp, n));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&c| c == b'*')
}

/// A known_hosts line as ssh reads it.
#[derive(Clone, Debug)]
pub struct KnownHost {
    marker: Option<Marker>,
    hosts: HostPatterns,
    key: PublicKey,
}

impl KnownHost {
    /// The marker in front, if any.
    #[must_use]
    pub fn marker(&self) -> Option<Marker> {
        self.marker
    }

    /// The host patterns.
    #[must_use]
    pub fn hosts(&self) -> &HostPatterns {
        &self.hosts
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Whether the line applies to `host` on `port` ([`HostPatterns::matches`]).
    #[must_use]
    pub fn matches(&self, host: &str, port: u16) -> bool {
        self.hosts.matches(host, port)
    }
}

/// Reads one known_hosts line: at most one marker (`@cert-authority`, `@revoked`), the host
/// field (up to the first SPACE or TAB), then the key, which goes to the strict parser.
///
/// # Errors
/// - [`Error::CommentLine`] for a `#` line, [`Error::Empty`] for a blank one;
/// - [`Error::InvalidKnownHostsMarker`] for another `@` field or a second marker;
/// - [`Error::NotUtf8`], [`Error::InvalidHashedHost`], [`Error::KnownHostsHostField`] for the
///   host field; [`Error::MissingKey`] when nothing follows it;
/// - the strict parser's error for the key.
pub fn parse_known_hosts_line(line: &[u8], policy: &Policy) -> Result<KnownHost> {
    let mut rest = refuse_skipped(line)?;
    let mut marker = None;
    if rest.starts_with(b"@") {
        let (field, after) = split_plain_field(rest);
        marker = Some(Marker::from_field(field)?);
        if after.starts_with(b"@") {
            return Err(Error::InvalidKnownHostsMarker);
        }
        rest = after;
    }
    let (field, after) = split_plain_field(rest);
    let offset = line.len().saturating_sub(rest.len());
    let field = core::str::from_utf8(field).map_err(|e| Error::NotUtf8 {
        offset: offset.saturating_add(e.valid_up_to()),
    })?;
    let hosts = HostPatterns::parse(field)?;
    let key = key_after(after, policy)?;
    Ok(KnownHost { marker, hosts, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";

    #[test]
    fn globs() {
        for (name, pattern, want) in [
            ("host", "host", true),
            ("host", "h*", true),
            ("host", "*", true),
            ("", "*", true),
            ("", "", true),
            ("host", "", false),
            ("host", "h?st", true),
            ("host", "h?t", false),
            ("a.example.com", "*.example.com", true),
            ("example.com", "*.example.com", false),
            ("aXbXc", "*X*X*", true),
            ("aXb", "*X*X*", false),
            ("[h]:2222", "[h]:*", true),
            ("abcabd", "*abd", true),
        ] {
            assert_eq!(
                glob(name.as_bytes(), pattern.as_bytes()),
                want,
                "{name} {pattern}"
            );
        }
        // Many stars against a long name stays quick (quadratic, not exponential).
        let name = "a".repeat(4000);
        let pattern = format!("{}b", "*a".repeat(500));
        assert!(!glob(name.as_bytes(), pattern.as_bytes()));
    }

    #[test]
    fn plain_lists() {
        assert_eq!(HostPatterns::parse("a,").unwrap().patterns().len(), 1);
        assert_eq!(HostPatterns::parse(",").unwrap().patterns().len(), 1);
        assert_eq!(HostPatterns::parse("a,,").unwrap().patterns().len(), 2);
        assert!(!HostPatterns::parse("a,").unwrap().matches("", 22));
        assert!(HostPatterns::parse(",a").unwrap().matches("", 22));
        let h = HostPatterns::parse("*.example.com,!bad.example.com,10.0.0.1").unwrap();
        assert!(!h.is_hashed());
        assert_eq!(h.patterns().len(), 3);
        assert!(h.patterns()[1].negated());
        assert!(h.matches("a.example.com", 22));
        assert!(h.matches("A.Example.COM", 22));
        assert!(!h.matches("bad.example.com", 22));
        assert!(h.matches("10.0.0.1", 0));
        assert!(!h.matches("10.0.0.1", 2222));
        let p = HostPatterns::parse("[host]:2222,[*.lan]:*").unwrap();
        assert!(p.matches("host", 2222));
        assert!(!p.matches("host", 22));
        assert!(p.matches("x.lan", 8022));
        // Only negations: nothing matches.
        assert!(!HostPatterns::parse("!a").unwrap().matches("b", 22));
        let long = format!("b,{}", "a".repeat(1023));
        assert!(!HostPatterns::parse(&long).unwrap().matches("b", 22));
        for bad in ["", "a b", "a\tb", "a\u{1}"] {
            assert_eq!(
                HostPatterns::parse(bad),
                Err(Error::KnownHostsHostField),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn hashed_hosts() {
        // tests/library/file_forms.rs checks real `ssh-keygen -H` lines with `ssh-keygen -F`.
        let salt = [7u8; HASH_LEN];
        let field = hashed_name(&salt, "example.com");
        let h = HostPatterns::parse(&field).unwrap();
        assert!(h.is_hashed());
        assert!(h.matches("example.com", 22));
        assert!(!h.matches("example.org", 22));
        assert!(!h.matches("example.com", 2222));
        let ported = HostPatterns::parse(&hashed_name(&salt, "[example.com]:2222")).unwrap();
        assert!(ported.matches("example.com", 2222));
        for bad in [
            "|1|",
            "|1|AAAA|x",
            "|2|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|x",
            "|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|",
            "|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "|1|*AAAAAAAAAAAAAAAAAAAAAAAAAA=|x",
        ] {
            assert_eq!(
                HostPatterns::parse(bad),
                Err(Error::InvalidHashedHost),
                "{bad}"
            );
        }
    }

    #[test]
    fn lines() {
        let policy = Policy::inspect();
        let l = parse_known_hosts_line(format!("@revoked a,b {ED} c").as_bytes(), &policy).unwrap();
        assert_eq!(l.marker(), Some(Marker::Revoked));
        assert!(l.matches("b", 22));
        assert_eq!(l.key().comment(), "c");
        let l = parse_known_hosts_line(format!("  h\t{ED}\r").as_bytes(), &policy).unwrap();
        assert_eq!(l.marker(), None);
        for (line, err) in [
            (
                format!("@revoked @revoked h {ED}"),
                Error::InvalidKnownHostsMarker,
            ),
            (format!("@Revoked h {ED}"), Error::InvalidKnownHostsMarker),
            (format!("@cert-authority {ED}"), Error::MissingKeyType),
            ("h".to_owned(), Error::MissingKey),
            ("@revoked h  ".to_owned(), Error::MissingKey),
            ("# h k".to_owned(), Error::CommentLine),
            (" ".to_owned(), Error::Empty),
        ] {
            assert_eq!(
                parse_known_hosts_line(line.as_bytes(), &policy).unwrap_err(),
                err,
                "{line}"
            );
        }
    }
}
