//! `keypairs fingerprint`: `ssh-keygen -l` for one key, a private key file's public half, or each
//! line of an authorized_keys or known_hosts file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keypairs::{Error, INSPECT_MAX_LEN, KeyType, Policy, PublicKey, parse_public_key_with};

use crate::input::{self, ReadError};
use crate::report::Report;

/// Largest file read in `--each-line` mode.
const MAX_FILE_LEN: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Hash {
    Md5,
    Sha256,
}

/// Print a public key's size, fingerprint, comment and type, as `ssh-keygen -l` does.
///
/// The whole input is one key (up to 16 KiB, so big RSA keys and ML-DSA hybrids can be inspected),
/// checked with the same rules as an API import. As ssh-keygen -l, the key may follow
/// authorized_keys options (`command="x",no-pty ssh-ed25519 ...`) or known_hosts fields (host
/// names, `[host]:port`, hashed `|1|...`, an `@cert-authority` or `@revoked` marker): they are
/// skipped and the key after them is checked. A private key file (OpenSSH, also encrypted; PEM
/// PKCS#1, SEC1 or PKCS#8, unencrypted) gives its public half. SHA-256 by default, as ssh-keygen;
/// -E md5 gives the API's MD5 form.
///
/// Examples:
///   keypairs fingerprint ~/.ssh/id_ed25519.pub
///   keypairs fingerprint -f ~/.ssh/id_ed25519
///   keypairs fingerprint -E md5 --json - < key.pub
///   keypairs fingerprint --each-line ~/.ssh/authorized_keys
///   keypairs fingerprint --each-line -f ~/.ssh/known_hosts
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// Hash for the fingerprint shown (the JSON output always has both).
    #[arg(short = 'E', value_enum, default_value = "sha256")]
    hash: Hash,
    /// Print JSON (one object; one object per line with --each-line).
    #[arg(long)]
    json: bool,
    /// Treat each line of the input as a key: authorized_keys or known_hosts files (blank and
    /// '#' lines skipped).
    #[arg(long)]
    each_line: bool,
    /// The key file; '-' or nothing reads standard input.
    #[arg(conflicts_with = "file_flag")]
    file: Option<PathBuf>,
    /// The key file, as ssh-keygen -f.
    #[arg(short = 'f', value_name = "FILE")]
    file_flag: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let limit = if args.each_line {
        MAX_FILE_LEN
    } else {
        u64::try_from(INSPECT_MAX_LEN).unwrap_or(u64::MAX)
    };
    let file = args.file.as_ref().or(args.file_flag.as_ref());
    let input = match input::read_all(file.map(PathBuf::as_path), limit) {
        Ok(b) => b,
        Err(e) => return read_failed(&e, args.json),
    };
    if args.each_line {
        return run_each_line(args, &input);
    }
    let policy = Policy::inspect();
    let mut report = Report::new();
    match parse_one(&input, &policy).map(|(k, f)| (with_pub_comment(k, &input, file), f)) {
        Ok((key, fields)) => {
            let _ = if args.json {
                report.json(&with_fields(key_json(&key, None), &fields))
            } else {
                report.line(&keygen_line(&key, args.hash, &fields))
            };
        }
        Err(e) => {
            if args.json {
                let _ = report.json(&error_json(&e, None));
            }
            report.error(&single_key_error(&e));
        }
    }
    report.finish("errors")
}

/// A file that cannot be read: the reason on standard error (and as JSON on standard output
/// with `--json`); exit 1.
fn read_failed(e: &ReadError, json: bool) -> ExitCode {
    let mut report = Report::new();
    if json {
        let v = serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string()}});
        let _ = report.json(&v);
    }
    report.error(&e.to_string());
    report.finish("errors")
}

fn run_each_line(args: &Args, input: &[u8]) -> ExitCode {
    let policy = Policy::inspect();
    let mut report = Report::new();
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        let number = i + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        let written = match parse_line(line, &policy) {
            Ok((key, fields)) => {
                if args.json {
                    report.json(&with_fields(key_json(&key, Some(number)), &fields))
                } else {
                    report.line(&keygen_line(&key, args.hash, &fields))
                }
            }
            Err(e) => {
                report.error(&format!("line {number}: {e}"));
                if args.json {
                    report.json(&error_json(&e, Some(number)))
                } else {
                    Ok(())
                }
            }
        };
        if written.is_err() {
            // Standard output is gone (`| head`): nobody reads the rest.
            break;
        }
    }
    report.finish("invalid lines")
}

/// `ssh-keygen -l`'s line: `BITS HASH COMMENT (TYPE)`.
pub(crate) fn key_line(key: &PublicKey, hash: Hash) -> String {
    let fp = match hash {
        Hash::Md5 => key.md5_fingerprint().prefixed(),
        Hash::Sha256 => key.sha256_fingerprint().to_string(),
    };
    let comment = if key.comment().is_empty() {
        "no comment"
    } else {
        key.comment()
    };
    format!("{} {fp} {comment} ({})", key.bits(), key.label())
}

pub(crate) fn key_json(key: &PublicKey, line: Option<usize>) -> serde_json::Value {
    let mut v = serde_json::json!({
        "type": key.algorithm_name(),
        "label": key.label(),
        "bits": key.bits(),
        "md5": key.md5_fingerprint().to_string(),
        "sha256": key.sha256_fingerprint().to_string(),
        "comment": key.comment(),
        "deprecated": key.deprecated(),
        "certificate": key.is_certificate(),
        "canonical": key.to_openssh(),
    });
    if let Some(c) = key.certificate() {
        v["certificate_info"] = serde_json::json!({
            "serial": c.serial(),
            "cert_type": format!("{:?}", c.cert_type()).to_lowercase(),
            "key_id": String::from_utf8_lossy(key.certificate_key_id()),
            "principals": key
                .certificate_principals()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect::<Vec<_>>(),
            "valid_after": c.valid_after(),
            "valid_before": c.valid_before(),
            "ca_key_type": c.ca_key_type().name(),
            "signature_algorithm": c.signature_algorithm().name(),
        });
    }
    if let Some(n) = line {
        v["line"] = n.into();
    }
    v
}

pub(crate) fn error_json(e: &Error, line: Option<usize>) -> serde_json::Value {
    let mut v = serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string()}});
    if let Some(n) = line {
        v["line"] = n.into();
    }
    v
}

// ----- ssh-keygen -l's inputs: authorized_keys and known_hosts lines, private key files ----------

/// The message for a refused single key, with a hint where the input is another kind of file.
fn single_key_error(e: &Error) -> String {
    match e {
        Error::InvalidPrivateKey => "cannot read the public half of this private key (encrypted \
             PEM, DSA or malformed): fingerprint its .pub file instead"
            .to_owned(),
        Error::LineBreak { .. } => format!(
            "invalid public key: {e} (for authorized_keys or known_hosts files, use --each-line)"
        ),
        Error::CommentLine => "no public key: the input holds only '#' comment and blank lines, \
             which are skipped as ssh-keygen -l skips them (a commented-out key is not a key)"
            .to_owned(),
        _ => format!("invalid public key: {e}"),
    }
}

/// What stood before the key on an authorized_keys or known_hosts line.
#[derive(Debug, Default)]
pub(crate) struct LineFields {
    /// `@cert-authority` or `@revoked`.
    marker: Option<String>,
    /// The authorized_keys options or the known_hosts host names, as written.
    before_key: Option<String>,
}

/// One key: a private key file's public half, or one line (with options or host fields skipped).
fn parse_one(input: &[u8], policy: &Policy) -> Result<(PublicKey, LineFields), Error> {
    if let Some(line) = private_key_public_line(input) {
        let line = line?;
        return parse_public_key_with(line.as_bytes(), policy).map(|k| (k, LineFields::default()));
    }
    // Blank and '#' comment lines are skipped, as ssh-keygen -l does.
    let mut lines = key_lines(input);
    let Some((start, line)) = lines.next() else {
        return Err(if input.trim_ascii().is_empty() {
            Error::Empty
        } else {
            Error::CommentLine
        });
    };
    if lines.next().is_some() {
        // Several key lines: one key is one line (the break after the first key line).
        let end = start + line.len();
        let offset = input
            .get(start..)
            .and_then(|s| s.iter().position(|&b| b == b'\r' || b == b'\n'))
            .map_or(end, |p| start + p);
        return Err(Error::LineBreak { offset });
    }
    parse_line(line, policy)
}

/// The lines of `input` that may hold a key, with their offsets: blank lines and lines whose
/// first non-blank character is '#' are skipped (as ssh-keygen -l and sshd do).
fn key_lines(input: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut offset = 0;
    input
        .split(|&b| b == b'\n')
        .map(move |line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line)
        })
        .filter(|(_, line)| {
            let t = line.trim_ascii();
            !t.is_empty() && !t.starts_with(b"#")
        })
}

/// A private key without a comment (an encrypted OpenSSH key keeps it encrypted) takes the
/// comment of `FILE.pub` when that holds the same key, as ssh-keygen -l does.
fn with_pub_comment(key: PublicKey, input: &[u8], file: Option<&PathBuf>) -> PublicKey {
    if !key.comment().is_empty() || private_key_public_line(input).is_none() {
        return key;
    }
    let Some(path) = file else { return key };
    let mut public = path.as_os_str().to_owned();
    public.push(".pub");
    let limit = u64::try_from(INSPECT_MAX_LEN).unwrap_or(u64::MAX);
    match input::read_all(Some(Path::new(&public)), limit)
        .ok()
        .and_then(|b| parse_public_key_with(&b, &Policy::inspect()).ok())
    {
        Some(pub_key) if pub_key.sha256_fingerprint() == key.sha256_fingerprint() => pub_key,
        _ => key,
    }
}

/// An authorized_keys or known_hosts line: skips an `@` marker, then the options or host names
/// (a first field that is not a key type; double quotes may hold spaces), and hands the rest to
/// the strict parser. If the rest is not a key, the error is the whole line's.
fn parse_line(line: &[u8], policy: &Policy) -> Result<(PublicKey, LineFields), Error> {
    let mut rest = line.trim_ascii_start();
    let mut fields = LineFields::default();
    if rest.starts_with(b"#") {
        return Err(Error::CommentLine);
    }
    if rest.starts_with(b"@") {
        let (marker, after) = split_field(rest);
        fields.marker = Some(String::from_utf8_lossy(marker).into_owned());
        rest = after;
    }
    let (first, after) = split_field(rest);
    if KeyType::from_name(first).is_none() && !after.is_empty() {
        fields.before_key = Some(String::from_utf8_lossy(first).into_owned());
        rest = after;
    }
    if rest.len() == line.len() {
        return parse_public_key_with(line, policy).map(|k| (k, fields));
    }
    match parse_public_key_with(rest, policy) {
        Ok(key) => Ok((key, fields)),
        Err(e) => match parse_public_key_with(line, policy) {
            Ok(key) => Ok((key, LineFields::default())),
            // The whole line's error names the prefix just skipped: the key's error says more.
            Err(Error::AuthorizedKeysOptions | Error::KnownHostsLine | Error::KnownHostsMarker) => {
                Err(e)
            }
            Err(whole) => Err(whole),
        },
    }
}

/// The first field (up to unquoted whitespace; `\"` escapes a quote) and the rest after the
/// whitespace that follows it.
fn split_field(s: &[u8]) -> (&[u8], &[u8]) {
    let mut quoted = false;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' if quoted && s.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b' ' | b'\t' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    let (field, rest) = s.split_at(i.min(s.len()));
    (field, rest.trim_ascii_start())
}

/// `ssh-keygen -l`'s line; for a key without a comment, the options or host names stand in the
/// comment's place, as ssh-keygen prints them.
fn keygen_line(key: &PublicKey, hash: Hash, fields: &LineFields) -> String {
    let line = key_line(key, hash);
    let line = match (&fields.before_key, key.comment().is_empty()) {
        (Some(before), true) => line.replacen(" no comment (", &format!(" {before} ("), 1),
        _ => line,
    };
    // A marker line (ssh-keygen -l skips them) says so first: a revoked key must not read as
    // a trusted one. The first field of a key line is its size, so '@' cannot be mistaken.
    match &fields.marker {
        Some(marker) => format!("{marker} {line}"),
        None => line,
    }
}

fn with_fields(mut v: serde_json::Value, fields: &LineFields) -> serde_json::Value {
    if let Some(m) = &fields.marker {
        v["marker"] = m.as_str().into();
    }
    if let Some(b) = &fields.before_key {
        v["before_key"] = b.as_str().into();
    }
    v
}

/// The public line of a private key file, if `input` is one: OpenSSH (also encrypted: its public
/// half is in clear), PKCS#1 RSA, SEC1 EC or PKCS#8 PEM (unencrypted). `None` if it is no private
/// key; an error if it is one that cannot be read.
fn private_key_public_line(input: &[u8]) -> Option<Result<String, Error>> {
    let text = core::str::from_utf8(input).ok()?.trim_start();
    let label = text.strip_prefix("-----BEGIN ")?.split("-----").next()?;
    let line = match label {
        "OPENSSH PRIVATE KEY" => ssh_key::PrivateKey::from_openssh(text)
            .ok()
            .and_then(|k| k.public_key().to_openssh().ok()),
        "RSA PRIVATE KEY" => keypairs::GeneratedKey::from_pkcs1_pem(text, "")
            .ok()
            .map(|k| k.public_line()),
        "EC PRIVATE KEY" => ec_public_line(text, false),
        "PRIVATE KEY" => pkcs8_public_line(text),
        "ENCRYPTED PRIVATE KEY" | "DSA PRIVATE KEY" => None,
        _ => return None,
    };
    Some(line.ok_or(Error::InvalidPrivateKey))
}

/// The public line of a SEC1 (`EC PRIVATE KEY`) or PKCS#8 EC key on P-256, P-384 or P-521.
fn ec_public_line(text: &str, pkcs8: bool) -> Option<String> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    use p256::pkcs8::DecodePrivateKey as _;
    macro_rules! point {
        ($curve:ident) => {{
            let key = if pkcs8 {
                $curve::SecretKey::from_pkcs8_pem(text).ok()
            } else {
                $curve::SecretKey::from_sec1_pem(text).ok()
            };
            key.map(|k| k.public_key().to_sec1_point(false).as_bytes().to_vec())
        }};
    }
    let (name, curve, point) = if let Some(p) = point!(p256) {
        ("ecdsa-sha2-nistp256", "nistp256", p)
    } else if let Some(p) = point!(p384) {
        ("ecdsa-sha2-nistp384", "nistp384", p)
    } else {
        ("ecdsa-sha2-nistp521", "nistp521", point!(p521)?)
    };
    let mut blob = Vec::new();
    for field in [name.as_bytes(), curve.as_bytes(), &point] {
        blob.extend_from_slice(&u32::try_from(field.len()).ok()?.to_be_bytes());
        blob.extend_from_slice(field);
    }
    Some(public_line(name, &blob))
}

/// The public line of an unencrypted PKCS#8 key: Ed25519, ECDSA or RSA.
fn pkcs8_public_line(text: &str) -> Option<String> {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(text) {
        let mut blob = Vec::new();
        for field in [&b"ssh-ed25519"[..], &k.verifying_key().to_bytes()] {
            blob.extend_from_slice(&u32::try_from(field.len()).ok()?.to_be_bytes());
            blob.extend_from_slice(field);
        }
        return Some(public_line("ssh-ed25519", &blob));
    }
    if let Some(line) = ec_public_line(text, true) {
        return Some(line);
    }
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let key = rsa::PrivateKey::from_pkcs8_pem(text).ok()?;
    let pkcs1 = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).ok()?;
    keypairs::GeneratedKey::from_pkcs1_pem(&pkcs1, "")
        .ok()
        .map(|k| k.public_line())
}

fn public_line(name: &str, blob: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "{name} {}",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}
