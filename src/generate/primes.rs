//! The prime search: crypto-primes' sieve and primality tests, driven by this crate's glue.
//!
//! Everything number-theoretic is `crypto-primes`' (and `crypto-bigint`'s): the candidates come
//! from [`SmallFactorsSieveFactory`] (random odd start with the top two bits set, then the next
//! numbers free of the first 2047 odd primes), and a candidate is prime when it passes
//! Miller-Rabin to base 2 and the strong Lucas test with A* base — exactly the two tests of
//! `crypto_primes::is_prime(Flavor::Any, _)`, called one after the other so that other threads
//! learn as early as possible that a candidate is very likely the answer.
//!
//! What is ours is the order of work:
//! - each prime has its own stream: a ChaCha20 RNG seeded from the caller's RNG and a sieve; the
//!   candidates of a stream are numbered in sieve order;
//! - the answer of a stream is its *first* candidate (lowest number) that is prime and has
//!   `gcd(e, p - 1) = 1`, whichever thread finds it and however many threads search;
//! - any number of threads take candidates in order from the first stream that still needs
//!   work, so several cores race on the same prime, and move on to the next prime as soon as
//!   the current one has a candidate in its final (Lucas) test.
//!
//! So the result depends only on the seeds: one thread and many threads give the same primes.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crypto_bigint::{Limb, NonZero, Odd, Uint};
use crypto_primes::Flavor;
use crypto_primes::hazmat::{
    AStarBase, LucasCheck, MillerRabin, SetBits, SieveFactory as _, SmallFactorsSieve,
    SmallFactorsSieveFactory, lucas_test,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Seed of one prime's stream.
pub(crate) type Seed = [u8; 32];

/// One prime being searched for.
struct Stream<const L: usize> {
    factory: SmallFactorsSieveFactory<Uint<L>>,
    sieve: Option<SmallFactorsSieve<Uint<L>>>,
    rng: ChaCha20Rng,
    /// Number of the next candidate to hand out.
    next: usize,
    /// Candidates handed out and not yet decided.
    in_flight: BTreeSet<usize>,
    /// Candidates that passed Miller-Rabin and are in the Lucas test (a subset of `in_flight`).
    in_lucas: BTreeSet<usize>,
    /// The lowest-numbered prime found so far.
    found: Option<(usize, Zeroizing<Uint<L>>)>,
    /// The sieve factory failed (not expected for the sizes used).
    failed: bool,
}

impl<const L: usize> Stream<L> {
    fn new(seed: Seed) -> Result<Self> {
        let factory = SmallFactorsSieveFactory::new(Flavor::Any, Uint::<L>::BITS, SetBits::TwoMsb)
            .map_err(|_| Error::Crypto)?;
        Ok(Self {
            factory,
            sieve: None,
            rng: ChaCha20Rng::from_seed(seed),
            next: 0,
            in_flight: BTreeSet::new(),
            in_lucas: BTreeSet::new(),
            found: None,
            failed: false,
        })
    }

    /// Candidates numbered from here on are not needed (unless a Lucas test fails).
    fn limit(&self) -> usize {
        let found = self.found.as_ref().map_or(usize::MAX, |(i, _)| *i);
        let lucas = self.in_lucas.first().copied().unwrap_or(usize::MAX);
        found.min(lucas)
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
    fn take(&mut self) -> Option<(usize, Uint<L>)> {
        loop {
            if let Some(candidate) = self.sieve.as_mut().and_then(Iterator::next) {
                let number = self.next;
                self.next += 1;
                self.in_flight.insert(number);
                return Some((number, candidate));
            }
            match self.factory.make_sieve(&mut self.rng, self.sieve.as_ref()) {
                Ok(Some(sieve)) => self.sieve = Some(sieve),
                Ok(None) | Err(_) => {
                    self.failed = true;
                    return None;
                }
            }
        }
    }

    fn decide(&mut self, number: usize, prime: Option<Uint<L>>) {
        self.in_flight.remove(&number);
        self.in_lucas.remove(&number);
        if let Some(p) = prime
            && self.found.as_ref().is_none_or(|(i, _)| number < *i)
        {
            self.found = Some((number, Zeroizing::new(p)));
        }
    }
}

struct Shared<const L: usize> {
    streams: Mutex<Vec<Stream<L>>>,
    changed: Condvar,
    exponent: NonZero<Limb>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// First stage of the test: `gcd(e, c - 1) = 1` (for a prime `e`: `c mod e != 1`) and
/// Miller-Rabin to base 2.
fn passes_first_stage<const L: usize>(candidate: &Uint<L>, exponent: NonZero<Limb>) -> bool {
    if candidate.rem_limb(exponent) == Limb::ONE {
        return false;
    }
    let Some(odd) = Option::<Odd<Uint<L>>>::from(Odd::new(*candidate)) else {
        return false;
    };
    MillerRabin::new(odd).test_base_two().is_probably_prime()
}

/// Second stage: the strong Lucas test with A* base (as in `crypto_primes::is_prime`).
fn passes_lucas<const L: usize>(candidate: &Uint<L>) -> bool {
    let Some(odd) = Option::<Odd<Uint<L>>>::from(Odd::new(*candidate)) else {
        return false;
    };
    lucas_test(odd, AStarBase, LucasCheck::Bpsw21).is_probably_prime()
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

        let passed = passes_first_stage(&candidate, shared.exponent);
        streams = lock(&shared.streams);
        if !passed {
            streams[s].decide(number, None);
            shared.changed.notify_all();
            continue;
        }
        streams[s].in_lucas.insert(number);
        drop(streams);

        let candidate = Zeroizing::new(candidate);
        let prime = passes_lucas(&candidate);
        streams = lock(&shared.streams);
        streams[s].decide(number, prime.then_some(*candidate));
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
    let exponent = Option::from(NonZero::new(Limb::from(exponent))).ok_or(Error::Crypto)?;
    let streams = seeds
        .iter()
        .map(|seed| Stream::new(**seed))
        .collect::<Result<Vec<_>>>()?;
    let shared = Shared {
        streams: Mutex::new(streams),
        changed: Condvar::new(),
        exponent,
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
    streams
        .into_iter()
        .map(|mut s| match s.found.take() {
            Some((_, p)) if !s.failed => Ok(p),
            _ => Err(Error::Crypto),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::{U256, U1024};

    fn seed(n: u8) -> Zeroizing<Seed> {
        Zeroizing::new([n; 32])
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

    #[test]
    fn exponent_filter_rejects_p_equal_one_mod_e() {
        // 65537 * 2 + 1 = 131075 = 5^2 * 5243 is not prime, but the filter must reject it
        // before any primality test: c mod e == 1.
        let e = NonZero::new(Limb::from(65537u32)).unwrap();
        assert!(!passes_first_stage(&U256::from_u64(2 * 65537 + 1), e));
        // A prime p with p mod e == 1: 65537 * 14 + 1 = 917519 is prime.
        assert!(crypto_primes::is_prime(
            Flavor::Any,
            &U256::from_u64(917_519)
        ));
        assert!(!passes_first_stage(&U256::from_u64(917_519), e));
        // ... and a prime with p mod e != 1 passes both stages.
        assert!(passes_first_stage(&U256::from_u64(393_241), e));
        assert!(passes_lucas(&U256::from_u64(393_241)));
    }

    #[test]
    fn two_stages_agree_with_is_prime() {
        let e = NonZero::new(Limb::from(65537u32)).unwrap();
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        for _ in 0..200 {
            let mut c = <U1024 as crypto_bigint::RandomBits>::random_bits(&mut rng, 1024);
            c = c.bitor(&U1024::ONE);
            let ours = passes_first_stage(&c, e) && passes_lucas(&c);
            let theirs = crypto_primes::is_prime(Flavor::Any, &c) && c.rem_limb(e) != Limb::ONE;
            assert_eq!(ours, theirs);
        }
        let p: U1024 = crypto_primes::random_prime(&mut rng, Flavor::Any, 1024);
        assert_eq!(
            passes_first_stage(&p, e) && passes_lucas(&p),
            p.rem_limb(e) != Limb::ONE
        );
    }
}
