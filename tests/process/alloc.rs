//! Heap use of one import (parse + validate + MD5 fingerprint under the API policy), measured
//! with a counting global allocator: the peak must stay under 4 KiB for every input of at most
//! 1024 bytes (a correctness bound, not a timing). Prints bytes and allocations per import.
//!
//! The counting is the binary's allocator's (tests/process/main.rs), whose trials run one at a
//! time on the main thread, so nothing else allocates while a case is measured.

use crate::data;

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use base64::Engine as _;

/// The bound: peak heap of one import of an input of at most `MAX_PUBLIC_KEY_LEN` bytes.
const PEAK_LIMIT: usize = 4096;

// The counters, fed by the binary's allocator (tests/process/main.rs).
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

/// Counts a new block of `size` bytes at `p` (none if the allocation failed); gives `p` back.
pub(crate) fn counted(p: *mut u8, size: usize) -> *mut u8 {
    if !p.is_null() {
        ALLOCS.fetch_add(1, Relaxed);
        TOTAL.fetch_add(size, Relaxed);
        grew(size);
    }
    p
}

/// Counts a block of `size` bytes freed.
pub(crate) fn freed(size: usize) {
    CURRENT.fetch_sub(size, Relaxed);
}

/// Counts a reallocation from `old` to `new` bytes (one allocation; the growth, or the shrink).
pub(crate) fn reallocated(old: usize, new: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    if new >= old {
        TOTAL.fetch_add(new - old, Relaxed);
        grew(new - old);
    } else {
        CURRENT.fetch_sub(old - new, Relaxed);
    }
}

/// Heap use of one measured call.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    /// Highest live heap above the level before the call, in bytes.
    peak: usize,
    /// Allocations (and reallocations).
    allocs: usize,
    /// Bytes requested in total.
    total: usize,
}

/// One import as the API does it: parse + validate + MD5 fingerprint; everything dropped inside.
fn import(input: &[u8]) -> bool {
    match keypairs::parse_public_key(input) {
        Ok(key) => {
            std::hint::black_box(key.md5_fingerprint().to_colon_hex());
            true
        }
        Err(e) => {
            std::hint::black_box(e);
            false
        }
    }
}

fn measure(input: &[u8]) -> (bool, Usage) {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    ALLOCS.store(0, Relaxed);
    TOTAL.store(0, Relaxed);
    let ok = import(std::hint::black_box(input));
    let usage = Usage {
        peak: PEAK.load(Relaxed).saturating_sub(base),
        allocs: ALLOCS.load(Relaxed),
        total: TOTAL.load(Relaxed),
    };
    (ok, usage)
}

// ----- hostile inputs ---------------------------------------------------------------------------

fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&u32::try_from(s.len()).expect("test data").to_be_bytes());
    out.extend_from_slice(s);
}

fn line(type_name: &str, blob: &[u8], comment: &str) -> Vec<u8> {
    let mut s = format!(
        "{type_name} {}",
        base64::engine::general_purpose::STANDARD.encode(blob)
    );
    if !comment.is_empty() {
        s.push(' ');
        s.push_str(comment);
    }
    s.into_bytes()
}

/// The blob of the key in `tests/data/keys/<file>`.
fn key_blob(file: &str) -> Vec<u8> {
    let text = String::from_utf8(data::read(&format!("keys/{file}"))).expect("test data");
    let b64 = text.split_whitespace().nth(1).expect("test data");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("test data")
}

/// An Ed25519 user certificate signed by an RSA "CA" with modulus `n` (odd, big-endian),
/// `principals` one-byte principals, and a signature of `n.len()` bytes below `n` that
/// does not verify: the RSA verification runs in full and fails at the comparison.
fn rsa_ca_cert(n: &[u8], sig_alg: &str, principals: usize) -> Vec<u8> {
    let name = "ssh-ed25519-cert-v01@openssh.com";
    let ed = key_blob("ed25519.pub");
    let mut b = Vec::new();
    string(&mut b, name.as_bytes());
    string(&mut b, &[7; 32]); // nonce
    b.extend_from_slice(&ed[4 + 11..]); // string(32-byte key) after string("ssh-ed25519")
    b.extend_from_slice(&1u64.to_be_bytes()); // serial
    b.extend_from_slice(&1u32.to_be_bytes()); // user
    string(&mut b, b"id");
    let mut p = Vec::new();
    for i in 0..principals {
        string(&mut p, &[b'a' + u8::try_from(i % 26).expect("test data")]);
    }
    string(&mut b, &p);
    b.extend_from_slice(&0u64.to_be_bytes());
    b.extend_from_slice(&u64::MAX.to_be_bytes());
    string(&mut b, b""); // critical options
    string(&mut b, b""); // extensions
    string(&mut b, b""); // reserved
    let mut ca = Vec::new();
    string(&mut ca, b"ssh-rsa");
    string(&mut ca, &[1, 0, 1]);
    string(&mut ca, &mpint(n));
    string(&mut b, &ca);
    let mut sig = Vec::new();
    string(&mut sig, sig_alg.as_bytes());
    string(&mut sig, &vec![0x01; n.len()]);
    string(&mut b, &sig);
    line(name, &b, "")
}

/// An odd RSA modulus of exactly `len * 8` bits, big-endian (not a product of primes: the
/// parser does not factor, and the signature check runs the same work on any odd modulus).
fn modulus(len: usize) -> Vec<u8> {
    let mut n: Vec<u8> = (0..len)
        .map(|i| u8::try_from((i * 167 + 13) % 256).expect("test data"))
        .collect();
    n[0] = 0xc5;
    n[len - 1] |= 1;
    n
}

/// `n` as an RFC 4251 mpint body (a zero byte in front when the top bit is set).
fn mpint(n: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(n.len() + 1);
    if n.first().is_some_and(|b| b & 0x80 != 0) {
        m.push(0);
    }
    m.extend_from_slice(n);
    m
}

fn pad_to(mut input: Vec<u8>, len: usize) -> Vec<u8> {
    if !input.contains(&b' ') || input.iter().filter(|&&b| b == b' ').count() < 2 {
        input.push(b' ');
    }
    input.resize(len, b'x');
    input
}

fn hostile() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = Vec::new();
    let max = keypairs::MAX_PUBLIC_KEY_LEN;

    // Huge length fields at every level.
    let mut b = Vec::new();
    b.extend_from_slice(&u32::MAX.to_be_bytes());
    b.extend_from_slice(b"ssh-rsa");
    v.push(("huge type-name length".into(), line("ssh-rsa", &b, "")));
    let mut b = Vec::new();
    string(&mut b, b"ssh-rsa");
    b.extend_from_slice(&0x7fff_ffffu32.to_be_bytes());
    b.extend_from_slice(&[1, 0, 1]);
    v.push(("huge RSA e length".into(), line("ssh-rsa", &b, "")));
    let mut b = Vec::new();
    string(&mut b, b"ssh-rsa");
    string(&mut b, &[1, 0, 1]);
    b.extend_from_slice(&0xffff_fff0u32.to_be_bytes());
    b.extend_from_slice(&[0x55; 600]);
    v.push(("huge RSA n length".into(), line("ssh-rsa", &b, "")));
    let mut b = Vec::new();
    string(&mut b, b"ssh-ed25519");
    b.extend_from_slice(&0x8000_0000u32.to_be_bytes());
    b.extend_from_slice(&[0; 32]);
    v.push((
        "huge Ed25519 key length".into(),
        line("ssh-ed25519", &b, ""),
    ));
    let mut cert = rsa_ca_cert(&modulus(128), "rsa-sha2-256", 3);
    let cert_blob = {
        let text = String::from_utf8(cert.clone()).expect("test data");
        let b64 = text.split(' ').nth(1).expect("test data").to_owned();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("test data")
    };
    // The principals field sits after name, nonce, key, serial, type and key id.
    let at = 4 + 32 + 4 + 32 + 4 + 32 + 8 + 4 + 4 + 2;
    let mut b = cert_blob.clone();
    b[at..at + 4].copy_from_slice(&0xffff_ff00u32.to_be_bytes());
    v.push((
        "certificate with huge principals length".into(),
        line("ssh-ed25519-cert-v01@openssh.com", &b, ""),
    ));
    let mut b = cert_blob;
    let l = b.len();
    // The signature data's length field, just before its 128 bytes.
    b[l - 128 - 4..l - 128].copy_from_slice(&u32::MAX.to_be_bytes());
    v.push((
        "certificate with huge signature length".into(),
        line("ssh-ed25519-cert-v01@openssh.com", &b, ""),
    ));

    // Certificates signed by RSA CAs, up to the largest modulus that fits in 1024 bytes.
    for (len, alg) in [
        (128, "rsa-sha2-256"),
        (192, "rsa-sha2-256"),
        (256, "ssh-rsa"),
        (256, "rsa-sha2-256"),
        (256, "rsa-sha2-512"),
        (266, "rsa-sha2-512"),
    ] {
        let input = rsa_ca_cert(&modulus(len), alg, 0);
        v.push((
            format!(
                "RSA-{} CA certificate ({alg}), {} bytes",
                len * 8,
                input.len()
            ),
            input,
        ));
    }
    cert = rsa_ca_cert(&modulus(128), "rsa-sha2-512", 50);
    v.push((
        format!(
            "RSA-1024 CA certificate, 50 principals, {} bytes",
            cert.len()
        ),
        cert,
    ));

    // 1024-byte inputs.
    for file in [
        "ed25519.pub",
        "rsa2048.pub",
        "ecdsa521.pub",
        "ed25519-by-rsa-sha512-cert.pub",
    ] {
        let text = String::from_utf8(data::read(&format!("keys/{file}"))).expect("test data");
        let input = pad_to(text.trim_end().as_bytes().to_vec(), max);
        v.push((format!("{file} with a comment up to {max} bytes"), input));
    }
    let mut b = Vec::new();
    string(&mut b, b"ssh-rsa");
    string(&mut b, &[1, 0, 1]);
    let n_len = (max - 8) / 4 * 3 - b.len() - 4;
    string(&mut b, &modulus(n_len));
    let input = line("ssh-rsa", &b, "");
    v.push((
        format!("largest RSA key in {max} bytes ({} bytes)", input.len()),
        input,
    ));
    v.push(("1024 x 'A'".into(), vec![b'A'; max]));
    let mut a = b"ssh-rsa ".to_vec();
    a.resize(max, b'A');
    v.push(("ssh-rsa + 1016 x 'A' (zero blob)".into(), a));
    let mut a = b"ssh-rsa ".to_vec();
    a.resize(max - 1, b'/');
    a.push(b'=');
    v.push(("ssh-rsa + base64 of 0xff bytes".into(), a));
    v.push(("1024 x 0xff".into(), vec![0xff; max]));
    v.push(("1024 spaces".into(), vec![b' '; max]));
    v.push(("1024 newlines".into(), vec![b'\n'; max]));
    v.push(("1024 NUL".into(), vec![0; max]));
    let mut u = Vec::new();
    while u.len() + 3 <= max {
        u.extend_from_slice("\u{2003}".as_bytes());
    }
    v.push(("em spaces".into(), u));
    let mut t = b"ssh-ed25519".to_vec();
    t.resize(max, b'\t');
    v.push(("type and 1013 TABs".into(), t));
    v.push(("1025 x 'A'".into(), vec![b'A'; max + 1]));
    v.push(("64 KiB".into(), vec![b'A'; 64 * 1024]));
    v
}

pub(crate) fn import_peak_heap_is_under_4_kib() {
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for sub in ["keys", "rejected", "ca", "formats", "private", "nova"] {
        let dir = data::data_dir().join(sub);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for p in files {
            let name = format!("{sub}/{}", p.file_name().unwrap().to_string_lossy());
            cases.push((name, std::fs::read(&p).unwrap()));
        }
    }
    for file in ["valid_variants.txt", "invalid.txt"] {
        for c in data::cases(file) {
            cases.push((format!("{file}:{}", c.line), c.input));
        }
    }
    cases.extend(hostile());
    assert!(cases.len() > 100, "too few cases: {}", cases.len());

    // Warm-up: one-time allocations (lazy statics, thread-locals) are not the import's.
    for (_, input) in &cases {
        let _ = measure(input);
    }

    let results: Vec<(bool, Usage)> = cases.iter().map(|(_, input)| measure(input)).collect();

    let mut worst: Option<(usize, &str, usize)> = None;
    let mut over = Vec::new();
    note!(
        "{:>6} {:>6} {:>6} {:>5}  case",
        "peak",
        "total",
        "allocs",
        "len"
    );
    for ((name, input), (ok, u)) in cases.iter().zip(&results) {
        if input.len() > keypairs::MAX_PUBLIC_KEY_LEN {
            assert_eq!(u.allocs, 0, "{name}: an oversized input allocated");
        }
        if worst.is_none_or(|(p, _, _)| u.peak > p) {
            worst = Some((u.peak, name, input.len()));
        }
        if u.peak >= PEAK_LIMIT {
            over.push(format!(
                "{name}: peak {} bytes, {} allocations",
                u.peak, u.allocs
            ));
        }
        let mark = if *ok { "ok " } else { "err" };
        note!(
            "{:>6} {:>6} {:>6} {:>5}  {mark} {name}",
            u.peak,
            u.total,
            u.allocs,
            input.len()
        );
    }
    let (peak, name, len) = worst.unwrap();
    note!(
        "max peak heap per import: {peak} bytes ({name}, {len}-byte input); {} cases",
        cases.len()
    );
    assert!(
        over.is_empty(),
        "imports over {PEAK_LIMIT} bytes of peak heap:\n{}",
        over.join("\n")
    );
}
