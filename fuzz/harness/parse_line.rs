//! Invariants of the operator line readers (`keypairs::{key_lines, parse_key_line,
//! parse_authorized_keys_line, parse_known_hosts_line, HostPatterns}`) on arbitrary bytes.
//! Shared by `fuzz_targets/parse_line.rs` and `tests/library/fuzz_corpus.rs`.
//!
//! - `key_lines` yields exactly the lines that are neither blank nor `#` lines, in order, with
//!   their numbers and offsets; each reader refuses a `#` line with `comment_line`.
//! - Whatever a reader accepts, the key after the prefix is what the strict parser gives for
//!   the rest of the line, and the line rebuilt from what was read (marker, options re-quoted,
//!   host field, canonical key) reads back to the same marker, options, hosts and key.
//! - `parse_key_line` (ssh-keygen -l) and the two strict readers agree on the key when they both
//!   accept (with known_hosts, unless the host field holds a `"`: ssh-keygen -l reads quotes
//!   there, hostfile.c does not); a bare key is read by all three as the strict parser reads it.
//! - `HostPatterns::matches` equals OpenSSH's own recursive `match_pattern_list`, written out
//!   here, on names made from the patterns and on the key's comment, for ports 22 and 2222.
//! - Errors: a non-empty snake_case kind and a short message.

use super::common::check_error;
use keypairs::{
    AuthorizedKeyOption, Error, HostPatterns, Policy, key_lines, parse_authorized_keys_line,
    parse_key_line, parse_known_hosts_line, parse_public_key_with,
};

/// Runs every invariant on one input.
///
/// # Panics
/// On a breach, with a message naming the invariant.
pub(crate) fn check(data: &[u8]) {
    check_lines(data);
    // The whole input as one line (a '\n' inside is the strict parser's to refuse).
    check_line(data);
    // Each line on its own (a one-line input is that line: checked above already).
    for line in key_lines(data).take(8).filter(|l| l.text != data) {
        check_line(line.text);
    }
}

fn check_lines(data: &[u8]) {
    let mut expected = Vec::new();
    let mut offset = 0usize;
    // memchr, not a byte loop: the harness's own compares are instrumented too, and a byte loop
    // here cost a tenth of each run.
    let ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    for (i, end) in ends.enumerate() {
        let text = &data[offset..end];
        let t = text.trim_ascii();
        if !t.is_empty() && t.first() != Some(&b'#') {
            expected.push((i + 1, offset, text));
        }
        offset += text.len() + 1;
    }
    let got: Vec<_> = key_lines(data)
        .map(|l| (l.number, l.offset, l.text))
        .collect();
    assert_eq!(got, expected, "key_lines");
    for (_, offset, text) in got {
        assert_eq!(
            data.get(offset..offset + text.len()),
            Some(text),
            "key_lines offset"
        );
    }
}

fn check_line(line: &[u8]) {
    let policy = Policy::inspect();
    let generic = parse_key_line(line, &policy);
    let authorized = parse_authorized_keys_line(line, &policy);
    let known = parse_known_hosts_line(line, &policy);
    let lead = line
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .map_or(&b""[..], |i| &line[i..]);
    if lead.first() == Some(&b'#') {
        for (r, who) in [
            (generic.as_ref().err(), "parse_key_line"),
            (authorized.as_ref().err(), "parse_authorized_keys_line"),
            (known.as_ref().err(), "parse_known_hosts_line"),
        ] {
            assert_eq!(r, Some(&Error::CommentLine), "{who} on a '#' line");
        }
        return;
    }
    // The readers often refuse a line with the same error: each distinct one is checked once
    // (formatting the message was a twentieth of each run).
    let errors = [
        generic.as_ref().err(),
        authorized.as_ref().err(),
        known.as_ref().err(),
    ];
    for (i, e) in errors.iter().enumerate() {
        if let Some(e) = e
            && !errors[..i].contains(&Some(*e))
        {
            check_error(e);
        }
    }
    let bare = parse_public_key_with(line, &policy);
    if let Ok(key) = &bare {
        // A bare key: every reader reads it as the strict parser does.
        let g = generic.as_ref().expect("parse_key_line refused a bare key");
        assert_eq!(g.key(), key, "parse_key_line on a bare key");
        assert!(
            g.marker().is_none() && g.before_key().is_none(),
            "bare key prefix"
        );
        let a = authorized
            .as_ref()
            .expect("authorized_keys refused a bare key");
        assert_eq!(a.key(), key, "authorized_keys on a bare key");
        assert!(a.options().is_empty(), "bare key options");
    }
    if let Ok(g) = &generic {
        if let Ok(a) = &authorized {
            assert_eq!(g.key(), a.key(), "parse_key_line and authorized_keys keys");
        }
        // ssh-keygen -l reads quotes in the field before the key, hostfile.c does not: with a
        // '"' in the host field they may split the line differently, both as OpenSSH does.
        if let Ok(k) = &known
            && !host_field(line).contains('"')
        {
            assert_eq!(g.key(), k.key(), "parse_key_line and known_hosts keys");
            assert_eq!(g.marker(), k.marker(), "markers");
        }
    }
    if let Ok(a) = &authorized {
        let mut rebuilt = render_options(a.options());
        if !rebuilt.is_empty() {
            rebuilt.push(' ');
        }
        rebuilt.push_str(&a.key().to_openssh());
        let again = parse_authorized_keys_line(rebuilt.as_bytes(), &policy)
            .expect("a rebuilt authorized_keys line reads back");
        assert_eq!(again.options(), a.options(), "options round trip");
        assert_eq!(again.key(), a.key(), "authorized key round trip");
    }
    if let Ok(k) = &known {
        let field = host_field(line);
        let mut rebuilt = String::new();
        if let Some(m) = k.marker() {
            rebuilt.push_str(m.as_str());
            rebuilt.push(' ');
        }
        rebuilt.push_str(&field);
        rebuilt.push(' ');
        rebuilt.push_str(&k.key().to_openssh());
        let again = parse_known_hosts_line(rebuilt.as_bytes(), &policy)
            .expect("a rebuilt known_hosts line reads back");
        assert_eq!(again.hosts(), k.hosts(), "hosts round trip");
        assert_eq!(again.key(), k.key(), "known host key round trip");
        check_matches(k.hosts(), &field, k.key().comment());
    }
}

/// The host field of an accepted known_hosts line (after the marker), as text.
fn host_field(line: &[u8]) -> String {
    let text = std::str::from_utf8(line).expect("an accepted known_hosts line is UTF-8");
    let text = text.trim_start_matches([' ', '\t', '\r', '\n']);
    let mut fields = text.split([' ', '\t']).filter(|f| !f.is_empty());
    let first = fields.next().expect("a host field");
    let field = if first.starts_with('@') {
        fields.next().expect("a host field after the marker")
    } else {
        first
    };
    field.to_owned()
}

/// Options written back as sshd reads them (values quoted, `"` escaped).
fn render_options(options: &[AuthorizedKeyOption]) -> String {
    let mut out = String::new();
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if o.negated() {
            out.push_str("no-");
        }
        out.push_str(o.name());
        if let Some(v) = o.value() {
            out.push_str("=\"");
            out.push_str(&v.replace('"', "\\\""));
            out.push('"');
        }
    }
    out
}

/// `matches` against OpenSSH's algorithm on a few names.
fn check_matches(hosts: &HostPatterns, field: &str, comment: &str) {
    if hosts.is_hashed() {
        // Deterministic; the HMAC itself is checked against ssh-keygen -F in the tests.
        assert_eq!(hosts.matches(comment, 22), hosts.matches(comment, 22));
        return;
    }
    let mut names: Vec<String> = hosts
        .patterns()
        .iter()
        .take(4)
        .map(|p| p.pattern().replace('*', "").replace('?', "x"))
        .collect();
    names.push(comment.to_owned());
    for name in names.iter().filter(|n| n.len() <= 40) {
        for port in [22u16, 2222] {
            let lookup = if port == 22 {
                name.clone()
            } else {
                format!("[{name}]:{port}")
            };
            if let Some(want) = openssh_match_list(&lookup.to_ascii_lowercase(), field) {
                assert_eq!(
                    hosts.matches(name, port),
                    want,
                    "matches() vs match_pattern_list"
                );
            }
        }
    }
}

/// OpenSSH's `match_pattern_list(string, pattern, 1) == 1`, or `None` where its recursion
/// would be too slow to run here (more than 3 stars in a subpattern).
fn openssh_match_list(string: &str, pattern: &str) -> Option<bool> {
    let p = pattern.as_bytes();
    let mut positive = false;
    let mut i = 0;
    // The C loop, index by index: `!`, the subpattern up to ',' (at most 1022 bytes), the ','.
    while i < p.len() {
        let negated = p[i] == b'!';
        if negated {
            i += 1;
        }
        let start = i;
        while i < p.len() && p[i] != b',' {
            i += 1;
        }
        let sub = &p[start..i];
        if sub.len() >= 1023 {
            return Some(false);
        }
        if i < p.len() {
            i += 1;
        }
        if sub.iter().filter(|&&b| b == b'*').count() > 3 {
            return None;
        }
        let sub = sub.to_ascii_lowercase();
        if match_pattern(string.as_bytes(), &sub) {
            if negated {
                return Some(false);
            }
            positive = true;
        }
    }
    Some(positive)
}

/// OpenSSH's recursive `match_pattern`.
fn match_pattern(s: &[u8], p: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => {
            let rest = &p[1..];
            if rest.is_empty() {
                return true;
            }
            (0..=s.len()).any(|i| match_pattern(&s[i..], rest))
        }
        Some(&c) => match s.first() {
            Some(&d) if c == b'?' || c == d => match_pattern(&s[1..], &p[1..]),
            _ => false,
        },
    }
}
