//! The prime search: a deep constant-time sieve and constant-time probable-prime tests on this
//! crate's own Montgomery kernel (`montgomery.rs`, `sieve.rs`), driven by this crate's glue.
//!
//! Per prime, the candidates come from one secret random start: `64 L` bits from the prime's
//! ChaCha20 stream (stream 0 of its seed), read little-endian, with the lowest bit and the top
//! two bits set (so `n = p q` has exactly `128 L` bits). The sieve hands out, in order, the
//! numbers `start + 2 i` without an odd prime factor below the sieve's bound (2^18 for 1024-bit
//! primes, 2^20 for larger ones) and not `1 mod e`. A candidate
//! is accepted when it passes
//!
//! 1. the strong probable-prime (Miller-Rabin) test to base 2, then
//! 2. FIPS 186-5 Miller-Rabin rounds with random bases (B.3.1, Table B.1): 5 rounds for
//!    1024-bit primes (error probability at most 2^-112 for a random candidate), 4 rounds for
//!    1536-bit (2^-128) and 2048-bit (2^-144) primes. The bases of candidate number k come from
//!    stream k + 1 of the prime's seed, so they do not depend on which thread tests it.
//!
//! Both tests run in constant time in the candidate (no branch, no index on its bits, no
//! variable-time library call): this replaces crypto-primes' strong Lucas test, whose loop
//! branches on the bits of the accepted prime. The first admissible prime at or after the start
//! is the one crypto-primes' sieve and `is_prime` picked from the same start, so the keys are
//! those of earlier versions (but for a base-2 strong pseudoprime that 5 random bases miss).
//!
//! What is ours is also the order of work:
//! - each prime has its own stream and sieve; the candidates of a stream are numbered in order;
//! - the answer of a stream is its *first* candidate (lowest number) that passes both tests,
//!   whichever thread finds it and however many threads search;
//! - any number of threads take candidates in order from the first stream that still needs
//!   work, so several cores race on the same prime, and move on to the next prime as soon as
//!   the current one has a candidate in its final test.
//!
//! So the result depends only on the seeds: one thread and many threads give the same primes.
//! Every secret (seeds, start, sieve offsets, candidates, Montgomery temporaries) lives in a
//! type that zeroizes on drop; the only heap buffer of secrets is a sieve's offset table,
//! `Zeroizing` and allocated once at its final size.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use chacha20::ChaCha20Rng;
use crypto_bigint::Uint;
use rand_core::{Rng as _, SeedableRng as _};
use zeroize::Zeroizing;

use super::montgomery::{Limbs, Modulus};
use super::sieve::Sieve;
use crate::error::{Error, Result};

/// Seed of one prime's stream.
pub(crate) type Seed = [u8; 32];

/// Random-base Miller-Rabin rounds on a candidate that passed base 2 (FIPS 186-5 Table B.1,
/// the column for the key's security strength: 2^-112, 2^-128, 2^-144).
const fn final_rounds(prime_bits: usize) -> usize {
    if prime_bits <= 1024 { 5 } else { 4 }
}

/// The random start of a stream: `64 L` bits, odd, top two bits set.
fn random_start<const L: usize>(seed: &Seed) -> Limbs<L> {
    let mut rng = ChaCha20Rng::from_seed(*seed);
    let mut bytes = Zeroizing::new([0u8; 8]);
    let mut start = Limbs::<L>::new();
    for limb in &mut start.0 {
        rng.fill_bytes(bytes.as_mut());
        *limb = u64::from_le_bytes(*bytes);
    }
    start.0[0] |= 1;
    if let Some(top) = start.0.last_mut() {
        *top |= 0b11 << 62;
    }
    start
}

/// One prime being searched for.
struct Stream<const L: usize> {
    seed: Zeroizing<Seed>,
    exponent: u32,
    /// Built by the first worker that needs it.
    sieve: Option<Sieve<L>>,
    /// Number of the next candidate to hand out.
    next: usize,
    /// Candidates handed out and not yet decided.
    in_flight: BTreeSet<usize>,
    /// Candidates that passed base 2 and are in the final test (a subset of `in_flight`).
    in_final: BTreeSet<usize>,
    /// The lowest-numbered prime found so far.
    found: Option<(usize, Limbs<L>)>,
    /// The sieve ran dry (not expected: 2^22 candidates).
    failed: bool,
}

impl<const L: usize> Stream<L> {
    fn new(seed: &Zeroizing<Seed>, exponent: u32) -> Self {
        Self {
            seed: seed.clone(),
            exponent,
            sieve: None,
            next: 0,
            in_flight: BTreeSet::new(),
            in_final: BTreeSet::new(),
            found: None,
            failed: false,
        }
    }

    /// Candidates numbered from here on are not needed (unless a final test fails).
    fn limit(&self) -> usize {
        let found = self.found.as_ref().map_or(usize::MAX, |(i, _)| *i);
        let in_final = self.in_final.first().copied().unwrap_or(usize::MAX);
        found.min(in_final)
    }

    fn wants_work(&self) -> bool {
        !self.failed && self.next < self.limit()
    }

    /// The answer is known: a prime was found and every candidate before it was decided.
    fn is_done(&self) -> bool {
        if self.failed {
            return true;
        }
        match &self.found {
            Some((i, _)) => self.in_flight.first().is_none_or(|first| first > i),
            None => false,
        }
    }

    /// The next candidate and its number.
    fn take(&mut self) -> Option<(usize, Limbs<L>)> {
        let exponent = self.exponent;
        let seed = &self.seed;
        let sieve = self
            .sieve
            .get_or_insert_with(|| Sieve::new(random_start(seed), exponent));
        let Some((_, candidate)) = sieve.next_candidate() else {
            self.failed = true;
            return None;
        };
        let number = self.next;
        self.next += 1;
        self.in_flight.insert(number);
        Some((number, candidate))
    }

    fn decide(&mut self, number: usize, prime: Option<Limbs<L>>) {
        self.in_flight.remove(&number);
        self.in_final.remove(&number);
        if let Some(p) = prime
            && self.found.as_ref().is_none_or(|(i, _)| number < *i)
        {
            self.found = Some((number, p));
        }
    }
}

struct Shared<const L: usize> {
    streams: Mutex<Vec<Stream<L>>>,
    changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// First stage: the strong probable-prime test to base 2 (the sieve already removed
/// `c = 1 mod e`).
fn passes_first_stage<const L: usize>(candidate: &Limbs<L>) -> bool {
    Modulus::new(&candidate.0).is_some_and(|m| m.base_two_test())
}

/// Second stage: [`final_rounds`] Miller-Rabin rounds with random bases from stream
/// `number + 1` of the prime's seed.
fn passes_final_stage<const L: usize>(candidate: &Limbs<L>, seed: &Seed, number: usize) -> bool {
    let Some(m) = Modulus::new(&candidate.0) else {
        return false;
    };
    let mut rng = ChaCha20Rng::from_seed(*seed);
    rng.set_stream(u64::try_from(number).unwrap_or(u64::MAX).wrapping_add(1));
    let mut lo = Limbs::<L>::new();
    for _ in 0..final_rounds(64 * L) {
        for limb in &mut lo.0 {
            *limb = rng.next_u64();
        }
        let hi = Zeroizing::new(rng.next_u64());
        let base = m.random_base(&lo.0, *hi);
        if !m.strong_test(&base.0) {
            return false;
        }
    }
    true
}

/// One worker: takes candidates until every stream has its answer.
fn work<const L: usize>(shared: &Shared<L>) {
    let mut streams = lock(&shared.streams);
    loop {
        let Some(s) = streams.iter().position(Stream::wants_work) else {
            if streams.iter().all(Stream::is_done) {
                shared.changed.notify_all();
                return;
            }
            streams = shared
                .changed
                .wait(streams)
                .unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        let Some((number, candidate)) = streams[s].take() else {
            shared.changed.notify_all();
            continue;
        };
        drop(streams);

        let passed = passes_first_stage(&candidate);
        streams = lock(&shared.streams);
        if !passed {
            streams[s].decide(number, None);
            shared.changed.notify_all();
            continue;
        }
        streams[s].in_final.insert(number);
        let seed = streams[s].seed.clone();
        drop(streams);

        let prime = passes_final_stage(&candidate, &seed, number);
        drop(seed);
        streams = lock(&shared.streams);
        streams[s].decide(number, prime.then_some(candidate));
        shared.changed.notify_all();
    }
}

/// Finds one prime per seed, each of `64 * L` bits with its top two bits set and with
/// `gcd(exponent, p - 1) = 1`, using `threads` threads (the calling thread included).
///
/// `exponent` must be an odd prime (65537 here).
pub(crate) fn find_primes<const L: usize>(
    seeds: &[Zeroizing<Seed>],
    exponent: u32,
    threads: usize,
) -> Result<Vec<Zeroizing<Uint<L>>>> {
    if exponent < 3 || exponent & 1 == 0 {
        return Err(Error::Crypto);
    }
    let streams = seeds
        .iter()
        .map(|seed| Stream::new(seed, exponent))
        .collect::<Vec<_>>();
    let shared = Shared {
        streams: Mutex::new(streams),
        changed: Condvar::new(),
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            // If a thread cannot be started, the others (at least this one) do its share.
            let _ = std::thread::Builder::new().spawn_scoped(scope, || work(&shared));
        }
        work(&shared);
    });
    let streams = shared
        .streams
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    // Copied out, not moved out: a move would leave the bytes in the freed buffer of `streams`,
    // while the copies left there are zeroized when `streams` drops.
    streams
        .iter()
        .map(|s| match &s.found {
            Some((_, p)) if !s.failed => Ok(Zeroizing::new(Uint::from_words(p.0))),
            _ => Err(Error::Crypto),
        })
        .collect()
}

/// Number of significant bits of `|p - q|`, in constant time.
pub(crate) fn distance_bits<const L: usize>(p: &Uint<L>, q: &Uint<L>) -> u32 {
    let p = Limbs::<L>(p.to_words());
    let q = Limbs::<L>(q.to_words());
    super::montgomery::distance_bits(&p.0, &q.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::{Limb, NonZero, U256, U1024};
    use crypto_primes::Flavor;

    fn seed(n: u8) -> Zeroizing<Seed> {
        Zeroizing::new([n; 32])
    }

    fn profile<const L: usize>(seeds: u8) {
        use std::time::{Duration, Instant};
        let [mut sieve_setup, mut sieve_t, mut first_t, mut final_t] = [Duration::ZERO; 4];
        let mut tests = 0u32;
        for n in 1..=seeds {
            let s = seed(n);
            let t = Instant::now();
            let mut sieve = Sieve::<L>::new(random_start(&s), 65537);
            let setup = t.elapsed();
            sieve_setup += setup;
            sieve_t += setup;
            let mut number = 0;
            loop {
                let t = Instant::now();
                let (_, c) = sieve.next_candidate().unwrap();
                sieve_t += t.elapsed();
                let t = Instant::now();
                let pass = passes_first_stage(&c);
                first_t += t.elapsed();
                tests += 1;
                if pass {
                    let t = Instant::now();
                    assert!(passes_final_stage(&c, &s, number));
                    final_t += t.elapsed();
                    break;
                }
                number += 1;
            }
        }
        let n = u32::from(seeds);
        let sum = sieve_t + first_t + final_t;
        eprintln!(
            "L={L}: per prime {:?}: sieve {:?} (setup {:?}), {:.1} base-2 tests {:?} ({:?} each), final {:?}",
            sum / n,
            sieve_t / n,
            sieve_setup / n,
            f64::from(tests) / f64::from(n),
            first_t / n,
            first_t / tests,
            final_t / n,
        );
    }

    #[test]
    #[ignore = "timing, by hand"]
    fn profile_search() {
        profile::<16>(60);
        profile::<24>(40);
        profile::<32>(30);
    }

    #[test]
    fn same_primes_for_any_thread_count() {
        let seeds = [seed(1), seed(2)];
        let one = find_primes::<4>(&seeds, 65537, 1).unwrap();
        for threads in [2, 3, 5] {
            let many = find_primes::<4>(&seeds, 65537, threads).unwrap();
            assert_eq!(
                one.iter().map(|p| **p).collect::<Vec<U256>>(),
                many.iter().map(|p| **p).collect::<Vec<U256>>(),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn primes_have_the_promised_shape() {
        for n in 0..8 {
            let primes = find_primes::<4>(&[seed(n), seed(n + 100)], 65537, 2).unwrap();
            for p in &primes {
                assert_eq!(p.bit_width_vartime(), 256);
                assert!(p.bit_vartime(255) && p.bit_vartime(254) && p.bit_vartime(0));
                assert!(crypto_primes::is_prime(Flavor::Any, &**p));
                let e = NonZero::new(Limb::from(65537u32)).unwrap();
                assert_ne!(p.rem_limb(e), Limb::ONE);
            }
        }
    }

    /// The start is crypto-primes' `random_odd_integer` on rand_chacha's ChaCha20 (what
    /// earlier versions drew), and the answer is the first prime after it that is not 1 mod e:
    /// what crypto-primes' sieve with `is_prime` picked.
    #[test]
    fn answer_is_the_first_admissible_prime_after_the_old_start() {
        use crypto_primes::hazmat::{SetBits, random_odd_integer};
        let e = NonZero::new(Limb::from(65537u32)).unwrap();
        for n in 0..3u8 {
            let mut old_rng =
                <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::from_seed([n; 32]);
            let start: U1024 = random_odd_integer::<U1024, _>(
                &mut old_rng,
                core::num::NonZeroU32::new(1024).unwrap(),
                SetBits::TwoMsb,
            )
            .unwrap()
            .get();
            assert_eq!(random_start::<16>(&[n; 32]).0, start.to_words());
            let mut c = start;
            let expected = loop {
                if crypto_primes::is_prime(Flavor::Any, &c) && c.rem_limb(e) != Limb::ONE {
                    break c;
                }
                c = c.wrapping_add(&U1024::from_u64(2));
            };
            let ours = find_primes::<16>(&[seed(n)], 65537, 1).unwrap();
            assert_eq!(*ours[0], expected);
        }
    }

    #[test]
    fn two_stages_agree_with_is_prime() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::from_seed([9; 32]);
        for _ in 0..200 {
            let mut c = <U1024 as crypto_bigint::RandomBits>::random_bits(&mut rng, 1024);
            c = c.bitor(&U1024::ONE).bitor(&U1024::ONE.shl_vartime(1023));
            let limbs = Limbs(c.to_words());
            let ours = passes_first_stage(&limbs) && passes_final_stage(&limbs, &[1; 32], 0);
            assert_eq!(ours, crypto_primes::is_prime(Flavor::Any, &c));
        }
        for _ in 0..3 {
            let p: U1024 = crypto_primes::random_prime(&mut rng, Flavor::Any, 1024);
            let limbs = Limbs(p.to_words());
            assert!(passes_first_stage(&limbs));
            assert!(passes_final_stage(&limbs, &[2; 32], 7));
        }
    }

    /// Products of two primes (the composites that survive a sieve most often) fail both
    /// stages.
    #[test]
    fn products_of_two_primes_fail() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::from_seed([5; 32]);
        let mut checked = 0;
        while checked < 4 {
            let a: U256 = crypto_primes::random_prime(&mut rng, Flavor::Any, 256);
            let b: Uint<12> = crypto_primes::random_prime(&mut rng, Flavor::Any, 768);
            let n: U1024 = a.concatenating_mul(&b);
            if !n.bit_vartime(1023) {
                continue;
            }
            let limbs = Limbs(n.to_words());
            assert!(!passes_first_stage(&limbs));
            assert!(!passes_final_stage(&limbs, &[3; 32], 0));
            checked += 1;
        }
    }
}
