//! The operator file forms (`src/file_forms`): known_hosts host matching against the real
//! `ssh-keygen -F` (plain and `ssh-keygen -H`-hashed files), authorized_keys options, private key
//! files' public halves against `ssh-keygen -y`, and the KDF-rounds bound.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use keypairs::{
    Error, HostPatterns, Marker, Policy, PrivateKeyFileKind, is_private_key_file, key_lines,
    parse_authorized_keys_line, parse_known_hosts_line, read_private_key_file,
};

use crate::tools;

const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";

/// `ssh-keygen` is here, or the test is skipped (failed in CI).
fn have_ssh_keygen() -> bool {
    let missing = tools::missing_tools(&["ssh-keygen"]);
    assert!(
        missing.is_empty() || !tools::in_ci(),
        "ssh-keygen is required in CI"
    );
    if !missing.is_empty() {
        eprintln!("skipped: ssh-keygen not installed");
    }
    missing.is_empty()
}

/// A fresh directory, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("keypairs-ff-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The line numbers `ssh-keygen -F NAME -f FILE` reports (`# Host NAME found: line N`).
fn keygen_found(file: &Path, name: &str) -> BTreeSet<usize> {
    let out = Command::new("ssh-keygen")
        .args(["-F", name, "-f", file.to_str().unwrap()])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split(" found: line ").nth(1))
        .map(|n| n.split_whitespace().next().unwrap().parse().unwrap())
        .collect()
}

/// The line numbers whose entry matches `host` on `port`, by this crate.
fn ours_found(body: &str, host: &str, port: u16) -> BTreeSet<usize> {
    key_lines(body.as_bytes())
        .filter(|l| {
            parse_known_hosts_line(l.text, &Policy::inspect())
                .unwrap()
                .matches(host, port)
        })
        .map(|l| l.number)
        .collect()
}

#[test]
fn host_matching_agrees_with_ssh_keygen_f_on_plain_and_hashed_files() {
    if !have_ssh_keygen() {
        return;
    }
    let dir = Dir::new("hosts");
    let plain = [
        "host1,10.0.0.2",
        "[host2]:2222",
        "*.example.com,!bad.example.com",
        "h?st3",
        "@revoked rev.example.org",
        "HOST4",
        "@cert-authority *.ca.org",
        "[*.lan]:*,!=",
        "# a comment",
        "!only.negated",
        "a*b*c*d,[10.1.1.1]:22",
    ];
    let body: String = plain
        .iter()
        .map(|p| {
            if p.starts_with('#') {
                format!("{p}\n")
            } else {
                format!("{p} {ED}\n")
            }
        })
        .collect();
    let plain_file = dir.path("known_hosts");
    std::fs::write(&plain_file, &body).unwrap();
    // `ssh-keygen -H` hashes every host it can (one line per name), leaving wildcards as they are.
    let hashed_file = dir.path("known_hosts_hashed");
    std::fs::write(&hashed_file, &body).unwrap();
    let out = Command::new("ssh-keygen")
        .args(["-H", "-f", hashed_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hashed = std::fs::read_to_string(&hashed_file).unwrap();
    assert!(
        hashed.lines().filter(|l| l.starts_with("|1|")).count() >= 4,
        "{hashed}"
    );

    let queries: [(&str, u16); 17] = [
        ("host1", 22),
        ("10.0.0.2", 22),
        ("host1", 2200),
        ("host2", 2222),
        ("host2", 22),
        ("a.example.com", 22),
        ("bad.example.com", 22),
        ("host3", 22),
        ("hoost3", 22),
        ("rev.example.org", 22),
        ("host4", 22),
        ("HOST4", 22),
        ("x.ca.org", 22),
        ("box.lan", 8022),
        ("only.negated", 22),
        ("aXbYcZd", 22),
        ("10.1.1.1", 22),
    ];
    let mut compared = 0;
    for (file, text) in [(&plain_file, &body), (&hashed_file, &hashed)] {
        for (host, port) in queries {
            let name = if port == 22 {
                host.to_owned()
            } else {
                format!("[{host}]:{port}")
            };
            assert_eq!(
                ours_found(text, host, port),
                keygen_found(file, &name),
                "{} -F {name}",
                file.display()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 34);
    // The markers and what they say.
    let line = parse_known_hosts_line(
        format!("@revoked rev.example.org {ED}").as_bytes(),
        &Policy::inspect(),
    )
    .unwrap();
    assert_eq!(line.marker(), Some(Marker::Revoked));
    assert_eq!(line.marker().unwrap().to_string(), "@revoked");
}

#[test]
fn authorized_keys_lines_give_their_options() {
    let policy = Policy::inspect();
    let body = format!(
        "# header\n\
         {ED} bare\n\
         restrict,command=\"echo \\\"hi there\\\"\",from=\"10.0.0.0/8\" {ED} opts\n\
         no-port-forwarding,NO-PTY,environment=\"A=b c\"\t{ED}\n\
         permitopen=\"host:22\",tunnel=\"1\",expiry-time=\"20300101\",principals=\"a,b\" {ED}\n"
    );
    let got: Vec<Vec<(String, bool, Option<String>)>> = key_lines(body.as_bytes())
        .map(|l| {
            parse_authorized_keys_line(l.text, &policy)
                .unwrap()
                .options()
                .iter()
                .map(|o| {
                    (
                        o.name().to_owned(),
                        o.negated(),
                        o.value().map(str::to_owned),
                    )
                })
                .collect()
        })
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        got,
        vec![
            vec![],
            vec![
                ("restrict".to_owned(), false, None),
                ("command".to_owned(), false, s("echo \"hi there\"")),
                ("from".to_owned(), false, s("10.0.0.0/8")),
            ],
            vec![
                ("port-forwarding".to_owned(), true, None),
                ("pty".to_owned(), true, None),
                ("environment".to_owned(), false, s("A=b c")),
            ],
            vec![
                ("permitopen".to_owned(), false, s("host:22")),
                ("tunnel".to_owned(), false, s("1")),
                ("expiry-time".to_owned(), false, s("20300101")),
                ("principals".to_owned(), false, s("a,b")),
            ],
        ]
    );
    let e =
        parse_authorized_keys_line(format!("command=\"x {ED}").as_bytes(), &policy).unwrap_err();
    assert_eq!(e.kind(), "invalid_authorized_keys_options");
    assert!(e.to_string().contains("missing end quote"), "{e}");
}

fn private(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/private")
            .join(name),
    )
    .unwrap()
}

#[test]
fn private_key_files_give_their_public_half() {
    let policy = Policy::inspect();
    let keygen = have_ssh_keygen();
    for (name, kind, encrypted) in [
        ("openssh_ed25519", PrivateKeyFileKind::OpenSsh, false),
        ("openssh_ecdsa256", PrivateKeyFileKind::OpenSsh, false),
        ("openssh_rsa2048", PrivateKeyFileKind::OpenSsh, false),
        (
            "openssh_ed25519_encrypted",
            PrivateKeyFileKind::OpenSsh,
            true,
        ),
        ("rsa1024.pkcs1.pem", PrivateKeyFileKind::Pkcs1, false),
        ("ec256.sec1.pem", PrivateKeyFileKind::Sec1, false),
        ("ed25519.pkcs8.pem", PrivateKeyFileKind::Pkcs8, false),
    ] {
        let input = private(name);
        assert!(is_private_key_file(&input), "{name}");
        let file = read_private_key_file(&input, &policy).unwrap();
        assert_eq!(file.kind(), kind, "{name}");
        assert_eq!(file.encryption().is_some(), encrypted, "{name}");
        if encrypted {
            let e = file.encryption().unwrap();
            assert_eq!(e.cipher(), "aes256-ctr");
            assert!(e.kdf_rounds().is_some_and(|r| r >= 1));
        }
        if keygen && !encrypted {
            let copy =
                crate::keyfile::KeyFile::new("ff-private", std::str::from_utf8(&input).unwrap());
            let out = Command::new("ssh-keygen")
                .args(["-y", "-f", copy.path()])
                .output()
                .unwrap();
            if out.status.success() {
                let theirs = String::from_utf8(out.stdout).unwrap();
                let theirs: Vec<&str> = theirs.split_whitespace().take(2).collect();
                let ours = file.public_key().to_openssh();
                let ours: Vec<&str> = ours.split_whitespace().take(2).collect();
                assert_eq!(ours, theirs, "{name}");
            }
        }
    }
    for name in ["ec256.pkcs8.encrypted.pem", "dsa1024.pem"] {
        assert_eq!(
            read_private_key_file(&private(name), &policy).unwrap_err(),
            Error::InvalidPrivateKey,
            "{name}"
        );
    }
    assert_eq!(
        read_private_key_file(&private("putty_ed25519.ppk"), &policy).unwrap_err(),
        Error::NotPrivateKeyFile
    );
}

/// Replaces the bcrypt-pbkdf round count in an encrypted OpenSSH key file.
fn with_kdf_rounds(pem: &str, rounds: u32) -> String {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut blob = b64.decode(body).unwrap();
    // "openssh-key-v1\0", string cipher, string kdf, string kdfoptions = (string salt, u32 rounds).
    fn skip(blob: &[u8], at: &mut usize) {
        let n = u32::from_be_bytes(blob[*at..*at + 4].try_into().unwrap()) as usize;
        *at += 4 + n;
    }
    let mut at = 15;
    skip(&blob, &mut at); // cipher
    skip(&blob, &mut at); // kdf name
    at += 4; // kdfoptions length
    skip(&blob, &mut at); // salt
    blob[at..at + 4].copy_from_slice(&rounds.to_be_bytes());
    let text = b64.encode(&blob);
    let mut out = String::from("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    for chunk in text.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END OPENSSH PRIVATE KEY-----\n");
    out
}

#[test]
fn huge_kdf_rounds_are_refused_before_any_work() {
    let policy = Policy::inspect();
    let pem = String::from_utf8(private("openssh_ed25519_encrypted")).unwrap();
    let same = with_kdf_rounds(&pem, 16);
    assert_eq!(
        read_private_key_file(same.as_bytes(), &policy)
            .unwrap()
            .encryption()
            .unwrap()
            .kdf_rounds(),
        Some(16)
    );
    for rounds in [0, keypairs::MAX_KDF_ROUNDS + 1, u32::MAX] {
        let forged = with_kdf_rounds(&pem, rounds);
        let started = std::time::Instant::now();
        assert_eq!(
            read_private_key_file(forged.as_bytes(), &policy).unwrap_err(),
            Error::KdfRounds {
                rounds,
                max: keypairs::MAX_KDF_ROUNDS
            }
        );
        assert!(started.elapsed().as_millis() < 500);
    }
    let ok = with_kdf_rounds(&pem, keypairs::MAX_KDF_ROUNDS);
    assert!(read_private_key_file(ok.as_bytes(), &policy).is_ok());
}

/// The host field as read: patterns in order with their negation, a hashed host, bad fields.
#[test]
fn host_patterns_are_read_as_written() {
    let h = HostPatterns::parse("a.example.com,!B.example.com,[h]:2222,,x,").unwrap();
    assert!(!h.is_hashed());
    let read: Vec<(bool, &str)> = h
        .patterns()
        .iter()
        .map(|p| (p.negated(), p.pattern()))
        .collect();
    assert_eq!(
        read,
        vec![
            (false, "a.example.com"),
            (true, "B.example.com"),
            (false, "[h]:2222"),
            (false, ""),
            (false, "x"),
        ]
    );
    let hashed =
        HostPatterns::parse("|1|xLLqT8AHeRYV5aSX8DUk6Nb2C3Q=|hYH9jBJRphL4ToB5nQ9uu4AnkLg=")
            .unwrap();
    assert!(hashed.is_hashed());
    assert!(hashed.patterns().is_empty());
    for bad in [
        "|1|xLLqT8AHeRYV5aSX8DUk6Nb2C3Q=|",
        "|1||hYH9jBJRphL4ToB5nQ9uu4AnkLg=",
        "|1|xLLqT8AHeRYV5aSX8DUk6Nb2C3Q",
        "|2|xLLqT8AHeRYV5aSX8DUk6Nb2C3Q=|hYH9jBJRphL4ToB5nQ9uu4AnkLg=",
    ] {
        assert_eq!(
            HostPatterns::parse(bad),
            Err(Error::InvalidHashedHost),
            "{bad}"
        );
    }
    for bad in ["", "a b", "a\tb", "a\u{7f}", "\u{1}"] {
        assert_eq!(
            HostPatterns::parse(bad),
            Err(Error::KnownHostsHostField),
            "{bad:?}"
        );
        assert_eq!(Error::KnownHostsHostField.kind(), "known_hosts_host_field");
    }
    // A subpattern of 1022 bytes is matched, one of 1023 makes the list match nothing
    // (match_pattern_list's 1024-byte buffer).
    let ok = format!("b,{}", "a".repeat(1022));
    assert!(HostPatterns::parse(&ok).unwrap().matches("b", 22));
    assert!(
        HostPatterns::parse(&ok)
            .unwrap()
            .matches(&"a".repeat(1022), 22)
    );
    let long = format!("b,{}", "a".repeat(1023));
    assert!(!HostPatterns::parse(&long).unwrap().matches("b", 22));
    // Non-ASCII is not a control character.
    assert!(HostPatterns::parse("höst").unwrap().matches("höst", 22));
}

/// The field before the key, split as `ssh-keygen -l` (and sshd) split it: quotes hold blanks,
/// `\"` is skipped inside quotes or not, an unterminated quote runs to the end of the line. Each
/// line alone in a file: `parse_key_line` takes it exactly when `ssh-keygen -l -f` does.
#[test]
fn fields_before_the_key_split_as_ssh_keygen_splits_them() {
    if !have_ssh_keygen() {
        return;
    }
    let dir = Dir::new("quotes");
    let lines = [
        format!("a\\\"b c\" {ED} me"),
        format!("a\\\"b\" {ED} me"),
        format!("a\\\"b {ED} me"),
        format!("\"a\\\" b\" {ED} me"),
        format!("\"a b\" {ED} me"),
        format!("a\\ b {ED} me"),
        format!("\"a\\ b\" {ED} me"),
        format!("\"a {ED} me"),
        format!("@revoked {ED} me"),
        format!(" \t{ED} me"),
    ];
    for (i, line) in lines.iter().enumerate() {
        let file = dir.path(&format!("{i}.pub"));
        std::fs::write(&file, format!("{line}\n")).unwrap();
        let keygen = Command::new("ssh-keygen")
            .args(["-l", "-f", file.to_str().unwrap()])
            .output()
            .unwrap()
            .status
            .success();
        let ours = keypairs::parse_key_line(line.as_bytes(), &Policy::inspect());
        assert_eq!(ours.is_ok(), keygen, "{line}: ours {ours:?}");
    }
}
