//! `keypairs fingerprint`: `ssh-keygen -l` for one key, or for each line of an authorized_keys file.

use std::path::PathBuf;
use std::process::ExitCode;

use keypairs::{Error, INSPECT_MAX_LEN, Policy, PublicKey, parse_public_key_with};

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
/// checked with the same rules as an API import.
///
/// Examples:
///   keypairs fingerprint ~/.ssh/id_ed25519.pub
///   keypairs fingerprint -E sha256 --json - < key.pub
///   keypairs fingerprint --each-line ~/.ssh/authorized_keys
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// Hash for the fingerprint shown (the JSON output always has both).
    #[arg(short = 'E', value_enum, default_value = "md5")]
    hash: Hash,
    /// Print JSON (one object; one object per line with --each-line).
    #[arg(long)]
    json: bool,
    /// Treat each line of the input as a key (authorized_keys style: blank and '#' lines skipped).
    #[arg(long)]
    each_line: bool,
    /// The key file; '-' or nothing reads standard input.
    file: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let limit = if args.each_line {
        MAX_FILE_LEN
    } else {
        u64::try_from(INSPECT_MAX_LEN).unwrap_or(u64::MAX)
    };
    let input = match input::read_all(args.file.as_deref(), limit) {
        Ok(b) => b,
        Err(e) => return read_failed(&e, args.json),
    };
    if args.each_line {
        return run_each_line(args, &input);
    }
    let policy = Policy::inspect();
    let mut report = Report::new();
    match parse_public_key_with(&input, &policy) {
        Ok(key) => {
            let _ = if args.json {
                report.json(&key_json(&key, None))
            } else {
                report.line(&key_line(&key, args.hash))
            };
        }
        Err(e) => {
            if args.json {
                let _ = report.json(&error_json(&e, None));
            }
            report.error(&format!("invalid public key: {e}"));
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
        let written = match parse_public_key_with(line, &policy) {
            Ok(key) => {
                if args.json {
                    report.json(&key_json(&key, Some(number)))
                } else {
                    report.line(&key_line(&key, args.hash))
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
