//! A key file for a test: written with mode 0600 (ssh-keygen refuses a private key others can
//! read), named after the test's process and thread, removed on drop.

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

pub(crate) struct KeyFile(PathBuf);

impl KeyFile {
    pub(crate) fn new(tag: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "keypairs-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        Self(path)
    }

    pub(crate) fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
