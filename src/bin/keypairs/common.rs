//! What the subcommands share: the error exit, the private-key file writer and the OS key source.
//! Every subcommand module imports from here; nothing here imports a subcommand.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use keypairs::api;

/// Prints `keypairs: MESSAGE` on standard error (bounded and escaped); exit 1.
pub(crate) fn fail(message: &str) -> ExitCode {
    crate::report::error_line(message);
    ExitCode::from(1)
}

/// Writes the private key to a new file only its owner can read; on failure nothing is left.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_new(path, bytes, 0o600)
}

/// Writes `bytes` to a new file (never over an existing one) with `mode` on Unix, synced to
/// disk; on failure nothing is left.
pub(crate) fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    if result.is_err() {
        drop(file);
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Runs `f` with keys generated from the operating system's RNG on `threads` threads (0: one
/// per core). The binary needs feature `cli`, which brings `getrandom`.
pub(crate) fn with_os_keys<T>(threads: usize, f: impl FnOnce(&mut dyn api::KeySource) -> T) -> T {
    f(&mut api::Parallel::new(&mut getrandom::SysRng, threads))
}
