//! `keypairs fingerprint`: `ssh-keygen -l` for one key, a private key file's public half, or each
//! line of an authorized_keys or known_hosts file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keypairs::{
    Error, INSPECT_MAX_LEN, Marker, Policy, PublicKey, is_private_key_file, key_lines,
    parse_key_line, parse_public_key_with, read_private_key_file,
};

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
    for line in key_lines(input) {
        let number = line.number;
        let written = match parse_line(line.text, &policy) {
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
        Error::KdfRounds { .. } => format!("refusing this encrypted private key: {e}"),
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
    marker: Option<&'static str>,
    /// The authorized_keys options or the known_hosts host names, as written.
    before_key: Option<String>,
}

/// One key: a private key file's public half, or the one key line of the input (blank and
/// '#' lines are skipped, as ssh-keygen -l does; the library's `key_lines`).
fn parse_one(input: &[u8], policy: &Policy) -> Result<(PublicKey, LineFields), Error> {
    if is_private_key_file(input) {
        return read_private_key_file(input, policy)
            .map(|file| (file.into_public_key(), LineFields::default()));
    }
    let mut lines = key_lines(input);
    let Some(first) = lines.next() else {
        return Err(if input.trim_ascii().is_empty() {
            Error::Empty
        } else {
            Error::CommentLine
        });
    };
    if lines.next().is_some() {
        // Several key lines: one key is one line (the break after the first key line).
        let end = first.offset + first.text.len();
        let offset = first
            .text
            .iter()
            .position(|&b| b == b'\r')
            .map_or(end, |p| first.offset + p);
        return Err(Error::LineBreak { offset });
    }
    parse_line(first.text, policy)
}

/// A private key without a comment (an encrypted OpenSSH key keeps it encrypted) takes the
/// comment of `FILE.pub` when that holds the same key, as ssh-keygen -l does.
fn with_pub_comment(key: PublicKey, input: &[u8], file: Option<&PathBuf>) -> PublicKey {
    if !key.comment().is_empty() || !is_private_key_file(input) {
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

/// An authorized_keys or known_hosts line, as ssh-keygen -l reads it (the library's
/// `parse_key_line`).
fn parse_line(line: &[u8], policy: &Policy) -> Result<(PublicKey, LineFields), Error> {
    let line = parse_key_line(line, policy)?;
    let fields = LineFields {
        marker: line.marker().map(Marker::as_str),
        before_key: line.before_key().map(str::to_owned),
    };
    Ok((line.into_key(), fields))
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
    match fields.marker {
        Some(marker) => format!("{marker} {line}"),
        None => line,
    }
}

fn with_fields(mut v: serde_json::Value, fields: &LineFields) -> serde_json::Value {
    if let Some(m) = fields.marker {
        v["marker"] = m.into();
    }
    if let Some(b) = &fields.before_key {
        v["before_key"] = b.as_str().into();
    }
    v
}
