//! Reading a file or standard input with a size bound: errors name the file, and an input over
//! the bound is reported with its real size (from the file's metadata, without reading it all)
//! or, for a pipe, as "more than N bytes".

use std::fmt;
use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

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

/// Reads all of `path` (standard input for `None` or `-`), at most `max` bytes, into a zeroizing
/// buffer (the input may be a private key given by mistake). When the size is known the buffer
/// is allocated once, at its final size; a pipe's buffer grows by whole zeroizing copies.
///
/// # Errors
/// [`ReadError::Io`] naming the source, or [`ReadError::TooLong`] when there is more than
/// `max` bytes (only `max + 1` bytes are ever read).
pub(crate) fn read_all(path: Option<&Path>, max: u64) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let source = source_name(path);
    let io = |error| ReadError::Io {
        source: source.clone(),
        error,
    };
    let mut buf = Zeroizing::new(Vec::new());
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
            read_zeroizing(&mut file.take(max.saturating_add(1)), len, &mut buf).map_err(io)?;
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
            let mut stdin = std::io::stdin().lock().take(max.saturating_add(1));
            read_zeroizing(&mut stdin, len, &mut buf).map_err(io)?;
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

/// Reads `reader` to its end into `buf`, starting with room for `size_hint` bytes and one more
/// (so a file of the size its metadata says is read without growing the buffer); when full,
/// the buffer moves into one twice as large and the old one is wiped.
fn read_zeroizing(
    reader: &mut impl Read,
    size_hint: Option<u64>,
    buf: &mut Zeroizing<Vec<u8>>,
) -> std::io::Result<()> {
    const FIRST: usize = 8 * 1024;
    let first = size_hint
        .and_then(|n| usize::try_from(n).ok())
        .map_or(FIRST, |n| n.saturating_add(1));
    let mut data = Zeroizing::new(vec![0u8; first]);
    let mut len = 0;
    loop {
        if len == data.len() {
            let mut bigger = Zeroizing::new(vec![0u8; data.len().saturating_mul(2)]);
            if let (Some(to), Some(from)) = (bigger.get_mut(..len), data.get(..len)) {
                to.copy_from_slice(from);
            }
            data = bigger;
        }
        let Some(spare) = data.get_mut(len..) else {
            break;
        };
        match reader.read(spare) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    out.extend_from_slice(data.get(..len).unwrap_or_default());
    *buf = out;
    Ok(())
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
