//! `keypairs api`: one `POST /v2.1/{project_id}/os-keypairs` body on stdin, `{"status", "body"}`
//! on stdout; plus what `import` and `create --name` share with it.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use keypairs::api::{self, Context, CreateKeypairRequest, Created, Fault, Microversion};

use crate::common::{fail, with_os_keys, write_private};
use crate::report::{print_json_line, stdout_failed, write_json, write_json_line};

/// Largest input read from a file or standard input (the API's own bounds are far smaller).
const MAX_READ: u64 = 16 * 1024 * 1024;

/// Options every API-shaped command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ApiOpts {
    /// Compute API microversion (2.1 to 2.N, or `latest`): 2.2+ answers 201 with `type`,
    /// 2.10+ accepts `user_id` in the body, 2.92+ requires `public_key`.
    #[arg(long, value_name = "2.X", default_value = "2.1", value_parser = parse_microversion)]
    pub(crate) microversion: Microversion,
    /// The caller's user id (the key pair's owner) [default: $OS_USER_ID, else "local"].
    #[arg(long, value_name = "U")]
    pub(crate) user_id: Option<String>,
    /// File of key pairs that already exist, one per line: `NAME` (a key pair of the caller,
    /// --user-id) or `OWNER<TAB>NAME` (of user OWNER, for imports with `user_id` at 2.10+).
    /// Creating or importing a (owner, name) pair listed there is refused with 409; names are
    /// unique per owner, as in Nova.
    #[arg(long, value_name = "FILE")]
    pub(crate) existing_names: Option<PathBuf>,
}

fn parse_microversion(s: &str) -> Result<Microversion, String> {
    s.parse::<Microversion>().map_err(|e| e.to_string())
}

impl ApiOpts {
    pub(crate) fn user_id(&self) -> String {
        self.user_id
            .clone()
            .or_else(|| std::env::var("OS_USER_ID").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "local".to_owned())
    }

    /// The key pairs in `--existing-names` (none without it).
    pub(crate) fn names(&self) -> Result<Names, String> {
        let Some(path) = &self.existing_names else {
            return Ok(Names::default());
        };
        let bytes = read_bounded(Some(path))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{}: names file is not UTF-8", path.display()))?;
        Ok(Names::parse(&text, &self.user_id()))
    }
}

/// Existing key pairs, as (owner, name): the `--existing-names` file.
#[derive(Debug, Default)]
pub(crate) struct Names(HashSet<(String, String)>);

impl Names {
    /// One key pair per line: `NAME` (owned by `caller`) or `OWNER<TAB>NAME` (a name never
    /// holds a TAB, so the first TAB splits); a final CR is dropped, blank lines skipped.
    fn parse(text: &str, caller: &str) -> Self {
        Self(
            text.lines()
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .filter(|l| !l.is_empty())
                .map(|l| match l.split_once('\t') {
                    Some((owner, name)) => (owner.to_owned(), name.to_owned()),
                    None => (caller.to_owned(), l.to_owned()),
                })
                .collect(),
        )
    }

    /// Whether `owner` already has a key pair called `name`.
    pub(crate) fn taken(&self, owner: &str, name: &str) -> bool {
        self.0.contains(&(owner.to_owned(), name.to_owned()))
    }
}

/// Serve one request body as `POST /v2.1/{project_id}/os-keypairs` would.
///
/// Reads a whole JSON request body on standard input and prints one line,
/// `{"status":N,"body":{...}}`: the response (200 below 2.2, 201 from 2.2) or Nova's fault
/// envelope (400, 409, 413, ...). Exit status 0 for a 2xx answer, 1 otherwise (the reason also
/// goes to standard error). A create (no public_key, below 2.92) prints the private key in
/// the body, as the API does.
///
/// Examples:
///   echo '{"keypair": {"name": "k1", "public_key": "ssh-ed25519 AAAA..."}}' | keypairs api
///   keypairs api --microversion 2.92 --user-id 7f3c... < body.json
///   keypairs api --existing-names taken.txt < body.json | jq .status
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    #[command(flatten)]
    opts: ApiOpts,
    /// Largest request body accepted, in bytes (413 above it).
    #[arg(long, value_name = "BYTES", default_value_t = api::DEFAULT_MAX_BODY_LEN)]
    max_body_len: usize,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let names = match args.opts.names() {
        Ok(n) => n,
        Err(e) => return fail(&e),
    };
    let body = match read_bounded(None) {
        Ok(b) => b,
        Err(e) => return fail(&e),
    };
    let user_id = args.opts.user_id();
    let ctx = Context::new(&user_id, args.opts.microversion).with_max_body_len(args.max_body_len);
    let store = |owner: &str, name: &str| names.taken(owner, name);
    let outcome = with_os_keys(0, |keys| api::handle(&body, &ctx, &store, keys));
    let (status, json) = match &outcome {
        Ok(created) => (created.status(), created.to_json()),
        Err(fault) => (fault.status(), zeroize::Zeroizing::new(fault.to_json())),
    };
    // Written in pieces: a `format!` of the whole line would grow a string holding the private
    // key and free its smaller copies unwiped.
    let mut out = std::io::stdout().lock();
    let written = write!(out, "{{\"status\":{status},\"body\":")
        .and_then(|()| write_json(&mut out, &json))
        .and_then(|()| out.write_all(b"}\n"))
        .and_then(|()| out.flush());
    drop(out);
    match outcome {
        Ok(_) => written.map_or_else(|e| stdout_failed(&e), |()| ExitCode::SUCCESS),
        Err(fault) => {
            crate::report::error_line(&fault.reason());
            ExitCode::from(1)
        }
    }
}

/// `keypairs create --name NAME`: generate a key pair as `POST /os-keypairs` without
/// `public_key` does (2048-bit RSA, `Generated-by-Nova`, PKCS#1 PEM private key) and print the
/// response body. With `private_key_out`, the private key goes to that new file (mode 0600,
/// never overwritten) and the printed body leaves `private_key` out.
///
/// Exit 0 on success; on a refusal the fault body on stdout, the reason on stderr, exit 1.
pub(crate) fn run_create_named(
    name: &str,
    opts: &ApiOpts,
    private_key_out: Option<&Path>,
    threads: usize,
) -> ExitCode {
    let names = match opts.names() {
        Ok(n) => n,
        Err(e) => return fail(&e),
    };
    let user_id = opts.user_id();
    let ctx = Context::new(&user_id, opts.microversion);
    let store = |owner: &str, n: &str| names.taken(owner, n);
    let request = CreateKeypairRequest::create(name);
    let outcome = with_os_keys(threads, |keys| {
        api::create_or_import(&request, &ctx, &store, keys)
    });
    match outcome {
        Ok(created) => {
            let Some(path) = private_key_out else {
                return print_created(&created);
            };
            let mut response = created.into_response();
            let Some(pem) = response.keypair.private_key.take() else {
                return fail("no private key was generated");
            };
            if let Err(e) = write_private(path, pem.secret_pem().as_bytes()) {
                return fail(&format!("cannot write {}: {e}", path.display()));
            }
            let json = serde_json::to_string(&response).unwrap_or_default();
            print_json_line(&json, ExitCode::SUCCESS)
        }
        Err(fault) => print_fault(&fault),
    }
}

/// Prints a created key pair's body; exit 0.
pub(crate) fn print_created(created: &Created) -> ExitCode {
    let json = created.to_json();
    print_json_line(&json, ExitCode::SUCCESS)
}

/// Prints a fault's body on stdout and its reason on stderr; exit 1.
pub(crate) fn print_fault(fault: &Fault) -> ExitCode {
    let _ = write_json_line(&mut std::io::stdout().lock(), &fault.to_json());
    crate::report::error_line(&fault.reason());
    ExitCode::from(1)
}

/// Reads a file (or standard input for `None` or `-`), exact bytes, up to [`MAX_READ`].
pub(crate) fn read_bounded(path: Option<&Path>) -> Result<Vec<u8>, String> {
    crate::input::read_all(path, MAX_READ)
        .map(|mut bytes| core::mem::take(&mut *bytes))
        .map_err(|e| e.to_string())
}
