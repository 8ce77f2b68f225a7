//! Readers for the shared test data in `tests/data/` (formats in tests/data/README.md).
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

/// `tests/data/` of this crate.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Reads a data file; panics with the path if it is missing.
pub fn read(rel: &str) -> Vec<u8> {
    let p = data_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Undoes the escapes of the data files: `\\`, `\t`, `\n`, `\r`, `\0`, `\xHH`, `\u{H..}`.
pub fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b[i + 1] {
            b'\\' => {
                out.push(b'\\');
                i += 2;
            }
            b't' => {
                out.push(b'\t');
                i += 2;
            }
            b'n' => {
                out.push(b'\n');
                i += 2;
            }
            b'r' => {
                out.push(b'\r');
                i += 2;
            }
            b'0' => {
                out.push(0);
                i += 2;
            }
            b'x' => {
                let hex = std::str::from_utf8(&b[i + 2..i + 4]).expect("hex escape");
                out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                i += 4;
            }
            b'u' => {
                let end = s[i..].find('}').expect("unicode escape") + i;
                let hex = &s[i + 3..end];
                let c = char::from_u32(u32::from_str_radix(hex, 16).expect("unicode escape"))
                    .expect("unicode scalar");
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i = end + 1;
            }
            other => panic!("unknown escape \\{}", other as char),
        }
    }
    out
}

/// One line of a case file: the expected value, the input, the line number.
#[derive(Debug, Clone)]
pub struct Case {
    pub expected: String,
    pub input: Vec<u8>,
    pub line: usize,
    pub note: String,
}

/// Reads `EXPECTED<TAB>ESCAPED-INPUT[<TAB># note]` lines, skipping blanks and `#` comments.
pub fn cases(rel: &str) -> Vec<Case> {
    let text = String::from_utf8(read(rel)).expect("case files are UTF-8");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let expected = parts.next().unwrap_or_default().to_owned();
        let input = unescape(
            parts
                .next()
                .unwrap_or_else(|| panic!("{rel}:{}: no input", i + 1)),
        );
        let note = parts.next().unwrap_or_default().to_owned();
        out.push(Case {
            expected,
            input,
            line: i + 1,
            note,
        });
    }
    assert!(!out.is_empty(), "{rel} has no cases");
    out
}

/// `fingerprints.txt`: (key file relative to tests/data, expected `ssh-keygen -l` line).
pub fn fingerprint_lines() -> Vec<(String, String)> {
    let text = String::from_utf8(read("fingerprints.txt")).expect("UTF-8");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, line) = l.split_once('\t').expect("FILE<TAB>LINE");
            (file.to_owned(), line.to_owned())
        })
        .collect()
}

/// Every public key file under `tests/data/keys/`.
pub fn key_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data_dir().join("keys"))
        .expect("tests/data/keys")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pub"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no keys in tests/data/keys");
    v
}

/// The private keys a caller might paste into a request (tests/api/api_redaction.rs and
/// tests/process/pasted_key.rs): PEM (PKCS#1 RSA, SEC1 EC, PKCS#8, encrypted PKCS#8, DSA),
/// OpenSSH (plain, encrypted, RSA over 1024 bytes), PuTTY PPK v2 and v3, and an OpenSSH key's body
/// without its armour lines; each with its file name (or a description).
pub fn pasted_keys() -> Vec<(String, String)> {
    let text = |f: &str| String::from_utf8(read(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let mut keys: Vec<(String, String)> = [
        "private/rsa1024.pkcs1.pem",
        "private/ec256.sec1.pem",
        "private/ed25519.pkcs8.pem",
        "private/ec256.pkcs8.encrypted.pem",
        "private/dsa1024.pem",
        "private/openssh_ed25519",
        "private/openssh_ed25519_encrypted",
        "private/openssh_rsa2048",
        "private/putty_rsa1024_v2.ppk",
        "private/putty_ed25519.ppk",
    ]
    .iter()
    .map(|f| ((*f).to_owned(), text(f)))
    .collect();
    let body: String = text("private/openssh_ed25519")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    keys.push(("OpenSSH body without armour".into(), body));
    keys
}
