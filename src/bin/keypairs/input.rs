//! Reading a file or standard input with a size bound: errors name the file, and an input over
//! the bound is reported with its real size (from the file's metadata, without reading it all)
//! or, for a pipe, as "more than N bytes".

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use crate::report::escape;

/// Where the input comes from: `None` or `-` is standard input.
pub(crate) fn source_name(path: Option<&Path>) -> String {
    match path {
        Some(p) if p != Path::new("-") => escape(&p.display().to_string()).into_owned(),
        _ => "standard input".to_owned(),
    }
}

/// Why an input could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Opening or reading failed.
    Io {
        /// The file (escaped) or "standard input".
        source: String,
        error: std::io::Error,
    },
    /// The input is over the bound.
    TooLong {
        /// The file (escaped) or "standard input".
        source: String,
        /// The real size when it is known (a regular file), else `None`: "more than `max`".
        len: Option<u64>,
        max: u64,
    },
}

impl ReadError {
    /// A short name for JSON output.
    pub(crate) const fn kind(&self) -> &'static str {
        match self {
            Self::Io { .. } => "read_error",
            Self::TooLong { .. } => "input_too_long",
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { source, error } => write!(f, "cannot read {source}: {error}"),
            Self::TooLong {
                source,
                len: Some(len),
                max,
            } => write!(f, "{source} is {len} bytes long, the limit is {max} bytes"),
            Self::TooLong {
                source,
                len: None,
                max,
            } => write!(
                f,
                "{source} is more than {max} bytes long, the limit is {max} bytes"
            ),
        }
    }
}

/// Reads all of `path` (standard input for `None` or `-`), at most `max` bytes.
///
/// # Errors
/// [`ReadError::Io`] naming the source, or [`ReadError::TooLong`] when there is more than
/// `max` bytes (only `max + 1` bytes are ever read).
pub(crate) fn read_all(path: Option<&Path>, max: u64) -> Result<Vec<u8>, ReadError> {
    let source = source_name(path);
    let io = |error| ReadError::Io {
        source: source.clone(),
        error,
    };
    let mut buf = Vec::new();
    let file_len = match path {
        Some(p) if p != Path::new("-") => {
            let file = std::fs::File::open(p).map_err(io)?;
            let meta = file.metadata().map_err(io)?;
            if meta.is_dir() {
                return Err(io(std::io::Error::from(std::io::ErrorKind::IsADirectory)));
            }
            let len = meta.is_file().then_some(meta.len());
            if let Some(len) = len.filter(|&len| len > max) {
                return Err(ReadError::TooLong {
                    source,
                    len: Some(len),
                    max,
                });
            }
            file.take(max.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(io)?;
            len
        }
        _ => {
            // Standard input redirected from a regular file has a size too.
            let len = stdin_file_len();
            if let Some(len) = len.filter(|&len| len > max) {
                return Err(ReadError::TooLong {
                    source,
                    len: Some(len),
                    max,
                });
            }
            std::io::stdin()
                .lock()
                .take(max.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(io)?;
            len
        }
    };
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > max {
        return Err(ReadError::TooLong {
            source,
            // A regular file that grew while it was read: its size now, if known.
            len: file_len.filter(|&l| l > max),
            max,
        });
    }
    Ok(buf)
}

/// The size of standard input when it is a regular file (`< FILE`); `None` for a pipe or a
/// terminal.
#[cfg(unix)]
fn stdin_file_len() -> Option<u64> {
    use std::os::fd::AsFd as _;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file().then_some(meta.len())
}

#[cfg(not(unix))]
fn stdin_file_len() -> Option<u64> {
    None
}
