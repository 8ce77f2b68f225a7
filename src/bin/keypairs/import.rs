//! `keypairs import`: `POST /os-keypairs` with `public_key`, from a file or standard input.

use std::path::PathBuf;
use std::process::ExitCode;

use keypairs::api::{self, Context, CreateKeypairRequest, Fault, KeypairType};

use crate::api::{ApiOpts, print_created, print_fault, read_bounded};
use crate::common::{fail, with_os_keys};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TypeArg {
    /// An OpenSSH public key.
    Ssh,
    /// A PEM X.509 certificate (2.2 to 2.91).
    X509,
}

/// Import a public key as the os-keypairs API does and print the response body.
///
/// The file's exact bytes are the key: the 1024-byte limit and the import policy apply to them,
/// and the response echoes them verbatim as public_key, with the MD5 fingerprint (colon-hex)
/// and the user id. A refused key prints Nova's fault body on stdout, the precise reason on
/// stderr, and exits 1.
///
/// Examples:
///   keypairs import --name laptop --public-key-file ~/.ssh/id_ed25519.pub
///   keypairs import --name laptop < ~/.ssh/id_ed25519.pub
///   keypairs import --name ci --microversion 2.92 --user-id 7f3c... --public-key-file key.pub
///   keypairs import --name win --type x509 --microversion 2.2 --public-key-file cert.pem
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// The key pair's name (rules per microversion, as Nova's).
    #[arg(long)]
    name: String,
    /// The public key file; '-' reads standard input.
    #[arg(long, value_name = "PATH|-", default_value = "-")]
    public_key_file: PathBuf,
    /// Key type, `type` in the request (2.2 and later).
    #[arg(long = "type", value_enum)]
    key_type: Option<TypeArg>,
    #[command(flatten)]
    opts: ApiOpts,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let names = match args.opts.names() {
        Ok(n) => n,
        Err(e) => return fail(&e),
    };
    let bytes = match read_bounded(Some(&args.public_key_file)) {
        Ok(b) => b,
        Err(e) => return fail(&e),
    };
    let user_id = args.opts.user_id();
    let ctx = Context::new(&user_id, args.opts.microversion);
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        // A JSON string cannot carry it; the parser names the rule (size or UTF-8).
        return match keypairs::parse_public_key_with(&bytes, &ctx.policy) {
            Err(e) => print_fault(&Fault::invalid_key(e)),
            Ok(_) => fail("the key is not UTF-8"),
        };
    };
    let mut request = CreateKeypairRequest::import(&args.name, &text);
    request.keypair.key_type = args.key_type.map(|t| match t {
        TypeArg::Ssh => KeypairType::Ssh,
        TypeArg::X509 => KeypairType::X509,
    });
    let store = |owner: &str, name: &str| names.taken(owner, name);
    match with_os_keys(1, |keys| {
        api::create_or_import(&request, &ctx, &store, keys)
    }) {
        Ok(created) => print_created(&created),
        Err(fault) => print_fault(&fault),
    }
}
