//! A test's own `sshd` on 127.0.0.1 (Debian's openssh-server): a private temporary directory,
//! a host key, a config of the test's own on a free port, and `ssh` logging in to it. Shared by
//! tests/process/sshd_login.rs and sshd_ca_login.rs; their binary includes tests/support/tools.rs as
//! `mod tools` next to this one. Every server started here is killed and reaped on drop, so a
//! failing assertion cannot leave one running; every directory is removed on drop.

use std::fs;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The sshd binary: `/usr/sbin/sshd`, or `$KEYPAIRS_TEST_SSHD` (another build, or a path that does
/// not exist to see the tests reported as ignored).
pub(crate) fn sshd_binary() -> String {
    std::env::var("KEYPAIRS_TEST_SSHD").unwrap_or_else(|_| "/usr/sbin/sshd".to_owned())
}

/// The external tools of a login test that cannot be started here.
pub(crate) fn missing_tools() -> Vec<String> {
    crate::tools::missing_tools(&[&sshd_binary(), "ssh", "ssh-keygen"])
}

/// A private temporary directory (mode 0700), removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
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

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The sshd child: killed and reaped on drop.
pub(crate) struct Sshd {
    child: Child,
    pub(crate) port: u16,
    log: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    /// What sshd has written to its log so far (`-e`, `LogLevel VERBOSE`).
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Writes a private key file with mode 0600 (ssh refuses other modes).
pub(crate) fn write_private(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

/// The user the tests log in as: the one running them.
pub(crate) fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    assert!(out.status.success(), "id -un failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs a command, killing it (and failing) if it takes longer than `limit`.
pub(crate) fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
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

/// Starts sshd on 127.0.0.1 with everything under `dir` and waits until it accepts connections.
/// `auth` is the config's say on which keys are trusted (`AuthorizedKeysFile ...`,
/// `TrustedUserCAKeys ...`): the files it names are the caller's.
pub(crate) fn start_sshd(dir: &TempDir, user: &str, auth: &str) -> Sshd {
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
                 {auth}\n\
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
            ),
        )
        .unwrap();
        let log = dir.path(&format!("sshd-{port}.log"));
        let log_file = fs::File::create(&log).unwrap();
        let child = Command::new(sshd_binary())
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

/// `ssh -i KEY [-o OPTION]... -p PORT USER@127.0.0.1 COMMAND`, with no config file, agent or
/// known_hosts of the machine's, at most 30 s.
pub(crate) fn ssh(
    sshd: &Sshd,
    user: &str,
    key: &Path,
    options: &[String],
    command: &str,
) -> Output {
    let mut cmd = Command::new("ssh");
    cmd.args(["-F", "/dev/null", "-i"]).arg(key);
    for option in options {
        cmd.arg("-o").arg(option);
    }
    cmd.args([
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
    .arg(command);
    run_with_timeout(&mut cmd, Duration::from_secs(30))
}
