//! RSA key generation: this crate's `generate_rsa` (key + public line + fingerprint, one thread)
//! and `generate_rsa_parallel` (one thread per core) next to the `rsa` crate's own `PrivateKey::new` at the version the crate builds on (0.10) and at the
//! previous one (0.9, `RsaPrivateKey::new`), for 2048, 3072 and 4096 bits.
//!
//! Every iteration draws a fresh key from a ChaCha8 RNG seeded with the iteration's index, so a
//! run is reproducible. Prime search makes single timings vary a lot; the group takes few
//! samples, one key each (flat sampling), and reports medians. `benches/compare-openssl.py`
//! puts the medians next to OpenSSL, Python `cryptography` and `ssh-keygen`.
//!
//! `cargo test` runs the 2048-bit routines once each (criterion's test mode).

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BenchmarkId, Criterion, SamplingMode};
use rand_chacha::rand_core::SeedableRng as _;

#[path = "support/report.rs"]
mod report;

const SIZES: [usize; 3] = [2048, 3072, 4096];

/// The implementations, in table order (the first is the one the ratios are relative to).
const IMPLS: [&str; 4] = ["keypairs", "keypairs-parallel", "rsa-0.10", "rsa-0.9"];

/// Samples per size (one key per sample).
fn samples(bits: usize) -> usize {
    match bits {
        2048 => 30,
        3072 => 15,
        _ => 10,
    }
}

/// A fresh seeded RNG per call: key `i` of a run is the same in every run.
struct Seeds(u64);

impl Seeds {
    fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn keypairs_generate(seed: u64, bits: usize) -> keypairs::GeneratedKey {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    keypairs::generate_rsa(&mut rng, bits, "bench@example").expect("keypairs generates")
}

fn keypairs_parallel_generate(seed: u64, bits: usize) -> keypairs::GeneratedKey {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    keypairs::generate_rsa_parallel(&mut rng, bits, "bench@example", 0)
        .expect("keypairs generates in parallel")
}

fn rsa010_generate(seed: u64, bits: usize) -> rsa::PrivateKey {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rsa::PrivateKey::new(&mut rng, bits).expect("rsa 0.10 generates")
}

fn rsa09_generate(seed: u64, bits: usize) -> rsa09::RsaPrivateKey {
    use rand_chacha03::rand_core::SeedableRng as _;
    let mut rng = rand_chacha03::ChaCha8Rng::seed_from_u64(seed);
    rsa09::RsaPrivateKey::new(&mut rng, bits).expect("rsa 0.9 generates")
}

fn bench_generate(c: &mut Criterion, sizes: &[usize]) {
    let mut group = c.benchmark_group("generate");
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(500));
    for &bits in sizes {
        group.sample_size(samples(bits));
        // Criterion stretches the time as needed to take the samples; this only caps the wait.
        group.measurement_time(Duration::from_secs(5));
        let mut seeds = Seeds(0);
        group.bench_function(BenchmarkId::new("keypairs", bits), |b| {
            b.iter(|| black_box(keypairs_generate(seeds.next(), bits)));
        });
        let mut seeds = Seeds(0);
        group.bench_function(BenchmarkId::new("keypairs-parallel", bits), |b| {
            b.iter(|| black_box(keypairs_parallel_generate(seeds.next(), bits)));
        });
        let mut seeds = Seeds(0);
        group.bench_function(BenchmarkId::new("rsa-0.10", bits), |b| {
            b.iter(|| black_box(rsa010_generate(seeds.next(), bits)));
        });
        let mut seeds = Seeds(0);
        group.bench_function(BenchmarkId::new("rsa-0.9", bits), |b| {
            b.iter(|| black_box(rsa09_generate(seeds.next(), bits)));
        });
    }
    group.finish();
}

/// A generated key is what it claims: its public line parses to the same key and fingerprint.
fn check_generated() {
    let key = keypairs_generate(1, 2048);
    let line = key.public_line();
    let parsed = keypairs::parse_public_key(line.as_bytes()).expect("the public line parses");
    assert_eq!(parsed.bits(), 2048);
    assert_eq!(parsed.md5_fingerprint(), key.md5_fingerprint());
    assert_eq!(parsed.comment(), "bench@example");
    let parallel = keypairs_parallel_generate(1, 2048);
    assert_eq!(
        parallel.public_line(),
        line,
        "the parallel mode gives the same key"
    );
}

/// CPU time of the calling thread in ns (Linux `/proc/thread-self/schedstat`; 0 elsewhere).
fn thread_cpu_ns() -> u128 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|f| f.parse().ok()))
        .unwrap_or(0)
}

/// `--serve`: one key per stdin line `BITS THREADS SEED`, answered on stdout with the wall-clock
/// nanoseconds it took and the calling thread's CPU nanoseconds (all the work for one thread). `benches/compare-openssl.py --interleave` drives it, alternating with OpenSSL 4.0
/// (Python `cryptography`) key by key, so both sides see the same machine load.
fn serve() {
    use std::io::{BufRead as _, Write as _};
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let fields: Vec<u64> = line
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [bits, threads, seed] = fields[..] else {
            break;
        };
        let bits = usize::try_from(bits).expect("bits fit");
        let cpu = thread_cpu_ns();
        let started = std::time::Instant::now();
        let key = match threads {
            1 => keypairs_generate(seed, bits),
            n => {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                keypairs::generate_rsa_parallel(
                    &mut rng,
                    bits,
                    "bench@example",
                    usize::try_from(n).expect("threads fit"),
                )
                .expect("keypairs generates in parallel")
            }
        };
        let ns = started.elapsed().as_nanos();
        let cpu = thread_cpu_ns() - cpu;
        black_box(key);
        if writeln!(out, "{ns} {cpu}")
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
}

fn main() {
    if std::env::args().any(|a| a == "--serve") {
        serve();
        return;
    }
    let started = SystemTime::now();
    check_generated();
    let bench = report::bench_mode();
    // Test mode runs every routine once: 2048 bits keeps that to seconds.
    let sizes: &[usize] = if bench { &SIZES } else { &SIZES[..1] };
    let mut c = Criterion::default().configure_from_args();
    bench_generate(&mut c, sizes);
    c.final_summary();
    if bench {
        let rows: Vec<String> = SIZES.iter().map(|b| format!("RSA-{b}")).collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        report::print_table("Generation", started, &rows, &IMPLS, |row, col| {
            format!("generate/{col}/{}", row.trim_start_matches("RSA-"))
        });
    }
}
