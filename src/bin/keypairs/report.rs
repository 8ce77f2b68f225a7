//! What the CLI writes: results on standard output, errors on standard error, both buffered;
//! error messages escaped (no control character or escape sequence from the input reaches the
//! terminal raw) and their number bounded per run; a closed pipe or a closed standard error
//! ends the run quietly instead of a panic.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use zeroize::Zeroizing;

/// Most error lines written to standard error in one run; the rest are counted, and the count
/// is written at the end.
pub(crate) const MAX_REPORTED_ERRORS: usize = 100;

/// Exit status when standard output was closed before everything was written (`| head`).
pub(crate) const EXIT_STDOUT_CLOSED: u8 = 1;

/// The library's escaping (control characters, escape sequences, bidi controls), for every
/// message that may quote input: file names, keys, request values.
pub(crate) use keypairs::api::escape_controls as escape;

/// Serialized JSON made inert for a terminal: `serde_json` escapes C0 controls but writes DEL,
/// C1 controls (U+009B is CSI) and the bidi controls as they are; here they become `\uXXXX`
/// escapes, which any JSON reader reads back as the same characters. Zeroizing, as a body may
/// hold a private key.
pub(crate) fn inert_json(json: &str) -> Option<Zeroizing<String>> {
    let acts = |c: char| (c == '\u{7f}' || !c.is_ascii()) && is_escaped(c);
    if !json.chars().any(acts) {
        return None;
    }
    // Final size first: a string that grew would free a partial copy of a key unwiped.
    let extra: usize = json
        .chars()
        .filter(|&c| acts(c))
        .map(|c| 6 - c.len_utf8())
        .sum();
    let mut out = Zeroizing::new(String::with_capacity(json.len() + extra));
    for c in json.chars() {
        if acts(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Whether [`escape`] escapes `c`.
fn is_escaped(c: char) -> bool {
    let mut buf = [0u8; 4];
    matches!(escape(c.encode_utf8(&mut buf)), Cow::Owned(_))
}

/// Writes a JSON text, inert ([`inert_json`]).
///
/// # Errors
/// As `write_all`.
pub(crate) fn write_json(out: &mut impl Write, json: &str) -> std::io::Result<()> {
    match inert_json(json) {
        Some(safe) => out.write_all(safe.as_bytes()),
        None => out.write_all(json.as_bytes()),
    }
}

/// Writes a JSON text as one line, inert ([`inert_json`]).
///
/// # Errors
/// As `write_all`.
pub(crate) fn write_json_line(out: &mut impl Write, json: &str) -> std::io::Result<()> {
    write_json(out, json).and_then(|()| out.write_all(b"\n"))
}

/// One error line, `keypairs: MESSAGE` (escaped), on standard error. A standard error that
/// cannot be written (closed pipe) is ignored: there is nobody left to tell.
pub(crate) fn error_line(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "keypairs: {}", escape(message));
    let _ = err.flush();
}

/// A command line clap refuses, or `--help` / `--version`: clap's text, with the values it
/// quotes from the command line escaped (every control character but the line breaks of the
/// message itself); clap's exit status (2 for a usage error, 0 for help).
pub(crate) fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let status = ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        // Our own text, on standard output; a closed pipe is ignored.
        let _ = e.print();
        return status;
    }
    let text = e.render().to_string();
    let mut err = std::io::stderr().lock();
    for line in text.lines() {
        let _ = writeln!(err, "{}", escape(line));
    }
    let _ = err.flush();
    status
}

/// Writes a JSON text as one line on standard output (inert) and flushes it; on success
/// `status`, else [`stdout_failed`]'s.
pub(crate) fn print_json_line(json: &str, status: ExitCode) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match write_json_line(&mut out, json).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(e) => stdout_failed(&e),
    }
}

/// Standard output could not be written: quietly for a closed pipe (`| head`), else with the
/// reason on standard error; exit 1 either way.
pub(crate) fn stdout_failed(e: &std::io::Error) -> ExitCode {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        error_line(&format!("cannot write to standard output: {e}"));
    }
    ExitCode::from(EXIT_STDOUT_CLOSED)
}

/// Standard output closed (a reader such as `head` went away): stop, quietly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StdoutClosed;

/// Buffered standard output and standard error for a run that may report many results and
/// errors (`fingerprint --each-line`).
pub(crate) struct Report {
    out: BufWriter<std::io::StdoutLock<'static>>,
    err: BufWriter<std::io::StderrLock<'static>>,
    errors: usize,
    stdout_closed: bool,
    stderr_closed: bool,
}

impl Report {
    pub(crate) fn new() -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
            err: BufWriter::with_capacity(16 * 1024, std::io::stderr().lock()),
            errors: 0,
            stdout_closed: false,
            stderr_closed: false,
        }
    }

    /// Writes one result line on standard output, escaped ([`escape`]: a key's comment may
    /// hold C1 or bidi controls) but for TAB, which a comment may hold and `ssh-keygen -l`
    /// prints as it is.
    ///
    /// # Errors
    /// [`StdoutClosed`] once standard output cannot be written: the caller stops.
    pub(crate) fn line(&mut self, text: &str) -> Result<(), StdoutClosed> {
        let mut written = Ok(());
        for (i, part) in text.split('\t').enumerate() {
            let sep = if i == 0 { "" } else { "\t" };
            written = written.and_then(|()| write!(self.out, "{sep}{}", escape(part)));
        }
        if self.stdout_closed || written.and_then(|()| writeln!(self.out)).is_err() {
            self.stdout_closed = true;
            return Err(StdoutClosed);
        }
        Ok(())
    }

    /// Writes one JSON value as a line on standard output, inert ([`inert_json`]).
    ///
    /// # Errors
    /// [`StdoutClosed`] once standard output cannot be written: the caller stops.
    pub(crate) fn json(&mut self, value: &serde_json::Value) -> Result<(), StdoutClosed> {
        if self.stdout_closed || write_json_line(&mut self.out, &value.to_string()).is_err() {
            self.stdout_closed = true;
            return Err(StdoutClosed);
        }
        Ok(())
    }

    /// Counts one error and writes `keypairs: MESSAGE` (escaped) on standard error, for the first
    /// [`MAX_REPORTED_ERRORS`] of the run.
    pub(crate) fn error(&mut self, message: &str) {
        self.errors += 1;
        if self.errors <= MAX_REPORTED_ERRORS && !self.stderr_closed {
            self.stderr_closed = writeln!(self.err, "keypairs: {}", escape(message)).is_err();
        }
    }

    /// Writes the count of the errors not shown, flushes both streams, and gives the exit
    /// status: 0 without errors, 1 with errors or when standard output was closed.
    pub(crate) fn finish(mut self, what: &str) -> ExitCode {
        if self.errors > MAX_REPORTED_ERRORS && !self.stderr_closed {
            let _ = writeln!(
                self.err,
                "keypairs: {} {what} in total, only the first {MAX_REPORTED_ERRORS} shown",
                self.errors
            );
        }
        if !self.stdout_closed && self.out.flush().is_err() {
            self.stdout_closed = true;
        }
        let _ = self.err.flush();
        if self.stdout_closed {
            ExitCode::from(EXIT_STDOUT_CLOSED)
        } else if self.errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_made_inert_and_reads_back_the_same() {
        let value = serde_json::json!({"m": "a\u{1b}[1m\u{9b}2J\u{7f}\u{202e}é"});
        let text = value.to_string();
        let safe = inert_json(&text).unwrap();
        assert!(safe.is_ascii() || !safe.contains('\u{9b}'));
        assert!(!safe.contains('\u{7f}') && !safe.contains('\u{202e}'));
        assert!(safe.contains('é'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
        assert!(inert_json(r#"{"plain":"ascii é"}"#).is_none());
        // Written at its final size.
        let many = serde_json::json!({"m": "\u{9b}".repeat(100)}).to_string();
        let safe = inert_json(&many).unwrap();
        assert_eq!(safe.len(), safe.capacity());
    }

    #[test]
    fn escapes_what_acts_on_a_terminal() {
        assert_eq!(escape("plain text: ok"), "plain text: ok");
        assert_eq!(escape("a\x1b[31mred\x07"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(escape("l1\nl2\r\t"), "l1\\nl2\\r\\t");
        assert_eq!(escape("\u{9b}2J\u{7f}"), "\\u{9b}2J\\u{7f}");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("é ü 😀"), "é ü 😀");
    }
}
