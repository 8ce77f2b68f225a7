//! `keypairs`: the crate's command-line tool.

mod api;
mod common;
mod create;
mod fingerprint;
mod import;
mod input;
mod report;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

/// Create or import SSH key pairs offline, as the os-keypairs API does, and fingerprint keys.
#[derive(Debug, Parser)]
#[command(name = "keypairs", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Fingerprint(fingerprint::Args),
    Import(import::Args),
    Create(create::Args),
    Api(api::Args),
    /// Print a shell completion script.
    ///
    /// Examples:
    ///   keypairs completions bash > /etc/bash_completion.d/keypairs
    ///   keypairs completions zsh > "${fpath[1]}/_keypairs"
    ///   keypairs completions fish > ~/.config/fish/completions/keypairs.fish
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return report::usage_error(&e),
    };
    match cli.command {
        Command::Fingerprint(args) => fingerprint::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Create(args) => create::run(&args),
        Command::Api(args) => api::run(&args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "keypairs",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
    }
}
