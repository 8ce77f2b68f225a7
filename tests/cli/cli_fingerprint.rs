//! `keypairs fingerprint`, run as a built binary, against ssh-keygen's output.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use crate::data;

use crate::cli;

use std::process::Command;

use cli::{keypairs, stderr, stdout};

#[test]
fn matches_the_committed_ssh_keygen_lines() {
    let dir = data::data_dir();
    for (file, expected) in data::fingerprint_lines() {
        let hash = if expected.contains(" MD5:") {
            "md5"
        } else {
            "sha256"
        };
        let path = dir.join(&file);
        let out = keypairs(&["fingerprint", "-E", hash, path.to_str().unwrap()], b"");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out).trim_end(), expected, "{file}");
    }
}

#[test]
fn json_output_has_the_documented_fields() {
    let key = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz me@host\n";
    let out = keypairs(&["fingerprint", "--json", "-"], key);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["type"], "ssh-ed25519");
    assert_eq!(v["bits"], 256);
    assert_eq!(v["md5"], "1a:1d:a7:2c:4c:ff:15:c4:70:13:38:b6:ac:4c:dc:12");
    assert!(v["sha256"].as_str().unwrap().starts_with("SHA256:"));
    assert_eq!(v["comment"], "me@host");
    assert_eq!(v["deprecated"], false);
}

#[test]
fn default_is_sha256_in_ssh_keygen_shape_with_no_comment() {
    let key = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";
    let out = keypairs(&["fingerprint"], key);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "256 SHA256:1KcBG++MOWHm5/5oCDjGDZwK2ijqi4HDUKeZz/gEVz0 no comment (ED25519)\n"
    );
    // -E md5 gives the API's (Nova's) form.
    let out = keypairs(&["fingerprint", "-E", "md5"], key);
    assert_eq!(
        stdout(&out),
        "256 MD5:1a:1d:a7:2c:4c:ff:15:c4:70:13:38:b6:ac:4c:dc:12 no comment (ED25519)\n"
    );
}

#[test]
fn invalid_key_exits_1_with_one_line() {
    let out = keypairs(&["fingerprint"], b"ssh-rsa AAAA*AAA secret-comment");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("secret-comment"));
    assert!(out.stdout.is_empty());

    let out = keypairs(&["fingerprint", "--json"], b"ssh-rsa AAAA*AAA");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["kind"], "invalid_base64");
    assert!(v["error"]["message"].as_str().unwrap().contains("base64"));
}

#[test]
fn usage_errors_exit_2() {
    let out = keypairs(&["fingerprint", "-E", "sha1"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = keypairs(&["fingerprint", "--no-such-flag"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn big_keys_are_inspected_with_the_larger_bound() {
    // Every key file (8192-bit RSA and ML-DSA hybrids are over 1024 bytes) is accepted.
    for path in data::key_files() {
        let out = keypairs(&["fingerprint", path.to_str().unwrap()], b"");
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let huge = vec![b'A'; 20_000];
    let out = keypairs(&["fingerprint"], &huge);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit is 16384 bytes"));
}

#[test]
fn each_line_reports_bad_lines_by_number() {
    let file = "# authorized_keys\n\
        ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz one\n\
        \n\
        ssh-rsa AAAA\n\
        ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBG1r4wzPTIjSo78POCq+u/czb8gYK0KvqlmCvcRPrnDWxgLw7y6BX51tuYREz7iLRCP7BwUt8R+ZWzFZDeOLIWU= two\n";
    let out = keypairs(&["fingerprint", "--each-line"], file.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("one (ED25519)") && text.contains("two (ECDSA)"));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("keypairs: line 4: "), "{err}");

    let out = keypairs(&["fingerprint", "--each-line", "--json"], file.as_bytes());
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 4);
    assert_eq!(lines[1]["error"]["kind"], "truncated");
}

/// The committed lines came from ssh-keygen; where it is installed, ask it again.
#[test]
fn live_ssh_keygen_agrees() {
    if Command::new("ssh-keygen").arg("-?").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "ssh-keygen is required in CI"
        );
        eprintln!("skipped: ssh-keygen not installed");
        return;
    }
    for path in data::key_files() {
        let p = path.to_str().unwrap();
        let keygen = Command::new("ssh-keygen")
            .args(["-l", "-E", "md5", "-f", p])
            .output()
            .unwrap();
        if !keygen.status.success() {
            // Types this OpenSSH does not know (ML-DSA hybrids on OpenSSH < 10).
            assert!(p.contains("mldsa"), "ssh-keygen refused {p}");
            continue;
        }
        let ours = keypairs(&["fingerprint", "-E", "md5", p], b"");
        assert_eq!(
            stdout(&ours),
            String::from_utf8(keygen.stdout).unwrap(),
            "{p}"
        );
    }
}

const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";
const ED_SHA256: &str = "SHA256:1KcBG++MOWHm5/5oCDjGDZwK2ijqi4HDUKeZz/gEVz0";

/// A file in the temporary directory, removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(tag: &str, body: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "keypairs-fp-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&path, body).unwrap();
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn have_ssh_keygen() -> bool {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    assert!(
        found || std::env::var_os("CI").is_none(),
        "ssh-keygen is required in CI"
    );
    found
}

/// Single-key mode skips blank and '#' lines as `ssh-keygen -l -f` does: a commented-out key
/// is no key (exit 1 on both sides), a comment above a key does not hide the key.
#[test]
fn single_key_mode_skips_comment_lines_as_ssh_keygen_does() {
    let keygen = have_ssh_keygen();
    let refused = [
        format!("# {ED} t@x\n"),
        format!("  #{ED} t@x\n\n# another\n"),
        "# only a comment\n".to_owned(),
    ];
    for body in &refused {
        let file = TempFile::new("commented", body);
        let out = keypairs(&["fingerprint", file.path()], b"");
        assert_eq!(out.status.code(), Some(1), "{body:?}");
        assert!(out.stdout.is_empty(), "{body:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("only '#' comment and blank lines"), "{err}");
        assert!(!err.contains("AAAA"), "no key text echoed: {err}");
        let out = keypairs(&["fingerprint", "--json", "-"], body.as_bytes());
        assert_eq!(out.status.code(), Some(1));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["error"]["kind"], "comment_line");
        if keygen {
            let theirs = Command::new("ssh-keygen")
                .args(["-l", "-f", file.path()])
                .output()
                .unwrap();
            assert!(!theirs.status.success(), "ssh-keygen -l read {body:?}");
        }
    }
    let accepted = [
        format!("# comment\n{ED} me@host\n"),
        format!("\n   # indented\n\n{ED} me@host\n# after\n\n"),
        format!("#{ED} disabled\n{ED} me@host"),
    ];
    for body in &accepted {
        let file = TempFile::new("comment-above", body);
        let out = keypairs(&["fingerprint", file.path()], b"");
        assert!(out.status.success(), "{body:?}: {}", stderr(&out));
        let expected = format!("256 {ED_SHA256} me@host (ED25519)\n");
        assert_eq!(stdout(&out), expected, "{body:?}");
        assert_eq!(
            stdout(&keypairs(&["fingerprint", "-"], body.as_bytes())),
            expected
        );
        if keygen {
            let theirs = Command::new("ssh-keygen")
                .args(["-l", "-f", file.path()])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8(theirs.stdout).unwrap(),
                expected,
                "{body:?}"
            );
        }
    }
    // Empty and blank-only input is the empty error; two keys are still not one key.
    let out = keypairs(&["fingerprint", "--json"], b"\n \n");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["kind"], "empty");
    let two = format!("# c\n{ED} a\n{ED} b\n");
    let out = keypairs(&["fingerprint", "--json"], two.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["kind"], "line_break");
    assert!(stderr(&out).contains("use --each-line"), "{}", stderr(&out));
}

/// A known_hosts marker shows in the text line too, in front (JSON has `"marker"`): the rest of
/// the line is what `ssh-keygen -l` prints for the same line without its marker.
#[test]
fn marker_lines_show_their_marker_in_text_output() {
    let keygen = have_ssh_keygen();
    for marker in ["@revoked", "@cert-authority"] {
        for (hosts, comment) in [("*", ""), ("*.example.com,10.0.0.1", " ca key")] {
            let unmarked = format!("{hosts} {ED}{comment}\n");
            let marked = format!("{marker} {unmarked}");
            let shown = if comment.is_empty() { hosts } else { "ca key" };
            let expected = format!("{marker} 256 {ED_SHA256} {shown} (ED25519)\n");
            let single = keypairs(&["fingerprint", "-"], marked.as_bytes());
            assert!(single.status.success(), "{}", stderr(&single));
            assert_eq!(stdout(&single), expected);
            let each = keypairs(&["fingerprint", "--each-line", "-"], marked.as_bytes());
            assert_eq!(stdout(&each), expected);
            let json = keypairs(&["fingerprint", "--json", "-"], marked.as_bytes());
            let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
            assert_eq!(v["marker"], marker);
            if keygen {
                let file = TempFile::new("unmarked", &unmarked);
                let theirs = Command::new("ssh-keygen")
                    .args(["-l", "-f", file.path()])
                    .output()
                    .unwrap();
                let theirs = String::from_utf8(theirs.stdout).unwrap();
                assert_eq!(format!("{marker} {theirs}"), expected);
            }
        }
    }
    // Unmarked lines are unchanged.
    let out = keypairs(&["fingerprint", "-"], format!("host1 {ED}").as_bytes());
    assert_eq!(stdout(&out), format!("256 {ED_SHA256} host1 (ED25519)\n"));
}
