//! The sieve of the prime search: from a secret random start, the odd numbers `start + 2 i`
//! (i = 0, 1, 2, ...) that have no odd prime factor below [`sieve_bound`] and are not
//! `1 mod e`, in order.
//!
//! It only removes numbers that cannot be the answer (multiples of a small prime, which are
//! composite because every candidate is far above the bound, and `p = 1 mod e`, for which
//! `gcd(e, p - 1) != 1`), so the first prime it lets through is the first admissible prime at or
//! after `start`, whatever the bound.
//!
//! Constant time in the start: the residues `start mod p` come from Barrett reductions (no
//! division), and each window of 64 candidates is marked from every prime's offset with shifts
//! and masks, never by indexing memory with an offset. What is observable is which candidates
//! survive (the primality tests that follow take visible time), as in every incremental search.

use std::sync::OnceLock;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::montgomery::Limbs;

/// The largest bound of any sieve: residues below it are shifted left by [`CHUNK_BITS`].
const MAX_BOUND: u32 = 1 << 20;
const _: () = assert!(
    MAX_BOUND as u64 <= 1 << (64 - CHUNK_BITS),
    "residues are shifted left by CHUNK_BITS bits"
);

/// Odd primes below this bound are sieved out of candidates of `64 L` bits: 2^18 (about
/// 23 000 primes) for 1024-bit primes, 2^20 (about 82 000) for larger ones. Measured on the
/// search itself (12 seeds each): at 1536 and 2048 bits, 2^20 cuts the base-2 tests per prime
/// from 46 to 41 and from 53 to 48 for some 3 ms more sieving, a net gain; at 1024 bits the
/// tests are cheap enough that the deeper sieve costs what it saves.
pub(crate) const fn sieve_bound(limbs: usize) -> u32 {
    if limbs <= 16 { 1 << 18 } else { MAX_BOUND }
}

/// Candidates per window (one `u64` of marks).
const WINDOW: u64 = 64;

/// Windows a sieve scans before it gives up: 2^22 candidates (prime gaps at 1024 bits and up
/// are some thousands).
const MAX_WINDOWS: u64 = 1 << 16;

/// One small prime (or the exponent) with its precomputed, public constants.
#[derive(Clone, Copy, Debug)]
struct SmallPrime {
    p: u32,
    /// `floor(2^64 / p)`, for Barrett reduction.
    barrett: u64,
    /// `(-64) mod p`: how a multiple's offset moves from one window to the next.
    step: u32,
    /// Bits `0, p, 2p, ...` below 64: the multiples inside one window.
    pattern: u64,
}

impl SmallPrime {
    fn new(p: u32) -> Self {
        let p64 = u64::from(p);
        let mut pattern = 0u64;
        let mut k = 0u64;
        while k < 64 {
            pattern |= 1 << k;
            k += p64;
        }
        Self {
            p,
            barrett: u64::MAX / p64,
            step: u32::try_from((p64 - 64 % p64) % p64).unwrap_or(0),
            pattern,
        }
    }

    /// `x mod p` for any `x < 2^64`, without division.
    #[inline(always)]
    fn reduce(&self, x: u64) -> u64 {
        let p = u64::from(self.p);
        let q = ((u128::from(x) * u128::from(self.barrett)) >> 64) as u64;
        let r = x.wrapping_sub(q.wrapping_mul(p)); // in [0, 2p)
        let ge = 1 ^ (r.wrapping_sub(p) >> 63);
        r - (p & ge.wrapping_neg())
    }

    /// `x mod p` of a multi-limb `x`, 32 bits at a time.
    fn residue<const L: usize>(&self, x: &[u64; L]) -> u64 {
        let mut r = 0u64;
        for limb in x.iter().rev() {
            r = self.reduce((r << 32) | (limb >> 32));
            r = self.reduce((r << 32) | (limb & 0xffff_ffff));
        }
        r
    }

    /// The least `i >= 0` with `x + 2 i = target mod p` (p odd, `target < p`).
    fn first_offset<const L: usize>(&self, x: &[u64; L], target: u64) -> u32 {
        self.offset_from_residue(self.residue(x), target)
    }

    /// The least `i >= 0` with `r + 2 i = target mod p` (`r, target < p`).
    fn offset_from_residue(&self, r: u64, target: u64) -> u32 {
        let p = u64::from(self.p);
        let u = target + p - r; // in [1, 2p)
        let ge = 1 ^ (u.wrapping_sub(p) >> 63);
        let u = u - (p & ge.wrapping_neg()); // (target - r) mod p
        // u / 2 mod p: (u + p) / 2 when u is odd.
        let half = (u + (p & (u & 1).wrapping_neg())) >> 1;
        u32::try_from(half).unwrap_or(0) // < p < 2^32
    }
}

/// Bits per step when reducing a start modulo the small primes: `p < 2^20` leaves 44.
const CHUNK_BITS: usize = 44;

/// The 44-bit digits of `x`, least significant first (at most 47 for 32 limbs).
fn chunks<const L: usize>(x: &[u64; L]) -> Zeroizing<[u64; 48]> {
    let mut out = Zeroizing::new([0u64; 48]);
    for (i, chunk) in out.iter_mut().enumerate() {
        let bit = i * CHUNK_BITS;
        let (limb, shift) = (bit / 64, bit % 64);
        let lo = x.get(limb).map_or(0, |v| v >> shift);
        let hi = match (shift, x.get(limb + 1)) {
            (1.., Some(v)) => v << (64 - shift),
            _ => 0,
        };
        *chunk = (lo | hi) & ((1 << CHUNK_BITS) - 1);
    }
    out
}

/// Every odd prime below [`MAX_BOUND`], in order (public; computed once).
fn small_primes() -> &'static [SmallPrime] {
    static PRIMES: OnceLock<Vec<SmallPrime>> = OnceLock::new();
    PRIMES.get_or_init(|| {
        let n = MAX_BOUND as usize;
        let mut composite = vec![false; n];
        let mut primes = Vec::new();
        for i in 3..n {
            if composite[i] || i % 2 == 0 {
                continue;
            }
            primes.push(SmallPrime::new(u32::try_from(i).unwrap_or(3)));
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
        }
        primes
    })
}

/// The candidates after one secret start.
pub(crate) struct Sieve<const L: usize> {
    start: Limbs<L>,
    /// Per small prime: the offset of its next multiple from the current window's first
    /// candidate (secret: `start mod p` follows from it).
    offsets: Zeroizing<Vec<u32>>,
    exponent: SmallPrime,
    /// Offset of the next candidate `= 1 mod e`.
    exponent_offset: u32,
    /// Number of the current window.
    window: u64,
    /// Survivors of the current window not handed out yet.
    alive: u64,
}

impl<const L: usize> Drop for Sieve<L> {
    fn drop(&mut self) {
        self.exponent_offset.zeroize();
        self.alive.zeroize();
    }
}

/// `start` is a `Limbs` and `offsets` is `Zeroizing`; the rest is cleared by `Drop`.
impl<const L: usize> ZeroizeOnDrop for Sieve<L> {}

impl<const L: usize> Sieve<L> {
    /// A sieve from `start` (odd, far above [`sieve_bound`]) for primes `p` with `p mod e != 1`
    /// (`e` an odd prime).
    pub(crate) fn new(start: Limbs<L>, exponent: u32) -> Self {
        let all = small_primes();
        let primes = &all[..all.partition_point(|sp| sp.p < sieve_bound(L))];
        // Residues first, all primes side by side (independent chains), then offsets.
        let mut offsets = Zeroizing::new(vec![0u32; primes.len()]);
        let chunks = chunks(&start.0);
        let chunks = chunks
            .get(..(64 * L).div_ceil(CHUNK_BITS))
            .unwrap_or_default();
        // Blocks of primes small enough to stay in the L1 cache across all the chunks.
        for (rs, sps) in offsets.chunks_mut(512).zip(primes.chunks(512)) {
            for &chunk in chunks.iter().rev() {
                for (r, sp) in rs.iter_mut().zip(sps) {
                    // r < p < 2^20, so `r 2^44 + chunk` fits; the result is below p again.
                    let x = (u64::from(*r) << CHUNK_BITS) | chunk;
                    *r = sp.reduce(x) as u32;
                }
            }
        }
        for (o, sp) in offsets.iter_mut().zip(primes) {
            *o = sp.offset_from_residue(u64::from(*o), 0);
        }
        let exponent = SmallPrime::new(exponent);
        let exponent_offset = exponent.first_offset(&start.0, 1);
        let mut sieve = Self {
            start,
            offsets,
            exponent,
            exponent_offset,
            window: 0,
            alive: 0,
        };
        sieve.alive = sieve.mark();
        sieve
    }

    /// The survivors of the current window, then every offset moves on to the next window.
    fn mark(&mut self) -> u64 {
        let mut composite = 0u64;
        for (offset, sp) in self.offsets.iter_mut().zip(small_primes()) {
            composite |= Self::mark_one(offset, sp);
        }
        composite |= Self::mark_one(&mut self.exponent_offset, &self.exponent);
        !composite
    }

    #[inline(always)]
    fn mark_one(offset: &mut u32, sp: &SmallPrime) -> u64 {
        let o = u64::from(*offset);
        let inside = o.wrapping_sub(WINDOW) >> 63; // o < 64
        let marks = inside.wrapping_neg() & (sp.pattern << (o & 63));
        let next = *offset + sp.step; // < 2p
        let ge = 1 ^ (next.wrapping_sub(sp.p) >> 31);
        *offset = next - (sp.p & ge.wrapping_neg());
        marks
    }

    /// The next candidate: its index `i` (candidate = start + 2 i) and value. `None` after
    /// [`MAX_WINDOWS`] windows.
    pub(crate) fn next_candidate(&mut self) -> Option<(u64, Limbs<L>)> {
        while self.alive == 0 {
            self.window += 1;
            if self.window >= MAX_WINDOWS {
                return None;
            }
            self.alive = self.mark();
        }
        // Which candidates survive is observable anyway (each one is then tested).
        let bit = u64::from(self.alive.trailing_zeros());
        self.alive &= self.alive - 1;
        let index = self.window * WINDOW + bit;
        let mut value = Limbs::<L>(self.start.0);
        let mut carry = 2 * index;
        for limb in &mut value.0 {
            let (sum, overflow) = limb.overflowing_add(carry);
            *limb = sum;
            carry = u64::from(overflow);
        }
        Some((index, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::{NonZero, U256, Uint};

    fn uint<const L: usize>(x: &[u64; L]) -> Uint<L> {
        Uint::from_words(*x)
    }

    #[test]
    fn small_primes_are_the_odd_primes_below_the_bound() {
        let primes = small_primes();
        assert_eq!(primes.len(), 82_025 - 1); // pi(2^20) = 82 025, minus 2
        assert_eq!(primes[0].p, 3);
        assert_eq!(primes.last().map(|sp| sp.p), Some(1_048_573));
        let below_2_18 = primes.partition_point(|sp| sp.p < sieve_bound(16));
        assert_eq!(below_2_18, 23_000 - 1); // pi(2^18) = 23 000
        assert_eq!(sieve_bound(24), 1 << 20);
    }

    #[test]
    fn barrett_reduction_is_exact() {
        for sp in small_primes()
            .iter()
            .step_by(97)
            .chain(small_primes().last())
        {
            let p = u64::from(sp.p);
            for x in [
                0,
                1,
                p - 1,
                p,
                p + 1,
                u64::MAX,
                u64::MAX - 1,
                1 << 50,
                (1 << 50) - 1,
            ] {
                assert_eq!(sp.reduce(x), x % p, "{x} mod {p}");
            }
            let x = [0x0123_4567_89ab_cdef_u64, u64::MAX, 7, 1 << 63];
            let expected = uint(&x).rem_vartime(&NonZero::new(U256::from(p)).unwrap());
            assert_eq!(sp.residue(&x), expected.as_words()[0]);
        }
    }

    /// The numbers `start + 2 i`, `i < count`, with no odd prime factor below the sieve's bound
    /// for `L` limbs and not 1 mod e, computed the slow way.
    fn expected_survivors<const L: usize>(start: &[u64; L], count: u64) -> Vec<u64> {
        let e = 65537u64;
        let bound = sieve_bound(L);
        let mut expected = Vec::new();
        for i in 0..count {
            let c = uint(start).wrapping_add(&Uint::<L>::from(2 * i));
            let small_factor = small_primes()
                .iter()
                .take_while(|sp| sp.p < bound)
                .any(|sp| {
                    c.rem_vartime(&NonZero::new(Uint::<L>::from(u64::from(sp.p))).unwrap())
                        == Uint::ZERO
                });
            let one_mod_e = c.rem_vartime(&NonZero::new(Uint::<L>::from(e)).unwrap()) == Uint::ONE;
            if !small_factor && !one_mod_e {
                expected.push(i);
            }
        }
        expected
    }

    fn check_survivors<const L: usize>(start: [u64; L], count: u64) {
        let expected = expected_survivors(&start, count);
        let mut sieve = Sieve::new(Limbs(start), 65537);
        let got: Vec<u64> = std::iter::from_fn(|| sieve.next_candidate())
            .take_while(|(i, _)| *i < count)
            .map(|(i, value)| {
                assert_eq!(
                    uint(&value.0),
                    uint(&start).wrapping_add(&Uint::<L>::from(2 * i))
                );
                i
            })
            .collect();
        assert_eq!(got, expected);
        assert!(!expected.is_empty());
    }

    /// The sieve yields exactly the numbers `start + 2 i` with no small factor and not 1 mod e.
    #[test]
    fn survivors_are_exactly_the_unmarked_numbers() {
        let start = [0x1234_5678_9abc_def1_u64, 0xfeed, 0, 0xC000_0000_0000_0000];
        check_survivors(start, 2000);
    }

    /// The same with the deeper bound of 1536-bit candidates (primes up to 2^20).
    #[test]
    fn survivors_of_the_deeper_sieve_are_exactly_the_unmarked_numbers() {
        let mut start = [0x9e37_79b9_7f4a_7c15_u64; 24];
        for (i, limb) in start.iter_mut().enumerate() {
            *limb = limb.rotate_left(i as u32 * 7) ^ i as u64;
        }
        start[0] |= 1;
        start[23] |= 0b11 << 62;
        check_survivors(start, 300);
    }
}
