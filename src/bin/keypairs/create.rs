//! `keypairs create`: generate an RSA key pair and hand the private key out once.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keypairs::{NOVA_COMMENT, PrivateKeyFormat};

use crate::api::{ApiOpts, fail, with_os_keys};
use crate::fingerprint::error_json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1 PEM), what Nova's API returned.
    Pem,
    /// `-----BEGIN OPENSSH PRIVATE KEY-----`, what ssh-keygen writes.
    Openssh,
}

/// Generate an RSA key pair (e = 65537) and print its public key and fingerprints.
///
/// The private key goes to --private-key-out, a new file with mode 0600 (an existing file is
/// never overwritten), or to standard output when no path is given. Standard output then has
/// the private key (if not written to a file), the public key line, the MD5 fingerprint (as the
/// API returns it) and the SHA-256 fingerprint; with --json one object:
/// {"public_key", "fingerprint", "fingerprint_sha256", "private_key" (only without a file)}.
///
/// With --name it instead answers as `POST /os-keypairs` without public_key does (2048 bits,
/// Generated-by-Nova, PEM) and prints the API's response body (--threads still applies).
///
/// Examples:
///   keypairs create --private-key-out ~/.ssh/nova_key
///   keypairs create --bits 4096 --comment me@laptop --format openssh --private-key-out id_rsa
///   keypairs create --json > keypair.json
///   keypairs create --name mykey --microversion 2.10 --private-key-out mykey.pem
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// Modulus size: 2048, 3072 or 4096.
    #[arg(long, default_value_t = keypairs::DEFAULT_RSA_BITS)]
    bits: usize,
    /// Comment at the end of the public key line.
    #[arg(long, default_value = NOVA_COMMENT)]
    comment: String,
    /// Private key format.
    #[arg(long, value_enum, default_value = "pem")]
    format: Format,
    /// Write the private key to this new file (mode 0600) instead of standard output.
    #[arg(long, value_name = "PATH")]
    private_key_out: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Threads racing on the prime search (0: one per core). The key does not depend on it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Answer as the API does for a create of this key pair name (see above).
    #[arg(long, conflicts_with_all = ["bits", "comment", "format", "json"])]
    name: Option<String>,
    #[command(flatten, next_help_heading = "With --name")]
    api: ApiOpts,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    if let Some(path) = &args.private_key_out {
        // Fail before the work; the file is created with `create_new` all the same.
        if std::fs::symlink_metadata(path).is_ok() {
            return fail(&format!(
                "{} exists: refusing to overwrite it",
                path.display()
            ));
        }
    }
    if let Some(name) = &args.name {
        return crate::api::run_create_named(
            name,
            &args.api,
            args.private_key_out.as_deref(),
            args.threads,
        );
    }
    let key = match with_os_keys(args.threads, |keys| keys.rsa_key(args.bits, &args.comment)) {
        Ok(k) => k,
        Err(e) => {
            if args.json {
                let _ = writeln!(std::io::stdout().lock(), "{}", error_json(&e, None));
            }
            return fail(&format!("cannot generate the key: {e}"));
        }
    };
    let format = match args.format {
        Format::Pem => PrivateKeyFormat::Pem,
        Format::Openssh => PrivateKeyFormat::OpenSsh,
    };
    let public_line = key.public_line();
    let md5 = key.md5_fingerprint().to_string();
    let sha256 = key.sha256_fingerprint().to_string();
    let private = match key.into_private(format) {
        Ok((_, text)) => text,
        Err(e) => return fail(&format!("cannot encode the private key: {e}")),
    };
    let to_stdout = match &args.private_key_out {
        Some(path) => {
            if let Err(e) = write_private(path, private.as_bytes()) {
                return fail(&format!("cannot write {}: {e}", path.display()));
            }
            None
        }
        None => Some(private),
    };
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let body = Output {
            public_key: &public_line,
            fingerprint: &md5,
            fingerprint_sha256: &sha256,
            private_key: to_stdout.as_ref().map(|p| p.as_str()),
        };
        serde_json::to_writer(&mut out, &body)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        let private = to_stdout.as_ref().map_or("", |p| p.as_str());
        write!(out, "{private}{public_line}\n{md5}\n{sha256}\n")
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::report::stdout_failed(&e),
    }
}

#[derive(serde::Serialize)]
struct Output<'a> {
    public_key: &'a str,
    fingerprint: &'a str,
    fingerprint_sha256: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_key: Option<&'a str>,
}

/// Writes the private key to a new file only its owner can read; on failure nothing is left.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    if result.is_err() {
        drop(file);
        let _ = std::fs::remove_file(path);
    }
    result
}
