//! The API's pure entry point, `keypairs::api::handle`, end to end (body bytes in, status and
//! JSON body out): one import request (an RSA-2048 and an Ed25519 key) and one create request
//! (a 2048-bit RSA key from a seeded RNG, PKCS#1 PEM in the body), and the same create with the
//! key made ahead of time (an `api::KeySource` that hands out a ready key, as a pool would): the
//! API's own cost without generation; and an x509 create (2.2-2.91) with a ready key: the
//! self-signed certificate (one RSA-2048 signature) and the PKCS#12 bundle (two PBKDF2 runs and
//! the MAC key derivation, 2048 iterations each).
//!
//! `cargo test` runs each routine once (criterion's test mode) after checking the replies.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, Criterion, SamplingMode};
use keypairs::api::{self, Context, KeySource, Microversion, Reply};
use keypairs::{Error, GeneratedKey};
use rand_chacha::rand_core::SeedableRng as _;

#[path = "support/report.rs"]
mod report;

const IMPORT_RSA: &[u8] = br#"{"keypair": {"name": "bench", "public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC8D46vlj5deksGrc3vvjpGdA2p0YBgUuJMD0LmWLTJjtFGbPdc8QvZFKwQ9oCZpC/klJvDSW8nzbRLrN6f6wgre/NhoNNdVZoY75sZnsf0kF05/Dk4OfLXk5ZovoE3s3DyeP4uc0gFPsM7+9KdpeRrssk0YRaJVtLtRhxIzMi6cUg2GJ0HTCtGYzqyAa/+VM8ZZK2Jk3h/1hwVdrZ7GzAV/aNxHNH0zIrxf1vxaS8Wm6yUDY8O3LkVmoaUn4WicMSEUai1SDRtAEsvYP1R0iKX5cScpJLgFq9Ej6XAhJd25/sKuSsiKZMhWeGjPlgxMWIoVk4Sl2yncwFfzkn4acaV bench@example"}}"#;
const IMPORT_ED25519: &[u8] = br#"{"keypair": {"name": "bench", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxqxyuy5sKD17Hx4JeOgEhAGYxhDrPph/BcYm8VKP6G bench@example"}}"#;
const CREATE: &[u8] = br#"{"keypair": {"name": "bench"}}"#;
const CREATE_X509: &[u8] = br#"{"keypair": {"name": "bench", "type": "x509"}}"#;

/// No name is taken.
fn store(_user: &str, _name: &str) -> bool {
    false
}

fn request(body: &[u8], microversion: Microversion, seed: u64) -> Reply {
    let ctx = Context::new("user", microversion);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    Reply::from(api::handle(body, &ctx, &store, &mut rng))
}

/// A key made ahead of time, handed out once (what a pool of pre-generated keys does).
struct Ready(Option<GeneratedKey>);

impl KeySource for Ready {
    fn rsa_key(&mut self, _bits: usize, _comment: &str) -> Result<GeneratedKey, Error> {
        self.0.take().ok_or(Error::Crypto)
    }
}

/// A ready 2048-bit key with Nova's comment (reloaded from one generated PEM: setup, not timed).
fn ready_key(pem: &str) -> Ready {
    Ready(Some(
        GeneratedKey::from_pkcs1_pem(pem, keypairs::NOVA_COMMENT).expect("the PEM reloads"),
    ))
}

fn pem() -> zeroize::Zeroizing<String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    keypairs::generate_rsa(&mut rng, 2048, "")
        .and_then(GeneratedKey::into_private_pem)
        .expect("generation works")
}

/// A create whose key comes from `keys`.
fn create_with(keys: &mut Ready) -> Reply {
    let ctx = Context::new("user", create_version());
    Reply::from(api::handle(black_box(CREATE), &ctx, &store, keys))
}

/// An x509 create whose key comes from `keys`.
fn create_x509_with(keys: &mut Ready) -> Reply {
    let ctx = Context::new("user", create_version());
    Reply::from(api::handle(black_box(CREATE_X509), &ctx, &store, keys))
}

/// Create is offered below 2.92 (from 2.92 on a public key is required).
fn create_version() -> Microversion {
    Microversion::new(91).expect("2.91 exists")
}

fn check_replies(pem: &str) {
    let reply = request(IMPORT_RSA, Microversion::LATEST, 1);
    assert_eq!(reply.status, 201, "RSA import");
    assert!(
        reply
            .body
            .contains("0f:35:65:53:2b:3a:42:1b:e7:09:43:6c:d2:04:de:1a")
    );
    let reply = request(IMPORT_ED25519, Microversion::LATEST, 1);
    assert_eq!(reply.status, 201, "Ed25519 import");
    assert!(
        reply
            .body
            .contains("7e:a6:c6:e2:4e:41:f1:95:5c:00:ba:81:54:a1:54:ac")
    );
    let reply = request(CREATE, create_version(), 1);
    assert_eq!(reply.status, 201, "create");
    assert!(reply.body.contains("-----BEGIN RSA PRIVATE KEY-----"));
    let reply = create_with(&mut ready_key(pem));
    assert_eq!(reply.status, 201, "create with a ready key");
    assert!(reply.body.contains("-----BEGIN RSA PRIVATE KEY-----"));
    let reply = create_x509_with(&mut ready_key(pem));
    assert_eq!(reply.status, 201, "x509 create with a ready key");
    assert!(reply.body.contains("-----BEGIN CERTIFICATE-----"));
}

fn bench_api(c: &mut Criterion, pem: &str) {
    let mut group = c.benchmark_group("api");
    group.bench_function("import-rsa-2048", |b| {
        b.iter(|| request(black_box(IMPORT_RSA), Microversion::LATEST, 0));
    });
    group.bench_function("import-ed25519", |b| {
        b.iter(|| request(black_box(IMPORT_ED25519), Microversion::LATEST, 0));
    });
    group.bench_function("create-ready-key", |b| {
        b.iter_batched(
            || ready_key(pem),
            |mut keys| create_with(&mut keys),
            BatchSize::SmallInput,
        );
    });
    group.finish();

    let mut group = c.benchmark_group("api-x509");
    group.sample_size(20);
    group.bench_function("create-x509-ready-key", |b| {
        b.iter_batched(
            || ready_key(pem),
            |mut keys| create_x509_with(&mut keys),
            BatchSize::SmallInput,
        );
    });
    group.finish();

    let mut group = c.benchmark_group("api-create");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(5));
    let mut seed = 0u64;
    group.bench_function("create-rsa-2048", |b| {
        b.iter(|| {
            seed += 1;
            request(black_box(CREATE), create_version(), seed)
        });
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let pem = pem();
    check_replies(&pem);
    let mut c = Criterion::default().configure_from_args();
    bench_api(&mut c, &pem);
    c.final_summary();
    if report::bench_mode() {
        report::print_table(
            "API requests through api::handle",
            started,
            &["import-rsa-2048", "import-ed25519", "create-ready-key"],
            &["api"],
            |row, _| format!("api/{row}"),
        );
        report::print_table(
            "API x509 create through api::handle",
            started,
            &["create-x509-ready-key"],
            &["api-x509"],
            |row, _| format!("api-x509/{row}"),
        );
        report::print_table(
            "API create through api::handle",
            started,
            &["create-rsa-2048"],
            &["api-create"],
            |row, _| format!("api-create/{row}"),
        );
    }
}
