//! `keypairs`: the crate's command-line tool.

mod fingerprint;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Fingerprint(args) => fingerprint::run(&args),
    }
}
