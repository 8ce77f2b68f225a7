//! What the CLI writes when things go wrong: read errors name the file and its real size (also
//! as JSON with `--json`), error output is bounded per run and escaped, and a closed standard
//! error or a closed pipe on standard output ends the run quietly (exit 1, no panic).
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use crate::cli;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cli::{BIN, keypairs, stderr, stdout};

/// A fresh directory under the target directory, for this test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli_output-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_no_panic(o: &Output) {
    assert_ne!(o.status.code(), Some(101), "{}", stderr(o));
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

// ----- read errors ------------------------------------------------------------------------------

#[test]
fn a_missing_file_or_a_directory_is_named() {
    let dir = scratch("missing");
    let missing = dir.join("no-such.pub");
    let out = keypairs(&["fingerprint", missing.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "keypairs: cannot read {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
    let out = keypairs(&["fingerprint", dir.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("keypairs: cannot read {}: is a directory\n", dir.display())
    );
    // `import` names the file too.
    let out = keypairs(
        &[
            "import",
            "--name",
            "k",
            "--public-key-file",
            missing.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("cannot read {}:", missing.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_oversized_input_is_reported_with_its_real_size() {
    let dir = scratch("big");
    let big = dir.join("big.pub");
    // 10 MB, sparse: the size comes from the metadata, the file is never read whole.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10_000_000)
        .unwrap();
    let out = keypairs(&["fingerprint", big.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "keypairs: {} is 10000000 bytes long, the limit is 16384 bytes\n",
            big.display()
        )
    );
    // Standard input from the same file: its size too.
    let out = Command::new(BIN)
        .args(["fingerprint", "-"])
        .stdin(std::fs::File::open(&big).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out),
        "keypairs: standard input is 10000000 bytes long, the limit is 16384 bytes\n"
    );
    // From a pipe the size is unknown: "more than", truthfully.
    let out = keypairs(&["fingerprint", "-"], &vec![b'a'; 100_000]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "keypairs: standard input is more than 16384 bytes long, the limit is 16384 bytes\n"
    );
    // --each-line has its own, larger bound, named as such.
    let huge = dir.join("huge.txt");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    let out = keypairs(&["fingerprint", "--each-line", huge.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "keypairs: {} is 104857600 bytes long, the limit is 67108864 bytes\n",
            huge.display()
        )
    );
}

#[test]
fn json_output_reports_read_errors_too() {
    let dir = scratch("json");
    let missing = dir.join("gone.pub");
    for args in [
        vec!["fingerprint", "--json", missing.to_str().unwrap()],
        vec![
            "fingerprint",
            "--json",
            "--each-line",
            missing.to_str().unwrap(),
        ],
    ] {
        let out = keypairs(&args, b"");
        assert_eq!(out.status.code(), Some(1));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["error"]["kind"], "read_error");
        assert_eq!(
            v["error"]["message"],
            format!(
                "cannot read {}: No such file or directory (os error 2)",
                missing.display()
            )
        );
    }
    let out = keypairs(&["fingerprint", "--json", "-"], &vec![b'a'; 20_000]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["kind"], "input_too_long");
}

// ----- bounded, escaped error output ------------------------------------------------------------

#[test]
fn each_line_reports_at_most_100_errors_then_a_count() {
    let input = "x\n".repeat(1000);
    let out = keypairs(&["fingerprint", "--each-line", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 101, "{err}");
    assert_eq!(
        lines[0],
        "keypairs: line 1: unknown or unsupported key type (a 1-byte type name)"
    );
    assert!(lines[99].starts_with("keypairs: line 100: "));
    assert_eq!(
        lines[100],
        "keypairs: 1000 invalid lines in total, only the first 100 shown"
    );
    // JSON output still has one object per line.
    let out = keypairs(
        &["fingerprint", "--each-line", "--json", "-"],
        input.as_bytes(),
    );
    assert_eq!(stdout(&out).lines().count(), 1000);
    assert_eq!(stderr(&out).lines().count(), 101);
}

#[test]
fn input_quoted_in_a_message_is_escaped() {
    // A file name with an escape sequence and a line break.
    let dir = scratch("escape");
    let name = dir.join("a\x1b[31mred\nline.pub");
    let out = keypairs(&["fingerprint", name.to_str().unwrap()], b"");
    let err = stderr(&out);
    assert!(!err.contains('\x1b'), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("a\\u{1b}[31mred\\nline.pub"), "{err:?}");
    // A request value Nova's message quotes (`Value: ...`): escaped on stderr, JSON on stdout.
    let body =
        br#"{"keypair": {"name": "n", "type": "\u001b]0;title\u0007\u009b2J", "public_key": "x"}}"#;
    let out = keypairs(&["api", "--microversion", "2.2"], body);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for c in ['\x1b', '\x07', '\u{9b}'] {
        assert!(!err.contains(c), "{err:?}");
        assert!(!stdout(&out).contains(c), "{:?}", stdout(&out));
    }
    assert!(
        err.contains("Value: \\u{1b}]0;title\\u{7}\\u{9b}2J."),
        "{err:?}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        v["body"]["badRequest"]["message"]
            .as_str()
            .unwrap()
            .contains("Value: \x1b]0;title\x07\u{9b}2J."),
        "the API body keeps Nova's text (JSON-escaped on the wire)"
    );
}

#[test]
fn a_comment_with_terminal_controls_is_printed_escaped() {
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz \
               me\u{9b}2J\u{202e}x\tok\n";
    let out = keypairs(&["fingerprint", "-E", "md5", "-"], key.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "256 MD5:1a:1d:a7:2c:4c:ff:15:c4:70:13:38:b6:ac:4c:dc:12 me\\u{9b}2J\\u{202e}x\tok (ED25519)\n"
    );
    let out = keypairs(&["fingerprint", "--json", "-"], key.as_bytes());
    let text = stdout(&out);
    assert!(
        !text.contains('\u{9b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains(r"me\u009b2J\u202ex\tok"), "{text:?}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["comment"], "me\u{9b}2J\u{202e}x\tok");
}

#[test]
fn a_refused_command_line_is_printed_escaped() {
    let out = keypairs(
        &["api", "--microversion", "2.\x1b]0;title\x07\u{9b}\u{202e}x"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for c in ['\x1b', '\x07', '\u{9b}', '\u{202e}'] {
        assert!(!err.contains(c), "{err:?}");
    }
    assert!(err.contains("\\u{9b}\\u{202e}x"), "{err:?}");
    assert!(err.starts_with("error: invalid value"), "{err:?}");
    // Help is clap's own text, on stdout, status 0.
    let out = keypairs(&["--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Usage: keypairs"), "{}", stdout(&out));
    // A missing argument is a usage error as before.
    let out = keypairs(&["import"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_private_key_pasted_into_a_request_is_not_echoed() {
    let pem = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/private/rsa1024.pkcs1.pem"),
    )
    .unwrap();
    // No name: Nova's message quotes the whole keypair object.
    let body = serde_json::json!({"keypair": {"public_key": pem}}).to_string();
    let out = keypairs(&["api"], body.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let (out_text, err_text) = (stdout(&out), stderr(&out));
    for text in [&out_text, &err_text] {
        assert!(!text.contains("PRIVATE KEY"), "{text}");
        assert!(text.contains(keypairs::api::REDACTED_PRIVATE_KEY), "{text}");
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "{text}");
        }
    }
}

// ----- closed streams ---------------------------------------------------------------------------

/// Runs `keypairs ARGS` with `stdin` and the read end of `closed` ("stdout" or "stderr") closed
/// before the program writes anything.
fn with_closed_pipe(args: &[&str], stdin: &[u8], closed: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    match closed {
        "stdout" => drop(child.stdout.take()),
        _ => drop(child.stderr.take()),
    }
    {
        let mut pipe = child.stdin.take().unwrap();
        let _ = pipe.write_all(stdin);
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stderr_or_stdout_ends_the_run_quietly() {
    let bad = "x\n".repeat(5000);
    let good = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz\n"
        .repeat(5000);
    for (args, input) in [
        (vec!["fingerprint", "--each-line", "-"], bad.as_bytes()),
        (vec!["fingerprint", "-"], b"x".as_slice()),
        (vec!["fingerprint", "/no/such/file"], b"".as_slice()),
        (vec!["api"], b"{}".as_slice()),
    ] {
        let out = with_closed_pipe(&args, input, "stderr");
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    for (args, input) in [
        (vec!["fingerprint", "--each-line", "-"], good.as_bytes()),
        (
            vec!["fingerprint", "--each-line", "--json", "-"],
            bad.as_bytes(),
        ),
    ] {
        let out = with_closed_pipe(&args, input, "stdout");
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    // One answer that cannot be written: status 1, nothing on stderr for a closed pipe.
    let import = br#"{"keypair": {"name": "k", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz"}}"#;
    for (args, input) in [
        (vec!["api"], import.as_slice()),
        (vec!["create", "--threads", "1"], b"".as_slice()),
        (
            vec!["create", "--name", "k", "--threads", "1"],
            b"".as_slice(),
        ),
    ] {
        let out = with_closed_pipe(&args, input, "stdout");
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    // `2>&-`: standard error closed outright.
    let out = Command::new("sh")
        .args(["-c", "exec \"$0\" fingerprint /no/such/file 2>&-", BIN])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
}
