//! Import: parse + validate + MD5 fingerprint of one OpenSSH public-key line, next to the floor
//! (base64-decode the key field and MD5 it, nothing else) and the peer crates, on the same lines
//! in the same group.
//!
//! `cargo bench --bench import` measures and prints a summary table; `cargo test` runs every
//! routine once (criterion's test mode) and checks that all four agree on the fingerprint.

use std::hint::black_box;
use std::time::SystemTime;

use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput};
use md5::{Digest as _, Md5};

#[path = "support/report.rs"]
mod report;

/// The lines (made once with `ssh-keygen -t TYPE -b BITS -C bench@example`) and their
/// `ssh-keygen -l -E md5` fingerprints.
const LINES: [(&str, &str, &str); 4] = [
    (
        "rsa-2048",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC8D46vlj5deksGrc3vvjpGdA2p0YBgUuJMD0LmWLTJjtFGbPdc8QvZFKwQ9oCZpC/klJvDSW8nzbRLrN6f6wgre/NhoNNdVZoY75sZnsf0kF05/Dk4OfLXk5ZovoE3s3DyeP4uc0gFPsM7+9KdpeRrssk0YRaJVtLtRhxIzMi6cUg2GJ0HTCtGYzqyAa/+VM8ZZK2Jk3h/1hwVdrZ7GzAV/aNxHNH0zIrxf1vxaS8Wm6yUDY8O3LkVmoaUn4WicMSEUai1SDRtAEsvYP1R0iKX5cScpJLgFq9Ej6XAhJd25/sKuSsiKZMhWeGjPlgxMWIoVk4Sl2yncwFfzkn4acaV bench@example",
        "0f:35:65:53:2b:3a:42:1b:e7:09:43:6c:d2:04:de:1a",
    ),
    (
        "rsa-4096",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQC8HHuJ/ClrjB59CZMlf9i0OVRdLXNGVCSJDns9MAvUE4gf98Pw6Vk6CVI7zY/2/FBXUcF/OOCEUuLIDOZHT93XgcPzav7jVSnLMdq4D+nxk9I5Nf1TJy/a8SP+7uAIWhB6KniT+YgXv+Kzq7vIM45yq5f6926LuvcZFLJ2XymILY8hH0p8n06p2CKh4bOCySMxnT5QFfTL4Tg6WkZRlTbcWjMRJXmpjF7gVy3W3aWeGRT1nP31KS6ZmjZO49B4wTkpLjtKjwmBbkdobOvyM0aDRiTm9eFYTcOqFsTBXSSLv0mDr8pqbvsmOoGBmT1IEElK65sRsxgpsl/ewMcrHDAGpsNDd0V5V7GsgyJC5wbxy/ybomzF0VpQtAxlzcYhBl0juRiZUu8gZNmo6Do0M1kF+N1CfY75Il/XC9/sTdAHH6jKSwc4n6Wjo40i2OIU7ldk6BQn1Q0WuasCBRGFhvdas6rWnhNdF78+wOJtVcbaFCEFwXGRPI9HeqKDCnSvMlvNYQgqhBPdtS+vx/hRWqiNWaGfP8t9kHsj/GW/ULAefeucdwhMaB4Twje2F+BuGMTo7y10nOfD/5tV4ITHJjR/twU6CnQuz0XZZsnmFo8EiZM+K4nLoRVD9PQK7g6uK6PtDT6zNimqrRlo12Z/PAz5M9kQtafK3geG5Q/oAtkPBw== bench@example",
        "26:e5:bf:b6:43:50:20:f7:f7:8b:57:f1:f9:0d:1b:b2",
    ),
    (
        "ed25519",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxqxyuy5sKD17Hx4JeOgEhAGYxhDrPph/BcYm8VKP6G bench@example",
        "7e:a6:c6:e2:4e:41:f1:95:5c:00:ba:81:54:a1:54:ac",
    ),
    (
        "ecdsa-p256",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJalCXZYqjgWvggo2DCDRH7NBiPcRmUmw8SaIUVVrtmJPaWJqifp0D4M2ME7AKnKnEg6h9icXeQrBDllBNC3hjY= bench@example",
        "98:6d:01:40:11:e7:b7:77:04:93:04:15:2c:5e:06:a0",
    ),
];

/// The implementations, in table order (the first is the one the ratios are relative to).
const IMPLS: [&str; 4] = ["keypairs", "floor", "ssh-key", "openssh-keys"];

/// This crate: parse + validate (API policy) + MD5 fingerprint in colon-hex form (no allocation
/// for the hex, so it matches what `openssh-keys` returns as a `String`).
fn keypairs_import(line: &str) -> Option<[u8; 47]> {
    let key = keypairs::parse_public_key(line.as_bytes()).ok()?;
    Some(key.md5_fingerprint().to_colon_hex())
}

/// The floor: base64-decode the second field and MD5 it, nothing else.
fn floor(line: &str) -> Option<[u8; 16]> {
    let b64 = line.split(' ').nth(1)?;
    let blob = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some(Md5::digest(&blob).into())
}

/// `ssh-key`: `PublicKey::from_openssh`, then MD5 of `to_bytes()` (it has no MD5 fingerprint).
fn ssh_key_import(line: &str) -> Option<[u8; 16]> {
    let key = ssh_key::PublicKey::from_openssh(line).ok()?;
    let blob = key.to_bytes().ok()?;
    Some(Md5::digest(&blob).into())
}

/// `openssh-keys`: `PublicKey::parse`, then `fingerprint_md5()` (a colon-hex `String`).
fn openssh_keys_import(line: &str) -> Option<String> {
    let key = openssh_keys::PublicKey::parse(line).ok()?;
    Some(key.fingerprint_md5())
}

fn hex(md5: &[u8; 16]) -> String {
    md5.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// All four accept every line and agree on the fingerprint (checked before timing, so a broken
/// bench fails `cargo test`).
fn check_agreement() {
    for (name, line, md5) in LINES {
        let expected = Some(md5.to_owned());
        let ours = keypairs_import(line).map(|h| String::from_utf8_lossy(&h).into_owned());
        assert_eq!(ours, expected, "keypairs on {name}");
        assert_eq!(floor(line).map(|h| hex(&h)), expected, "floor on {name}");
        assert_eq!(
            ssh_key_import(line).map(|h| hex(&h)),
            expected,
            "ssh-key on {name}"
        );
        assert_eq!(
            openssh_keys_import(line),
            expected,
            "openssh-keys on {name}"
        );
    }
}

fn bench_import(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    for (name, line, _) in LINES {
        group.throughput(Throughput::Bytes(line.len() as u64));
        group.bench_with_input(BenchmarkId::new("keypairs", name), line, |b, l| {
            b.iter(|| keypairs_import(black_box(l)));
        });
        group.bench_with_input(BenchmarkId::new("floor", name), line, |b, l| {
            b.iter(|| floor(black_box(l)));
        });
        group.bench_with_input(BenchmarkId::new("ssh-key", name), line, |b, l| {
            b.iter(|| ssh_key_import(black_box(l)));
        });
        group.bench_with_input(BenchmarkId::new("openssh-keys", name), line, |b, l| {
            b.iter(|| openssh_keys_import(black_box(l)));
        });
    }
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    check_agreement();
    let mut c = Criterion::default().configure_from_args();
    bench_import(&mut c);
    c.final_summary();
    if report::bench_mode() {
        let rows: Vec<&str> = LINES.iter().map(|(name, _, _)| *name).collect();
        report::print_table("Import", started, &rows, &IMPLS, |row, col| {
            format!("import/{col}/{row}")
        });
    }
}
