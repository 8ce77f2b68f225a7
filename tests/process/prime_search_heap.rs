//! The prime search leaves no secret in freed heap memory: a recording allocator copies every
//! block the generation frees (while recording is on) and the test looks there for the stream
//! seeds and for p and q (as little-endian limbs, the prime search's own layout).
//!
//! Since `rsa_values` (issue #15) derives the key on the stack, the whole generation path
//! passes, for one and two threads and for 2048 and 3072 bits.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng as _};

static RECORDING: AtomicBool = AtomicBool::new(false);
/// Freed bytes, appended while recording (capacity reserved up front: never reallocates).
static FREED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Appends the `len` bytes at `ptr` (a block about to be freed) to [`FREED`] while recording;
/// called by the binary's allocator (tests/process/main.rs).
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
pub(crate) unsafe fn record(ptr: *const u8, len: usize) {
    if RECORDING.load(Ordering::Relaxed) {
        // SAFETY: the block is still allocated and `len` bytes long (caller).
        let block = unsafe { std::slice::from_raw_parts(ptr, len) };
        if let Ok(mut freed) = FREED.try_lock()
            && freed.capacity() - freed.len() >= block.len()
        {
            freed.extend_from_slice(block);
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn no_seed_or_prime_limbs_in_freed_heap() {
    FREED.lock().unwrap().reserve(256 << 20);
    for (seed, bits, threads) in [(1u64, 2048, 1), (2, 2048, 2), (3, 3072, 2)] {
        FREED.lock().unwrap().clear();
        RECORDING.store(true, Ordering::SeqCst);
        let key = keypairs::generate_rsa_parallel(
            &mut ChaCha8Rng::seed_from_u64(seed),
            bits,
            "heap",
            threads,
        )
        .unwrap();
        RECORDING.store(false, Ordering::SeqCst);

        // The two stream seeds: the first 64 bytes the RNG gives.
        let mut seeds = [0u8; 64];
        ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut seeds);
        // p and q from the PEM, as the search stores them: little-endian u64 limbs.
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::traits::PrivateKeyParts as _;
        let pem = key.into_private_pem().unwrap();
        let parsed = rsa::PrivateKey::from_pkcs1_pem(&pem).unwrap();
        let freed = FREED.lock().unwrap();
        assert!(!freed.is_empty(), "recording works");
        for (i, s) in seeds.chunks(32).enumerate() {
            assert!(!contains(&freed, s), "seed {i} in freed heap ({bits} bits)");
        }
        for prime in parsed.primes() {
            let mut be = prime.to_be_bytes().to_vec();
            be.reverse(); // little-endian bytes = the limbs' memory layout on x86-64
            // Any 32 consecutive bytes of the prime's limbs.
            for window in be.chunks(32) {
                assert!(
                    !contains(&freed, window),
                    "prime limbs in freed heap ({bits} bits)"
                );
            }
        }
    }
}
