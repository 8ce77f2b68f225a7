//! The operator side of the CLI against the real `ssh-keygen`: `keypairs create` with -t/-b/-C/-f,
//! the `.pub` file, passphrases, the terminal rule; `keypairs fingerprint` on authorized_keys,
//! known_hosts and private key files.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::cli;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `keypairs ARGS` with an empty standard input.
fn keypairs(args: &[&str]) -> Output {
    cli::keypairs(args, b"")
}

fn keygen(args: &[&str]) -> Output {
    Command::new("ssh-keygen").args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// A fresh directory, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("keypairs-op-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mode(p: &str) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn create_writes_the_private_key_and_its_pub_as_ssh_keygen_does() {
    let dir = Dir::new("create");
    let cases: [(&[&str], &str); 5] = [
        (&["-t", "ed25519"], "ED25519"),
        (&["-t", "ecdsa"], "ECDSA"),
        (&["-t", "ecdsa", "-b", "521"], "ECDSA"),
        (&["--type", "ecdsa", "--bits", "384"], "ECDSA"),
        (&["-t", "rsa", "-b", "3072", "--format", "openssh"], "RSA"),
    ];
    for (i, (opts, label)) in cases.iter().enumerate() {
        let key = dir.path(&format!("k{i}"));
        let mut args = vec!["create", "-C", "op@example", "-f", &key];
        args.extend_from_slice(opts);
        let out = keypairs(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        assert_eq!(mode(&key), 0o600);
        let public = format!("{key}.pub");
        assert_eq!(mode(&public), 0o644);
        assert_eq!(
            std::fs::read_to_string(&public).unwrap(),
            format!("{}\n", lines[0])
        );
        let derived = keygen(&["-y", "-f", &key]);
        assert_eq!(text(&derived.stdout).trim_end(), lines[0], "ssh-keygen -y");
        // ssh-keygen -l on the private file, on the .pub, and ours on both: one line.
        let listed = text(&keygen(&["-l", "-f", &key]).stdout);
        assert!(
            listed.ends_with(&format!(" op@example ({label})\n")),
            "{listed}"
        );
        assert_eq!(listed.split(' ').nth(1), Some(lines[2]));
        assert_eq!(text(&keygen(&["-l", "-f", &public]).stdout), listed);
        assert_eq!(text(&keypairs(&["fingerprint", "-f", &key]).stdout), listed);
        assert_eq!(text(&keypairs(&["fingerprint", &public]).stdout), listed);
        let md5 = text(&keygen(&["-l", "-E", "md5", "-f", &public]).stdout);
        assert_eq!(
            md5.split(' ').nth(1),
            Some(format!("MD5:{}", lines[1]).as_str())
        );
    }
}

#[test]
fn existing_files_are_never_overwritten() {
    let dir = Dir::new("exists");
    let key = dir.path("k");
    std::fs::write(format!("{key}.pub"), "keep\n").unwrap();
    let out = keypairs(&["create", "-t", "ed25519", "-f", &key]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(".pub exists: refusing to overwrite it"));
    assert!(!Path::new(&key).exists(), "no private key without its .pub");
    assert_eq!(
        std::fs::read_to_string(format!("{key}.pub")).unwrap(),
        "keep\n"
    );
    std::fs::remove_file(format!("{key}.pub")).unwrap();
    assert!(
        keypairs(&["create", "-t", "ed25519", "-f", &key])
            .status
            .success()
    );
    let out = keypairs(&["create", "-t", "ed25519", "-f", &key]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn passphrase_from_a_file_or_the_environment_opens_in_ssh_keygen() {
    let dir = Dir::new("pass");
    let pass_file = dir.path("pass.txt");
    // The first line is the passphrase; a CRLF and what follows are not part of it.
    std::fs::write(&pass_file, "open sesame\r\nsecond line\n").unwrap();
    let runs: [(&[&str], &str); 4] = [
        (
            &["-t", "ed25519", "--passphrase-file", &pass_file],
            "open sesame",
        ),
        (
            &[
                "-t",
                "ecdsa",
                "-b",
                "384",
                "--passphrase-file",
                &pass_file,
                "-a",
                "24",
            ],
            "open sesame",
        ),
        (
            &["-t", "rsa", "--passphrase-env", "KEYPAIRS_TEST_PASS"],
            "env pass",
        ),
        (
            &[
                "-t",
                "ed25519",
                "--passphrase-env",
                "KEYPAIRS_TEST_PASS",
                "--kdf-rounds",
                "2",
            ],
            "env pass",
        ),
    ];
    for (i, (opts, pass)) in runs.iter().enumerate() {
        let key = dir.path(&format!("k{i}"));
        let mut args = vec!["create", "-C", "enc", "-f", &key];
        args.extend_from_slice(opts);
        let out = Command::new(env!("CARGO_BIN_EXE_keypairs"))
            .args(&args)
            .env("KEYPAIRS_TEST_PASS", "env pass")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let body = std::fs::read_to_string(&key).unwrap();
        assert!(body.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        let public = std::fs::read_to_string(format!("{key}.pub")).unwrap();
        let opened = keygen(&["-y", "-P", pass, "-f", &key]);
        assert!(opened.status.success(), "{}", text(&opened.stderr));
        assert_eq!(text(&opened.stdout), public);
        for wrong in ["", "open sesame\r", "wrong"] {
            assert!(
                !keygen(&["-y", "-P", wrong, "-f", &key]).status.success(),
                "{wrong:?}"
            );
        }
        // The public half of an encrypted key is readable without the passphrase.
        let ours = text(&keypairs(&["fingerprint", "-f", &key]).stdout);
        assert_eq!(ours, text(&keygen(&["-l", "-f", &key]).stdout));
    }
}

#[test]
fn passphrase_rules() {
    let dir = Dir::new("rules");
    let empty = dir.path("empty");
    std::fs::write(&empty, "\n").unwrap();
    let key = dir.path("k");
    let out = keypairs(&["create", "-f", &key, "--passphrase-file", &empty]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("passphrase is empty"));
    let pass = dir.path("pass");
    std::fs::write(&pass, "x").unwrap();
    let out = keypairs(&[
        "create",
        "-f",
        &key,
        "--passphrase-file",
        &pass,
        "--format",
        "pem",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = keypairs(&["create", "-f", &key, "--passphrase-file", &pass, "-a", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("rounds"),
        "{}",
        text(&out.stderr)
    );
    let out = keypairs(&[
        "create",
        "-f",
        &key,
        "--passphrase-env",
        "KEYPAIRS_NOT_SET_ANYWHERE",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!Path::new(&key).exists());
    // Never a passphrase on the command line.
    for args in [
        &["create", "-N", "pw"][..],
        &["create", "--passphrase", "pw"],
    ] {
        assert_eq!(keypairs(args).status.code(), Some(2), "{args:?}");
    }
    // Ed25519 has one size.
    assert_eq!(
        keypairs(&["create", "-t", "ed25519", "-b", "256"])
            .status
            .code(),
        Some(1)
    );
    let out = keypairs(&["create", "-t", "ecdsa", "-b", "255", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "unsupported_curve");
}

/// Runs `keypairs ARGS` with standard output on a pseudo-terminal (util-linux `script`).
fn on_a_terminal(args: &str) -> Output {
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_keypairs"));
    Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .unwrap()
}

#[test]
fn no_private_key_on_a_terminal_unless_asked() {
    let out = on_a_terminal("create -t ed25519");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("refusing to print a private key to a terminal"),
        "{shown}"
    );
    assert!(!shown.contains("PRIVATE KEY-----"), "{shown}");
    let out = on_a_terminal("create --name k1");
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stdout).contains("PRIVATE KEY-----"));
    let out = on_a_terminal("create -t ed25519 --print-private-key");
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("-----BEGIN OPENSSH PRIVATE KEY-----"));
    // To a pipe it stays as before.
    let out = keypairs(&["create", "-t", "ecdsa"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    let out = keypairs(&["create", "-t", "ed25519", "--format", "pem"]);
    assert!(text(&out.stdout).starts_with("-----BEGIN PRIVATE KEY-----\n"));
}

const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl6u75BTi8xGtSPm1yVJuLE/oMtCOuEMJJnBSuZEdXz";

fn second_key() -> String {
    let text = String::from_utf8(
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/keys/ecdsa384.pub"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut it = text.split_whitespace();
    format!("{} {}", it.next().unwrap(), it.next().unwrap())
}

/// authorized_keys and known_hosts files: every line ssh-keygen -l prints, we print the same
/// (ssh-keygen skips marker lines silently; we fingerprint them too).
#[test]
fn authorized_keys_and_known_hosts_lines_match_ssh_keygen() {
    let dir = Dir::new("lines");
    let ec = second_key();
    let authorized = format!(
        "# comment\n\ncommand=\"echo a b\",no-pty {ED} me@host\nrestrict,from=\"10.0.0.1\" {ec}\n{ED} plain\n  {ec} spaced comment\n"
    );
    let known = format!(
        "host1,10.0.0.2 {ec}\n[host2]:2222 {ED} c\n|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|BBBBBBBBBBBBBBBBBBBBBBBBBBB= {ED}\n@cert-authority *.example.com {ED}\n@revoked * {ec}\n"
    );
    for (name, body, lines) in [
        ("authorized_keys", &authorized, 4),
        ("known_hosts", &known, 5),
    ] {
        let path = dir.path(name);
        std::fs::write(&path, body).unwrap();
        for hash in ["sha256", "md5"] {
            let theirs = text(&keygen(&["-l", "-E", hash, "-f", &path]).stdout);
            let out = keypairs(&["fingerprint", "--each-line", "-E", hash, "-f", &path]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            let ours = text(&out.stdout);
            assert_eq!(ours.lines().count(), lines, "{ours}");
            let unmarked: Vec<&str> = ours
                .lines()
                .zip(
                    body.lines()
                        .filter(|l| !l.trim().is_empty() && !l.starts_with('#')),
                )
                .filter(|(_, l)| !l.starts_with('@'))
                .map(|(o, _)| o)
                .collect();
            assert_eq!(
                unmarked,
                theirs.lines().collect::<Vec<_>>(),
                "{name} -E {hash}"
            );
        }
    }
    let out = keypairs(&[
        "fingerprint",
        "--each-line",
        "--json",
        &dir.path("known_hosts"),
    ]);
    let v: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["before_key"], "host1,10.0.0.2");
    assert_eq!(v[3]["marker"], "@cert-authority");
    assert_eq!(v[4]["marker"], "@revoked");
    // One line with options works without --each-line too; a bad key after options is named.
    let line = format!("no-pty,command=\"x y\" {ED} k");
    let out = Command::new(env!("CARGO_BIN_EXE_keypairs"))
        .args(["fingerprint", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().unwrap().write_all(line.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "256 SHA256:1KcBG++MOWHm5/5oCDjGDZwK2ijqi4HDUKeZz/gEVz0 k (ED25519)\n"
    );
    let bad = dir.path("bad");
    std::fs::write(&bad, format!("no-pty {}\n", &ED[..60])).unwrap();
    let out = keypairs(&["fingerprint", "--each-line", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("keypairs: line 1: "),
        "{}",
        text(&out.stderr)
    );
}

/// Private key files give their public half: the same line as ssh-keygen -l on them.
#[test]
fn private_key_files_match_ssh_keygen() {
    let dir = Dir::new("private");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/private");
    let mut compared = 0;
    for name in [
        "openssh_ed25519",
        "openssh_ecdsa256",
        "openssh_rsa2048",
        "openssh_ed25519_encrypted",
        "rsa1024.pkcs1.pem",
        "ec256.sec1.pem",
        "ed25519.pkcs8.pem",
    ] {
        let path = dir.path(name);
        std::fs::copy(data.join(name), &path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let ours = keypairs(&["fingerprint", "-f", &path]);
        assert!(ours.status.success(), "{name}: {}", text(&ours.stderr));
        let theirs = keygen(&["-l", "-f", &path]);
        if theirs.status.success() {
            assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{name}");
            compared += 1;
        }
    }
    assert!(compared >= 6, "ssh-keygen read only {compared} files");
    for name in ["ec256.pkcs8.encrypted.pem", "dsa1024.pem"] {
        let out = keypairs(&["fingerprint", "--json", &data.join(name).to_string_lossy()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "invalid_private_key");
        assert!(!text(&out.stderr).contains("BEGIN"), "no key text echoed");
    }
}
