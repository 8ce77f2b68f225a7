//! Log in for real with a generated key: an `sshd` (Debian's openssh-server) started by the test
//! on 127.0.0.1 and a free port, with its own config, host key and an authorized_keys holding a
//! freshly generated public key; `ssh -i <generated private key>` runs a command on it. Once per
//! private key format. sshd is stopped at the end of each test whatever happens.
//!
//! Needs `/usr/sbin/sshd`, `ssh` and `ssh-keygen`. Where one is missing the tests are reported as
//! *ignored* (never as passed); `-- --include-ignored` runs them anyway (and they fail, naming the
//! missing tools). When `CI` is set they always run, so a CI machine without sshd fails. The file
//! has its own harness (`libtest-mimic`, `harness = false`): libtest cannot decide at run time
//! whether a test is ignored.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

#[path = "support/tools.rs"]
mod tools;

use std::fs;
use std::io::Read as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use keypairs::{GeneratedKey, PrivateKeyFormat, generate_rsa};
use libtest_mimic::{Arguments, Trial};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use tools::in_ci;

/// The sshd binary: `/usr/sbin/sshd`, or `$KEYPAIRS_TEST_SSHD` (another build, or a path that does
/// not exist to see the tests reported as ignored).
fn sshd() -> String {
    std::env::var("KEYPAIRS_TEST_SSHD").unwrap_or_else(|_| "/usr/sbin/sshd".to_owned())
}

/// The external tools that cannot be started here.
fn missing_tools() -> Vec<String> {
    tools::missing_tools(&[&sshd(), "ssh", "ssh-keygen"])
}

/// A private temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "keypairs-sshd-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The sshd child: killed and reaped on drop, so a failing assertion cannot leave it running.
struct Sshd {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn write_private(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    assert!(out.status.success(), "id -un failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs a command, killing it if it takes longer than `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "command timed out after {limit:?}: {cmd:?}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts sshd on 127.0.0.1 with everything under `dir`, and waits until it accepts connections.
fn start_sshd(dir: &TempDir, user: &str, authorized_line: &str) -> Sshd {
    let host_key = dir.path("host_ed25519");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test-host", "-f"])
        .arg(&host_key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen (host key) failed: {out:?}"
    );
    let authorized_keys = dir.path("authorized_keys");
    fs::write(&authorized_keys, format!("{authorized_line}\n")).unwrap();
    fs::set_permissions(&authorized_keys, fs::Permissions::from_mode(0o600)).unwrap();

    // sshd's privilege separation directory; Debian creates it only when the service starts.
    let privsep = Path::new("/run/sshd");
    if !privsep.exists() && user == "root" {
        let _ = fs::create_dir_all(privsep);
        let _ = fs::set_permissions(privsep, fs::Permissions::from_mode(0o755));
    }

    for _attempt in 0..5 {
        let port = free_port();
        let config = dir.path("sshd_config");
        fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1\n\
                 Port {port}\n\
                 HostKey {host}\n\
                 PidFile none\n\
                 AuthorizedKeysFile {authorized}\n\
                 StrictModes no\n\
                 UsePAM no\n\
                 PermitRootLogin yes\n\
                 AllowUsers {user}\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 AuthenticationMethods publickey\n\
                 PrintMotd no\n\
                 LogLevel VERBOSE\n",
                host = host_key.display(),
                authorized = authorized_keys.display(),
            ),
        )
        .unwrap();
        let log = dir.path(&format!("sshd-{port}.log"));
        let log_file = fs::File::create(&log).unwrap();
        let child = Command::new(sshd())
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file))
            .spawn()
            .unwrap();
        let mut sshd = Sshd { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return sshd;
            }
            if let Some(status) = sshd.child.try_wait().unwrap() {
                let log = sshd.log();
                if log.contains("Address already in use") {
                    break; // the port was taken in between: try another one
                }
                panic!("sshd exited early ({status}):\n{log}");
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen within 10 s:\n{}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("could not start sshd on a free port");
}

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

    let sshd = start_sshd(&dir, &user, &public_line);
    let marker = format!("login-ok-{seed}-{}", std::process::id());
    let out = run_with_timeout(
        Command::new("ssh")
            .args(["-F", "/dev/null", "-i"])
            .arg(&key_path)
            .args([
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "IdentityAgent=none",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "ConnectTimeout=10",
                "-p",
            ])
            .arg(sshd.port.to_string())
            .arg(format!("{user}@127.0.0.1"))
            .arg(format!("echo {marker}")),
        Duration::from_secs(30),
    );
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

fn main() {
    let args = Arguments::from_args();
    let missing = missing_tools();
    // Ignored only where the tools are missing and CI is not set; CI runs them for real.
    let ignored = !missing.is_empty() && !in_ci();
    if ignored {
        eprintln!("sshd login tests ignored: {missing:?} not found");
    }
    let trial = |name: &'static str, run: fn()| {
        Trial::test(name, move || {
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
    ];
    libtest_mimic::run(&args, trials).exit();
}
