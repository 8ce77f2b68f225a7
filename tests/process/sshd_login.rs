//! Log in for real with a generated key: an `sshd` (Debian's openssh-server) started by the test
//! on 127.0.0.1 and a free port, with its own config, host key and an authorized_keys holding a
//! freshly generated public key; `ssh -i <generated private key>` runs a command on it. Once per
//! private key format. sshd is stopped at the end of each test whatever happens.
//!
//! Needs `/usr/sbin/sshd`, `ssh` and `ssh-keygen`. Where one is missing the tests are reported as
//! *ignored* (never as passed); `-- --include-ignored` runs them anyway (and they fail, naming the
//! missing tools). When `CI` is set they always run, so a CI machine without sshd fails. The
//! binary has its own harness (`libtest-mimic`, `harness = false`): libtest cannot decide at run
//! time whether a test is ignored.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use crate::tools;

use crate::sshd;

use std::fs;
use std::io::Read as _;
use std::time::{Duration, Instant};

use keypairs::{GeneratedKey, PrivateKeyFormat, generate_rsa};
use libtest_mimic::Trial;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use sshd::{TempDir, current_user, missing_tools, ssh, start_sshd, write_private};
use tools::in_ci;

/// Generates a key, installs its public line on a fresh sshd, and logs in with its private key
/// in `format`.
fn login_with(format: PrivateKeyFormat, seed: u8) {
    login(format, seed, seed);
}

/// Installs the public key of seed `authorized` and logs in with the private key of seed `seed`:
/// it must work exactly when the two are the same key.
fn login(format: PrivateKeyFormat, seed: u8, authorized: u8) {
    let missing = missing_tools();
    assert!(
        missing.is_empty(),
        "{missing:?} not found (apt-get install openssh-server openssh-client)"
    );
    let dir = TempDir::new(match format {
        PrivateKeyFormat::Pem => "pem",
        _ => "openssh",
    });
    let user = current_user();
    let key: GeneratedKey = generate_rsa(
        &mut ChaCha20Rng::from_seed([seed; 32]),
        2048,
        "sshd-login-test",
    )
    .unwrap();
    let sha256 = key.sha256_fingerprint().to_string();
    let public_line = if authorized == seed {
        key.public_line()
    } else {
        generate_rsa(&mut ChaCha20Rng::from_seed([authorized; 32]), 2048, "other")
            .unwrap()
            .public_line()
    };
    let (_, private) = key.into_private(format).unwrap();
    let key_path = dir.path("id_rsa");
    write_private(&key_path, &private);

    let authorized_keys = dir.path("authorized_keys");
    fs::write(&authorized_keys, format!("{public_line}\n")).unwrap();
    let sshd = start_sshd(
        &dir,
        &user,
        &format!("AuthorizedKeysFile {}", authorized_keys.display()),
    );
    let marker = format!("login-ok-{seed}-{}", std::process::id());
    let out = ssh(&sshd, &user, &key_path, &[], &format!("echo {marker}"));
    if authorized != seed {
        assert!(
            !out.status.success(),
            "a key that is not in authorized_keys logged in:\n{}",
            sshd.log()
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains(&marker));
        return;
    }
    assert!(
        out.status.success(),
        "ssh login failed ({}):\nssh stderr: {}\nsshd log:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        sshd.log()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), marker);

    // sshd names the key it accepted by its SHA-256 fingerprint: ours.
    let deadline = Instant::now() + Duration::from_secs(5);
    let expected = format!("Accepted publickey for {user}");
    loop {
        let log = sshd.log();
        if let Some(line) = log.lines().find(|l| l.contains(&expected)) {
            assert!(line.contains(&format!("RSA {sha256}")), "{line}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no 'Accepted publickey' in:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(sshd);
    // The private key file is still the one ssh read, byte for byte.
    let mut on_disk = String::new();
    fs::File::open(&key_path)
        .unwrap()
        .read_to_string(&mut on_disk)
        .unwrap();
    assert_eq!(on_disk, *private);
}

/// Each line of `tests/data/authorized_keys_options.txt` (options before a key) as the only line
/// of authorized_keys: sshd lets the key log in exactly where the file says `login`, and
/// `parse_authorized_keys_line` accepts exactly those lines. One sshd for all: it reads
/// authorized_keys again for each connection.
fn authorized_keys_options_as_sshd_reads_them() {
    let missing = missing_tools();
    assert!(missing.is_empty(), "{missing:?} not found");
    let dir = TempDir::new("options");
    let user = current_user();
    let key = generate_rsa(
        &mut ChaCha20Rng::from_seed([45; 32]),
        2048,
        "sshd-options-test",
    )
    .unwrap();
    let public_line = key.public_line();
    let (_, private) = key.into_private(PrivateKeyFormat::OpenSsh).unwrap();
    let key_path = dir.path("id_rsa");
    write_private(&key_path, &private);
    let authorized_keys = dir.path("authorized_keys");
    fs::write(&authorized_keys, "").unwrap();
    let sshd = start_sshd(
        &dir,
        &user,
        &format!("AuthorizedKeysFile {}", authorized_keys.display()),
    );
    let text = String::from_utf8(crate::data::read("authorized_keys_options.txt")).unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (number, case) in text.lines().enumerate() {
        if case.starts_with('#') || case.trim().is_empty() {
            continue;
        }
        let (expect, written) = case.split_once('\t').expect("SSHD<TAB>LINE");
        assert!(matches!(expect, "login" | "refused"), "line {}", number + 1);
        let line = written.replace("\\t", "\t").replace("<KEY>", &public_line);
        fs::write(&authorized_keys, format!("{line}\n")).unwrap();
        let out = ssh(&sshd, &user, &key_path, &[], "echo in");
        let sshd_says = if out.status.success() {
            "login"
        } else {
            "refused"
        };
        let ours =
            keypairs::parse_authorized_keys_line(line.as_bytes(), &keypairs::Policy::inspect());
        let ours_says = if ours.is_ok() { "login" } else { "refused" };
        if sshd_says != expect || ours_says != expect {
            failures.push(format!(
                "authorized_keys_options.txt:{}: {written}: expected {expect}, sshd {sshd_says}, ours {ours_says} ({:?})",
                number + 1,
                ours.err()
            ));
        }
        cases += 1;
    }
    assert!(cases >= 20, "too few cases: {cases}");
    assert!(
        failures.is_empty(),
        "{}\nsshd log:\n{}",
        failures.join("\n"),
        sshd.log()
    );
}

/// The login trials, ignored where the tools are missing (module docs).
pub(crate) fn trials() -> Vec<Trial> {
    let missing = missing_tools();
    // Ignored only where the tools are missing and CI is not set; CI runs them for real.
    let ignored = !missing.is_empty() && !in_ci();
    if ignored {
        eprintln!("sshd login tests ignored: {missing:?} not found");
    }
    let trial = |name: &'static str, run: fn()| {
        Trial::test(format!("sshd_login::{name}"), move || {
            run();
            Ok(())
        })
        .with_ignored_flag(ignored)
    };
    let trials = vec![
        trial("ssh_login_with_generated_pem_key", || {
            login_with(PrivateKeyFormat::Pem, 41);
        }),
        trial("ssh_login_with_generated_openssh_key", || {
            login_with(PrivateKeyFormat::OpenSsh, 42);
        }),
        trial("ssh_login_refused_for_a_key_not_authorized", || {
            login(PrivateKeyFormat::OpenSsh, 43, 44);
        }),
        trial(
            "authorized_keys_options_as_sshd_reads_them",
            authorized_keys_options_as_sshd_reads_them,
        ),
    ];
    trials
}
