//! No secret survives in freed heap memory.
//!
//! A recorder fed by the binary's `#[global_allocator]` copies every freed heap block of 32 bytes or more (and the
//! old block of every reallocation) into an arena allocated up front; after each public path the
//! arena is searched for the generated key's secrets: p, q, d, d mod (p-1), d mod (q-1),
//! q^-1 mod p, each as big-endian bytes and as little-endian limbs, and the two 32-byte seeds of
//! the prime streams. A secret zeroized before it is freed leaves zeros in the arena; one freed
//! as is leaves a copy, and the test names it.
//!
//! Any copy of 31 or more consecutive bytes of a secret contains one of its 16-byte chunks at a
//! multiple of 16, so the search looks those chunks up at every offset of the arena.
//!
//! The secrets are learned by generating the same key again from the same seed with recording
//! off, so nothing the search computes is in the record.
//!
//! Blocks are handed out as `System` gives them (not zeroed, as in production), and while
//! recording every fresh block is searched for the same chunks before the path writes into it:
//! a block that already holds a secret is memory that held it and went back to `malloc`
//! unwiped, by whatever route (a `free` outside `__rust_dealloc`, a write after free), so the
//! path fails on it too. `FREED_MEMORY_BACKTRACE=1` adds the backtrace of the first such
//! allocation to the failure message.
//!
//! The binary's allocator (tests/process/main.rs) wipes every block freed (the test's own copies
//! of the secrets included) with volatile writes, after the recorder has copied it. A plain `write_bytes` is not enough: the `#[global_allocator]` lives in this
//! crate, so LLVM inlines it into the test's code and into the generics instantiated here
//! (`rsa`'s and `crypto-bigint`'s drops, `api::handle`), and there it deletes the zeroing as a
//! dead store before `free`. The test's own copy of qinv (`to_be_bytes()`'s box in
//! `Secrets::of_pem`) then went back to `malloc` whole, a hash table of the API's JSON parser
//! got that memory back, and its empty buckets (never written) were recorded holding qinv: a
//! hit naming the wrong code. Until the wipe was volatile, the recorder hid this by zeroing
//! every block it handed out.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::alloc::{GlobalAlloc as _, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::SeqCst};

use keypairs::api::{self, Context, Microversion};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng as _};
use rsa::traits::PrivateKeyParts as _;

// ----- the recording allocator ------------------------------------------------------------------

/// Smallest freed block recorded.
const MIN_BLOCK: usize = 32;
/// Arena size: every freed byte of one path must fit.
const ARENA_LEN: usize = 64 << 20;

static RECORDING: AtomicBool = AtomicBool::new(false);
static ARENA: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static USED: AtomicUsize = AtomicUsize::new(0);
static OVERFLOW: AtomicBool = AtomicBool::new(false);
/// Sizes of the recorded blocks, in arena order (for the failure message).
static SIZES: [AtomicUsize; MAX_BLOCKS] = [const { AtomicUsize::new(0) }; MAX_BLOCKS];
static BLOCKS: AtomicUsize = AtomicUsize::new(0);
/// Most blocks whose sizes are kept.
const MAX_BLOCKS: usize = 1 << 16;

thread_local! {
    /// Set while this thread is inside the recorder (no reentrancy).
    static IN_RECORDER: Cell<bool> = const { Cell::new(false) };
}

/// Copies the block at `ptr` (`len` bytes, about to be freed) into the arena while recording.
/// The binary's allocator (tests/process/main.rs) then wipes it: what the test itself frees (its
/// copies of the secrets, the decoder's temporaries) and what was recorded once cannot linger in
/// a block that the library reuses and frees later, so every hit is a block the recorded path
/// freed unwiped.
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
pub(crate) unsafe fn record(ptr: *const u8, len: usize) {
    if len >= MIN_BLOCK && RECORDING.load(SeqCst) {
        let busy = IN_RECORDER.try_with(|b| b.replace(true)).unwrap_or(true);
        if !busy {
            let arena = ARENA.load(SeqCst);
            let at = USED.fetch_add(len, SeqCst);
            if arena.is_null() || at.checked_add(len).is_none_or(|end| end > ARENA_LEN) {
                OVERFLOW.store(true, SeqCst);
            } else {
                // SAFETY: `ptr` is readable for `len` bytes (caller); `arena + at .. + len`
                // lies inside the arena and is reserved for this call by the `fetch_add`.
                unsafe { core::ptr::copy_nonoverlapping(ptr, arena.add(at), len) };
                let b = BLOCKS.fetch_add(1, SeqCst);
                if let Some(slot) = SIZES.get(b) {
                    slot.store(at << 24 | len, SeqCst);
                }
            }
            let _ = IN_RECORDER.try_with(|b| b.set(false));
        }
    }
}

// ----- the fresh-block check --------------------------------------------------------------------

/// Most 16-byte secret chunks the fresh-block check looks up (a 4096-bit key has about 700).
const MAX_CHUNKS: usize = 2048;
/// The secret chunks of the running path, sorted (big-endian halves), and which secret each is.
static CHUNK_HI: [AtomicU64; MAX_CHUNKS] = [const { AtomicU64::new(0) }; MAX_CHUNKS];
static CHUNK_LO: [AtomicU64; MAX_CHUNKS] = [const { AtomicU64::new(0) }; MAX_CHUNKS];
static CHUNK_OF: [AtomicUsize; MAX_CHUNKS] = [const { AtomicUsize::new(0) }; MAX_CHUNKS];
static CHUNKS: AtomicUsize = AtomicUsize::new(0);
/// Fresh blocks that already held a secret chunk, and the first one: its size, the chunk's
/// offset in it, the secret's index.
static FRESH_HITS: AtomicUsize = AtomicUsize::new(0);
static FRESH_FIRST: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];
/// Whether to capture the first fresh hit's backtrace (`FREED_MEMORY_BACKTRACE`, read before
/// recording: the allocator must not read the environment).
static FRESH_BACKTRACE: AtomicBool = AtomicBool::new(false);
static FRESH_TRACE: Mutex<Option<std::backtrace::Backtrace>> = Mutex::new(None);

/// The two big-endian halves of a 16-byte chunk (their order is the chunks' order).
fn halves(chunk: &[u8; 16]) -> (u64, u64) {
    let (hi, lo) = chunk.split_at(8);
    (
        u64::from_be_bytes(hi.try_into().unwrap()),
        u64::from_be_bytes(lo.try_into().unwrap()),
    )
}

/// Which secret the 16 bytes at `window` are a chunk of, if any (binary search, no allocation).
fn secret_chunk(window: &[u8; 16]) -> Option<usize> {
    let key = halves(window);
    let (mut lo, mut hi) = (0, CHUNKS.load(SeqCst));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let at = (CHUNK_HI[mid].load(SeqCst), CHUNK_LO[mid].load(SeqCst));
        match at.cmp(&key) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Some(CHUNK_OF[mid].load(SeqCst)),
        }
    }
    None
}

/// While recording, searches a block `System` just handed out (`len` bytes, not yet written)
/// for the secrets' chunks and notes the first hit. Allocations made while noting it (the
/// backtrace) are the recorder's own and are not checked.
///
/// # Safety
/// `ptr` must be null or valid for reads of `len` bytes.
pub(crate) unsafe fn check_fresh(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len < 16 || !RECORDING.load(SeqCst) {
        return;
    }
    let busy = IN_RECORDER.try_with(|b| b.replace(true)).unwrap_or(true);
    if busy {
        return;
    }
    // The block's bytes are whatever the memory held before: read them through a pointer the
    // optimizer cannot trace back to `malloc` (whose fresh memory it may treat as undefined).
    let ptr = std::hint::black_box(ptr);
    // SAFETY: readable for `len` bytes (caller); the block is not the caller's yet.
    let block = unsafe { core::slice::from_raw_parts(ptr, len) };
    for (offset, window) in block.windows(16).enumerate() {
        if window[0] == 0 && window[15] == 0 {
            continue;
        }
        if let Some(secret) = secret_chunk(window.try_into().unwrap()) {
            if FRESH_HITS.fetch_add(1, SeqCst) == 0 {
                for (slot, v) in FRESH_FIRST.iter().zip([len, offset, secret]) {
                    slot.store(v, SeqCst);
                }
                if FRESH_BACKTRACE.load(SeqCst) {
                    let trace = std::backtrace::Backtrace::force_capture();
                    *FRESH_TRACE
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(trace);
                }
            }
            break;
        }
    }
    let _ = IN_RECORDER.try_with(|b| b.set(false));
}

/// One path at a time: the arena is global.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` with recording on and returns the arena's bytes (a copy made with recording off).
fn recorded(f: impl FnOnce()) -> Vec<u8> {
    if ARENA.load(SeqCst).is_null() {
        let layout = Layout::from_size_align(ARENA_LEN, 64).unwrap();
        // SAFETY: non-zero size; never freed (lives as long as the test binary).
        let p = unsafe { System.alloc_zeroed(layout) };
        assert!(!p.is_null(), "cannot allocate the arena");
        ARENA.store(p, SeqCst);
    }
    USED.store(0, SeqCst);
    BLOCKS.store(0, SeqCst);
    OVERFLOW.store(false, SeqCst);
    FRESH_HITS.store(0, SeqCst);
    FRESH_BACKTRACE.store(
        std::env::var_os("FREED_MEMORY_BACKTRACE").is_some_and(|v| v != "0"),
        SeqCst,
    );
    drop(
        FRESH_TRACE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take(),
    );
    /// Turns recording off when dropped, also when `f` panics.
    struct Off;
    impl Drop for Off {
        fn drop(&mut self) {
            RECORDING.store(false, SeqCst);
        }
    }
    let off = Off;
    RECORDING.store(true, SeqCst);
    f();
    drop(off);
    assert!(
        !OVERFLOW.load(SeqCst),
        "the arena ({ARENA_LEN} bytes) is too small for this path"
    );
    let used = USED.load(SeqCst).min(ARENA_LEN);
    // SAFETY: the first `used` bytes of the arena were written by `record`; recording is off.
    unsafe { core::slice::from_raw_parts(ARENA.load(SeqCst), used) }.to_vec()
}

// ----- the secrets ------------------------------------------------------------------------------

/// The secrets of one key, by name, each in the forms searched for, and the key's public line
/// (text chunks that also occur in it are public: the private-key texts contain n and e).
struct Secrets(Vec<(String, Vec<u8>)>, Vec<u8>);

/// Seed of every path's RNG.
const SEED: u64 = 0x5ec2e7;

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(SEED)
}

impl Secrets {
    /// The secrets of the key `rng()` generates, read from its PEM (recording off), and the
    /// seeds the generator draws from `rng()` (the first 32-byte blocks of its stream).
    fn of_generated(bits: usize) -> Self {
        let key = keypairs::generate_rsa(&mut rng(), bits, COMMENT).unwrap();
        let public = key.public_line().into_bytes();
        let pem = key.into_private_pem().unwrap();
        let openssh = keypairs::generate_rsa(&mut rng(), bits, COMMENT)
            .unwrap()
            .into_private_openssh()
            .unwrap();
        let mut s = Self::of_pem(&pem);
        s.1 = public;
        // The texts too: a copy of a line of either is a copy of the key.
        for (name, text) in [("PEM", &pem), ("OpenSSH", &openssh)] {
            for (i, line) in text.lines().filter(|l| !l.starts_with("-----")).enumerate() {
                s.0.push((format!("{name} line {}", i + 1), line.as_bytes().to_vec()));
            }
        }
        let mut r = rng();
        for i in 0..8 {
            let mut seed = [0u8; 32];
            r.fill_bytes(&mut seed);
            s.0.push((format!("seed {i}"), seed.to_vec()));
        }
        s
    }

    fn of_pem(pem: &str) -> Self {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        let key = rsa::PrivateKey::from_pkcs1_pem(pem).unwrap();
        let [p, q] = key.primes() else {
            panic!("two primes")
        };
        let values = [
            ("p", p.as_ref().clone()),
            ("q", q.as_ref().clone()),
            ("d", key.d().clone()),
            ("dp", key.dp().unwrap().clone()),
            ("dq", key.dq().unwrap().clone()),
            ("qinv", key.crt_coefficient().unwrap()),
        ];
        let mut out = Vec::new();
        for (name, v) in values {
            let be = v.to_be_bytes().to_vec();
            let le: Vec<u8> = be.iter().rev().copied().collect();
            out.push((format!("{name} (big-endian)"), be));
            out.push((format!("{name} (little-endian)"), le));
        }
        Self(out, Vec::new())
    }

    /// Hands the secrets' chunks to the fresh-block check (recording off; no allocation: the
    /// table is sorted on the stack).
    fn arm(&self) {
        let mut table = [((0u64, 0u64), 0usize); MAX_CHUNKS];
        let mut n = 0;
        for (i, (_, bytes)) in self.0.iter().enumerate() {
            for chunk in bytes.chunks_exact(16) {
                if self.1.windows(16).any(|w| w == chunk) {
                    continue;
                }
                assert!(n < MAX_CHUNKS, "more than {MAX_CHUNKS} secret chunks");
                table[n] = (halves(chunk.try_into().unwrap()), i);
                n += 1;
            }
        }
        let table = &mut table[..n];
        table.sort_unstable();
        CHUNKS.store(0, SeqCst);
        for (j, ((hi, lo), i)) in table.iter().enumerate() {
            CHUNK_HI[j].store(*hi, SeqCst);
            CHUNK_LO[j].store(*lo, SeqCst);
            CHUNK_OF[j].store(*i, SeqCst);
        }
        CHUNKS.store(n, SeqCst);
    }

    /// The first fresh block of the last recording that already held a secret, if any.
    fn fresh_hit(&self) -> Option<String> {
        let hits = FRESH_HITS.load(SeqCst);
        if hits == 0 {
            return None;
        }
        let [len, offset, secret] = FRESH_FIRST.each_ref().map(|a| a.load(SeqCst));
        let trace = FRESH_TRACE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .map_or_else(
                || "set FREED_MEMORY_BACKTRACE=1 for its backtrace".to_owned(),
                |t| format!("allocated at:\n{t}"),
            );
        Some(format!(
            "{hits} fresh block(s) handed out already held a secret: the first, of {len} bytes, \
             held {} at offset {offset} (memory that held it went back to malloc unwiped); {trace}",
            self.0[secret].0
        ))
    }

    /// The names of the secrets found in `arena`, with the offset of the first hit (after
    /// [`Secrets::arm`]).
    fn found_in(&self, arena: &[u8]) -> Vec<String> {
        // The chunks looked up are those `arm` handed to the fresh-block check.
        assert!(CHUNKS.load(SeqCst) > 0, "arm() the secrets first");
        let mut hits: Vec<Option<usize>> = vec![None; self.0.len()];
        for (offset, window) in arena.windows(16).enumerate() {
            // Skip windows of zeros fast: zeroized memory is most of a good record.
            if window[0] == 0 && window[15] == 0 {
                continue;
            }
            if let Some(i) = secret_chunk(window.try_into().unwrap()) {
                hits[i].get_or_insert(offset);
            }
        }
        hits.iter()
            .enumerate()
            .filter_map(|(i, h)| {
                h.map(|at| format!("{} at arena offset {at} ({})", self.0[i].0, block_of(at)))
            })
            .collect()
    }
}

/// The recorded block holding arena offset `at`: "block N of M bytes".
fn block_of(at: usize) -> String {
    let n = BLOCKS.load(SeqCst).min(MAX_BLOCKS);
    for (i, slot) in SIZES.iter().take(n).enumerate() {
        let v = slot.load(SeqCst);
        let (start, len) = (v >> 24, v & 0xff_ffff);
        if (start..start + len).contains(&at) {
            return format!("freed block {i} of {len} bytes, {} bytes in", at - start);
        }
    }
    "block unknown".to_owned()
}

/// Runs `path` recorded and asserts that none of `secrets` is in the record.
fn assert_no_trace(what: &str, secrets: &Secrets, path: impl FnOnce()) {
    secrets.arm();
    let arena = recorded(path);
    if let Some(hit) = secrets.fresh_hit() {
        panic!("{what}: {hit}");
    }
    let found = secrets.found_in(&arena);
    note!(
        "{what}: {} bytes of freed blocks recorded, {} secrets found",
        arena.len(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "{what}: freed memory holds {}",
        found.join(", ")
    );
}

// ----- the paths --------------------------------------------------------------------------------

const BITS: usize = 2048;

/// Nova's comment, so the API's create takes the key of `rng()` too.
const COMMENT: &str = keypairs::NOVA_COMMENT;

fn generated() -> keypairs::GeneratedKey {
    keypairs::generate_rsa(&mut rng(), BITS, COMMENT).unwrap()
}

/// A key source that hands out one key made beforehand (so a recorded API create runs no
/// prime search).
struct Ready(Option<keypairs::GeneratedKey>);

impl api::KeySource for Ready {
    fn rsa_key(&mut self, _: usize, _: &str) -> Result<keypairs::GeneratedKey, keypairs::Error> {
        self.0.take().ok_or(keypairs::Error::Crypto)
    }
}

/// An API create from `keys` at 2.2, its JSON, and its `Reply`, all dropped.
fn api_create(keys: &mut dyn api::KeySource) {
    let ctx = Context::new("u1", Microversion::V2_2);
    let body = br#"{"keypair": {"name": "k1"}}"#;
    let created = api::handle(body, &ctx, &|_: &str, _: &str| false, keys).unwrap();
    assert!(created.is_generated());
    drop(std::hint::black_box(created.to_json()));
    drop(std::hint::black_box(api::Reply::from(Ok(created))));
}

/// The encoders of a 3072- and a 4096-bit key (other limb counts than 2048 bits).
pub(crate) fn encoders_of_larger_keys_leave_no_secret_in_freed_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for bits in [3072, 4096] {
        let secrets = Secrets::of_generated(bits);
        let key = keypairs::generate_rsa(&mut rng(), bits, COMMENT).unwrap();
        assert_no_trace(&format!("{bits}: into_private_pem"), &secrets, || {
            drop(std::hint::black_box(key.into_private_pem().unwrap()));
        });
        let key = keypairs::generate_rsa(&mut rng(), bits, COMMENT).unwrap();
        assert_no_trace(&format!("{bits}: into_private_openssh"), &secrets, || {
            drop(std::hint::black_box(key.into_private_openssh().unwrap()));
        });
    }
}

/// The encoders and the API, from a key generated before recording: every secret, every form.
pub(crate) fn encoders_and_api_leave_no_secret_in_freed_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let secrets = Secrets::of_generated(BITS);
    let key = generated();
    assert_no_trace("drop", &secrets, || drop(std::hint::black_box(key)));
    let key = generated();
    assert_no_trace("into_private_pem", &secrets, || {
        drop(std::hint::black_box(key.into_private_pem().unwrap()));
    });
    let key = generated();
    assert_no_trace("into_private_openssh", &secrets, || {
        drop(std::hint::black_box(key.into_private_openssh().unwrap()));
    });
    let key = generated();
    assert_no_trace("into_private(OpenSsh)", &secrets, || {
        let text = key.into_private(keypairs::PrivateKeyFormat::OpenSsh);
        drop(std::hint::black_box(text.unwrap()));
    });
    let nova = keypairs::generate_rsa(&mut rng(), BITS, keypairs::NOVA_COMMENT).unwrap();
    let mut ready = Ready(Some(nova));
    assert_no_trace("api create + JSON + Reply", &secrets, || {
        api_create(&mut ready);
    });
}

/// Every public path that generates, recorded from the start: generate_rsa,
/// generate_rsa_parallel, each encoder after them, and an API create with an RNG.
fn generation_paths(secrets: &Secrets) {
    assert_no_trace("generate_rsa", secrets, || {
        drop(std::hint::black_box(generated()));
    });
    assert_no_trace("generate_rsa_parallel", secrets, || {
        let key = keypairs::generate_rsa_parallel(&mut rng(), BITS, COMMENT, 2).unwrap();
        drop(std::hint::black_box(key));
    });
    assert_no_trace("generate_rsa + into_private_pem", secrets, || {
        drop(std::hint::black_box(
            generated().into_private_pem().unwrap(),
        ));
    });
    assert_no_trace("generate_rsa + into_private_openssh", secrets, || {
        drop(std::hint::black_box(
            generated().into_private_openssh().unwrap(),
        ));
    });
    assert_no_trace("api create (RNG) + JSON + Reply", secrets, || {
        api_create(&mut rng());
    });
}

/// The full rule for generation: no seed, and no p or q in any form.
pub(crate) fn generation_leaves_no_secret_in_freed_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    generation_paths(&Secrets::of_generated(BITS));
}

/// Loading a PKCS#1 key (Nova's, whose d is e^-1 mod (p-1)(q-1)) and writing it out again.
pub(crate) fn loading_a_key_leaves_no_secret_in_freed_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let pem = include_str!("../data/nova/rsa_prv.pem");
    let secrets = Secrets::of_pem(pem);
    assert_no_trace("from_pkcs1_pem", &secrets, || {
        let key = keypairs::GeneratedKey::from_pkcs1_pem(pem, "nova").unwrap();
        drop(std::hint::black_box(key));
    });
    assert_no_trace("from_pkcs1_pem + into_private_openssh", &secrets, || {
        let key = keypairs::GeneratedKey::from_pkcs1_pem(pem, "nova").unwrap();
        drop(std::hint::black_box(key.into_private_openssh().unwrap()));
    });
}

/// The fresh-block check itself: a block that held a secret and went back to `malloc` unwiped
/// (the recorder's wipe turned off for one drop) is named when a recorded path gets it back.
/// The path asks for 16 blocks of each size around the freed one's, so that glibc hands it out
/// again whichever of its bins it went to (each size's cache holds at most 7 blocks); other
/// allocators may keep it.
/// (Ignored where the C library is not glibc: tests/process/main.rs.)
pub(crate) fn a_secret_released_unwiped_is_found_in_a_fresh_block() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let secrets = Secrets::of_pem(include_str!("../data/nova/rsa_prv.pem"));
    let (name, p) = &secrets.0[0];
    assert_eq!(name, "p (big-endian)");
    // p from offset 32 on: `malloc` keeps its free-list links in the first 16 bytes.
    let mut block = vec![0u8; 256];
    let n = p.len().min(block.len() - 32);
    block[32..32 + n].copy_from_slice(&p[..n]);
    crate::WIPE.store(false, SeqCst);
    drop(std::hint::black_box(block));
    crate::WIPE.store(true, SeqCst);
    secrets.arm();
    let _ = recorded(|| {
        let held: Vec<Vec<u8>> = (0..16)
            .flat_map(|_| [232, 248, 264, 280, 296].map(Vec::with_capacity))
            .collect();
        drop(std::hint::black_box(held));
    });
    let hit = secrets
        .fresh_hit()
        .expect("the unwiped block is handed out again, holding p");
    assert!(hit.contains("held p (big-endian)"), "{hit}");
}
