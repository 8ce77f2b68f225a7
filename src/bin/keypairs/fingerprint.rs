//! `keypairs fingerprint`: `ssh-keygen -l` for one key, or for each line of an authorized_keys file.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use keypairs::{Error, INSPECT_MAX_LEN, Policy, PublicKey, parse_public_key_with};

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
        // One byte more than the policy allows, so an oversized input is reported as such.
        u64::try_from(INSPECT_MAX_LEN).unwrap_or(u64::MAX) + 1
    };
    let input = match read_input(args.file.as_ref(), limit) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("keypairs: cannot read input: {e}");
            return ExitCode::from(1);
        }
    };
    if args.each_line {
        return run_each_line(args, &input);
    }
    let policy = Policy::inspect();
    let mut out = std::io::stdout().lock();
    match parse_public_key_with(&input, &policy) {
        Ok(key) => {
            let line = if args.json {
                key_json(&key, None).to_string()
            } else {
                key_line(&key, args.hash)
            };
            let _ = writeln!(out, "{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            if args.json {
                let _ = writeln!(out, "{}", error_json(&e, None));
            }
            eprintln!("keypairs: invalid public key: {e}");
            ExitCode::from(1)
        }
    }
}

fn run_each_line(args: &Args, input: &[u8]) -> ExitCode {
    let policy = Policy::inspect();
    let mut out = std::io::stdout().lock();
    let mut bad = 0usize;
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        let number = i + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        match parse_public_key_with(line, &policy) {
            Ok(key) => {
                let text = if args.json {
                    key_json(&key, Some(number)).to_string()
                } else {
                    key_line(&key, args.hash)
                };
                let _ = writeln!(out, "{text}");
            }
            Err(e) => {
                bad += 1;
                if args.json {
                    let _ = writeln!(out, "{}", error_json(&e, Some(number)));
                }
                eprintln!("keypairs: line {number}: {e}");
            }
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read_input(file: Option<&PathBuf>, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match file {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::File::open(p)?.take(limit).read_to_end(&mut buf)?;
        }
        _ => {
            std::io::stdin().lock().take(limit).read_to_end(&mut buf)?;
        }
    }
    Ok(buf)
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
