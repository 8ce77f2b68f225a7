//! `keypairs create`: generate a key pair (RSA, Ed25519 or ECDSA) and hand the private key out
//! once, as `ssh-keygen` does: a 0600 file and its `.pub`, optionally passphrase-protected.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keypairs::{Error, GeneratedEcKey, GeneratedKey, NOVA_COMMENT, PrivateKeyFormat};
use zeroize::Zeroizing;

use crate::api::{ApiOpts, run_create_named};
use crate::common::{fail, with_os_keys, write_private};
use crate::fingerprint::error_json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// PEM: PKCS#1 `RSA PRIVATE KEY` (what Nova's API returned), PKCS#8 `PRIVATE KEY` for
    /// Ed25519, SEC1 `EC PRIVATE KEY` for ECDSA.
    Pem,
    /// `-----BEGIN OPENSSH PRIVATE KEY-----`, what ssh-keygen writes.
    Openssh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KeyTypeArg {
    /// RSA, e = 65537 (what the os-keypairs API creates).
    Rsa,
    /// Ed25519 (OpenSSH's default since 9.5).
    Ed25519,
    /// ECDSA on NIST P-256, P-384 or P-521 (--bits 256, 384, 521).
    Ecdsa,
}

/// Longest passphrase file read.
const MAX_PASSPHRASE_FILE: u64 = 1024;

/// Generate a key pair and print its public key and fingerprints.
///
/// The private key goes to --private-key-out (-f), a new file with mode 0600, and the public key
/// line to PATH.pub beside it (mode 0644), as ssh-keygen -f PATH does; neither file may exist.
/// Without a path the private key goes to standard output, but never to a terminal unless
/// --print-private-key says so. Standard output then has the private key (if not written to a
/// file), the public key line, the MD5 fingerprint (as the API returns it) and the SHA-256
/// fingerprint; with --json one object: {"public_key", "fingerprint", "fingerprint_sha256",
/// "private_key" (only without a file)}.
///
/// With --passphrase-file or --passphrase-env the private key is encrypted as ssh-keygen -N
/// does (OpenSSH format, aes256-ctr, bcrypt-pbkdf with --kdf-rounds rounds): the passphrase is
/// never an argument, where ps would show it. A passphrase file's first line is the passphrase.
///
/// With --name it instead answers as `POST /os-keypairs` without public_key does (2048-bit RSA,
/// Generated-by-Nova, PEM) and prints the API's response body (--threads still applies).
///
/// Examples:
///   keypairs create -t ed25519 -C me@laptop -f ~/.ssh/id_ed25519
///   keypairs create -t ecdsa -b 384 -f host_key --passphrase-file pass.txt -a 64
///   keypairs create -b 4096 --format openssh -f id_rsa --passphrase-env KEY_PASS
///   keypairs create --private-key-out ~/.ssh/nova_key
///   keypairs create --json > keypair.json
///   keypairs create --name mykey --microversion 2.10 --private-key-out mykey.pem
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// Key type.
    #[arg(short = 't', long = "type", value_enum, default_value = "rsa")]
    key_type: KeyTypeArg,
    /// Key size: RSA 2048 (default), 3072 or 4096; ECDSA 256 (default), 384 or 521; not for
    /// Ed25519.
    #[arg(short = 'b', long, value_name = "BITS")]
    bits: Option<usize>,
    /// Comment at the end of the public key line.
    #[arg(short = 'C', long, default_value = NOVA_COMMENT)]
    comment: String,
    /// Private key format [default: pem for RSA, openssh for Ed25519 and ECDSA and with a
    /// passphrase].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the private key to this new file (mode 0600) and the public key to PATH.pub.
    #[arg(short = 'f', long, value_name = "PATH")]
    private_key_out: Option<PathBuf>,
    /// Encrypt the private key with the passphrase on this file's first line.
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_env")]
    passphrase_file: Option<PathBuf>,
    /// Encrypt the private key with the passphrase in this environment variable.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// bcrypt-pbkdf rounds for a passphrase (as ssh-keygen -a); more is slower to unlock.
    #[arg(short = 'a', long, value_name = "ROUNDS", default_value_t = 16)]
    kdf_rounds: u32,
    /// Print the private key even when standard output is a terminal.
    #[arg(long)]
    print_private_key: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Threads racing on the RSA prime search (0: one per core). The key does not depend on it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Answer as the API does for a create of this key pair name (see above).
    #[arg(long, conflicts_with_all = [
        "bits", "comment", "format", "json", "key_type", "passphrase_file", "passphrase_env",
    ])]
    name: Option<String>,
    #[command(flatten, next_help_heading = "With --name")]
    api: ApiOpts,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    if let Some(path) = &args.private_key_out {
        // Fail before the work; the files are created with `create_new` all the same.
        let public = public_path(path);
        for p in [path.as_path(), public.as_path()] {
            if std::fs::symlink_metadata(p).is_ok() {
                return fail(&format!("{} exists: refusing to overwrite it", p.display()));
            }
        }
    } else if !args.print_private_key && std::io::stdout().is_terminal() {
        return fail(
            "refusing to print a private key to a terminal: write it to a file with \
             --private-key-out PATH, or pass --print-private-key",
        );
    }
    if let Some(name) = &args.name {
        return run_create_named(
            name,
            &args.api,
            args.private_key_out.as_deref(),
            args.threads,
        );
    }
    if args.key_type == KeyTypeArg::Ed25519 && args.bits.is_some() {
        return fail("--bits does not apply to ed25519 keys (they are 256 bits)");
    }
    let passphrase = match read_passphrase(args) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let format = match (args.format, &passphrase, args.key_type) {
        (Some(Format::Pem), Some(_), _) => {
            return fail(
                "a passphrase-protected key is written in OpenSSH format: drop --format pem",
            );
        }
        (Some(f), _, _) => f,
        (None, None, KeyTypeArg::Rsa) => Format::Pem,
        (None, _, _) => Format::Openssh,
    };
    let key = match generate(args) {
        Ok(k) => k,
        Err(e) => return library_error(args, "cannot generate the key", &e),
    };
    let (public_line, md5, sha256) = key.public_parts();
    let private = match key.into_text(
        format,
        passphrase.as_ref().map(|p| p.as_slice()),
        args.kdf_rounds,
    ) {
        Ok(text) => text,
        Err(e) => return library_error(args, "cannot encode the private key", &e),
    };
    let to_stdout = match &args.private_key_out {
        Some(path) => {
            if let Err(e) = write_key_files(path, private.as_bytes(), &public_line) {
                return fail(&e);
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

/// A library error: its JSON on stdout with --json, the message on stderr; exit 1.
fn library_error(args: &Args, what: &str, e: &Error) -> ExitCode {
    if args.json {
        let _ = writeln!(std::io::stdout().lock(), "{}", error_json(e, None));
    }
    fail(&format!("{what}: {e}"))
}

/// `PATH.pub`, as ssh-keygen names the public half.
fn public_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// The private key (0600) and then `PATH.pub` (0644, the public line and a newline); if the
/// public file cannot be written, the private one is removed again.
fn write_key_files(path: &Path, private: &[u8], public_line: &str) -> Result<(), String> {
    write_private(path, private).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let public = public_path(path);
    let result = write_public(&public, format!("{public_line}\n").as_bytes());
    if let Err(e) = result {
        let _ = std::fs::remove_file(path);
        return Err(format!("cannot write {}: {e}", public.display()));
    }
    Ok(())
}

fn write_public(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::common::write_new(path, bytes, 0o644)
}

/// The passphrase from --passphrase-file (its first line) or --passphrase-env, in a zeroizing
/// buffer that is never reallocated.
fn read_passphrase(args: &Args) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
    if let Some(path) = &args.passphrase_file {
        let mut buf = Zeroizing::new(Vec::with_capacity(
            usize::try_from(MAX_PASSPHRASE_FILE).unwrap_or(1024) + 1,
        ));
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_PASSPHRASE_FILE + 1).read_to_end(&mut buf))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if u64::try_from(buf.len()).unwrap_or(u64::MAX) > MAX_PASSPHRASE_FILE {
            return Err(format!(
                "{}: a passphrase file is at most {MAX_PASSPHRASE_FILE} bytes",
                path.display()
            ));
        }
        let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
        buf.truncate(end);
        if buf.last() == Some(&b'\r') {
            buf.truncate(end - 1);
        }
        return check_passphrase(buf).map(Some);
    }
    if let Some(var) = &args.passphrase_env {
        let Some(value) = std::env::var_os(var) else {
            return Err(format!("the environment variable {var} is not set"));
        };
        #[cfg(unix)]
        let bytes = {
            use std::os::unix::ffi::OsStringExt as _;
            Zeroizing::new(value.into_vec())
        };
        #[cfg(not(unix))]
        let bytes = Zeroizing::new(value.into_string().unwrap_or_default().into_bytes());
        return check_passphrase(bytes).map(Some);
    }
    Ok(None)
}

fn check_passphrase(p: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>, String> {
    if p.is_empty() {
        return Err(Error::EmptyPassphrase.to_string());
    }
    if p.contains(&0) {
        return Err("the passphrase contains a NUL byte".to_owned());
    }
    Ok(p)
}

/// A generated key of any type.
enum Generated {
    Rsa(GeneratedKey),
    Ec(GeneratedEcKey),
}

fn generate(args: &Args) -> Result<Generated, Error> {
    match args.key_type {
        KeyTypeArg::Rsa => {
            let bits = args.bits.unwrap_or(keypairs::DEFAULT_RSA_BITS);
            with_os_keys(args.threads, |keys| keys.rsa_key(bits, &args.comment)).map(Generated::Rsa)
        }
        KeyTypeArg::Ed25519 => os_ed25519(&args.comment).map(Generated::Ec),
        KeyTypeArg::Ecdsa => os_ecdsa(args.bits.unwrap_or(256), &args.comment).map(Generated::Ec),
    }
}

fn os_ed25519(comment: &str) -> Result<GeneratedEcKey, Error> {
    keypairs::generate_ed25519_os(comment)
}

fn os_ecdsa(bits: usize, comment: &str) -> Result<GeneratedEcKey, Error> {
    keypairs::generate_ecdsa_os(bits, comment)
}

impl Generated {
    /// The public line, the MD5 and the SHA-256 fingerprint.
    fn public_parts(&self) -> (String, String, String) {
        let key = match self {
            Self::Rsa(k) => k.public_key(),
            Self::Ec(k) => k.public_key(),
        };
        (
            key.to_openssh(),
            key.md5_fingerprint().to_string(),
            key.sha256_fingerprint().to_string(),
        )
    }

    /// The private key as text, encrypted when a passphrase is given (OpenSSH format then).
    fn into_text(
        self,
        format: Format,
        passphrase: Option<&[u8]>,
        rounds: u32,
    ) -> Result<Zeroizing<String>, Error> {
        if let Some(passphrase) = passphrase {
            return encrypted(self, passphrase, rounds);
        }
        match (self, format) {
            (Self::Rsa(k), Format::Pem) => k.into_private(PrivateKeyFormat::Pem).map(|(_, t)| t),
            (Self::Rsa(k), Format::Openssh) => k.into_private_openssh(),
            (Self::Ec(k), Format::Pem) => k.into_private_pem(),
            (Self::Ec(k), Format::Openssh) => k.into_private_openssh(),
        }
    }
}

/// The key in OpenSSH format under `passphrase` (feature `cli` brings `encryption` and
/// `getrandom`).
fn encrypted(key: Generated, passphrase: &[u8], rounds: u32) -> Result<Zeroizing<String>, Error> {
    let rng = &mut getrandom::SysRng;
    match key {
        Generated::Rsa(k) => k.into_private_openssh_encrypted(rng, passphrase, rounds),
        Generated::Ec(k) => k.into_private_openssh_encrypted(rng, passphrase, rounds),
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
