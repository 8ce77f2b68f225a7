//! The sieve of the prime search: from a secret random start, the odd numbers `start + 2 i`
//! (i = 0, 1, 2, ...) that have no odd prime factor below [`sieve_bound`] and are not
//! `1 mod e`, in order.
//!
//! It only removes numbers that cannot be the answer (multiples of a small prime, which are
//! composite because every candidate is far above the bound, and `p = 1 mod e`, for which
//! `gcd(e, p - 1) != 1`), so the first prime it lets through is the first admissible prime at or
//! after `start`, whatever the bound.
//!
//! Constant time in the start: the residues `start mod p` come from 64-bit Montgomery steps
//! modulo products of small primes, then Barrett reductions (no division, no branch), and each
//! window of 64 candidates is marked from every prime's offset with shifts
//! and masks, never by indexing memory with an offset. What is observable is which candidates
//! survive (the primality tests that follow take visible time), as in every incremental search.

use std::sync::OnceLock;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::montgomery::{Limbs, neg_inv_mod_word};

/// The bound of 1024-bit candidates.
const SMALL_BOUND: u32 = 1 << 18;

/// The bound of larger candidates, and the largest of any sieve. Below 2^21, so that at least
/// three primes share a group (a product below 2^63).
const LARGE_BOUND: u32 = 1 << 20;

/// Odd primes below this bound are sieved out of candidates of `64 L` bits: 2^18 (about
/// 23 000 primes) for 1024-bit primes, 2^20 (about 82 000) for larger ones. Measured on the
/// search itself (12 seeds each): at 1536 and 2048 bits, 2^20 cuts the base-2 tests per prime
/// from 46 to 41 and from 53 to 48 for some 3 ms more sieving, a net gain; at 1024 bits the
/// tests are cheap enough that the deeper sieve costs what it saves.
pub(crate) const fn sieve_bound(limbs: usize) -> u32 {
    if limbs <= 16 {
        SMALL_BOUND
    } else {
        LARGE_BOUND
    }
}

/// Candidates per window (one `u64` of marks).
const WINDOW: u64 = 64;

/// Windows a sieve scans before it gives up: 2^22 candidates (prime gaps at 1024 bits and up
/// are some thousands).
const MAX_WINDOWS: u64 = 1 << 16;

/// `x - p` if `x >= p`, else `x`, without a branch (for `x < 2 p`, `p < 2^63`).
#[inline(always)]
const fn reduce_once(x: u64, p: u64) -> u64 {
    let ge = 1 ^ (x.wrapping_sub(p) >> 63);
    x - (p & ge.wrapping_neg())
}

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
        reduce_once(r, p)
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
        let u = reduce_once(u, p); // (target - r) mod p
        // u / 2 mod p: (u + p) / 2 when u is odd.
        let half = (u + (p & (u & 1).wrapping_neg())) >> 1;
        u32::try_from(half).unwrap_or(0) // < p < 2^32
    }
}

/// Consecutive small primes whose product is below 2^63: the start is reduced modulo the
/// product once (64-bit Montgomery steps, one per limb), then modulo each prime of the group
/// (public).
struct Group {
    /// The product of the group's primes (odd, below 2^63).
    modulus: u64,
    /// `-modulus^-1 mod 2^64`.
    neg_inv: u64,
    /// `2^128 mod modulus`.
    r2: u64,
    /// The group's primes are `primes[first..end]` of its [`Table`].
    first: usize,
    end: usize,
}

impl Group {
    /// `x 2^-64 mod modulus`, for `x < modulus 2^64` (Montgomery reduction, no branch).
    #[inline(always)]
    fn redc(&self, x: u128) -> u64 {
        let q = (x as u64).wrapping_mul(self.neg_inv);
        // x + q modulus < 2^65 modulus < 2^128, and it is a multiple of 2^64.
        let t = ((x + u128::from(q) * u128::from(self.modulus)) >> 64) as u64; // < 2 modulus
        reduce_once(t, self.modulus)
    }

    /// `2^(64 (limbs + 1)) mod modulus` (`limbs >= 1`): what turns `x 2^(-64 limbs)` back
    /// into `x`.
    fn fixup(&self, limbs: usize) -> u64 {
        // With R = 2^64, redc(R^a R^b) = R^(a + b - 1): the exponents less one add up. From
        // R^2 (one) to R^(limbs + 1) (limbs) by square and multiply on the public `limbs`.
        let mul = |a: u64, b: u64| self.redc(u128::from(a) * u128::from(b));
        let mut result: Option<u64> = None;
        let mut base = self.r2;
        let mut n = limbs;
        while n > 0 {
            if n & 1 == 1 {
                result = Some(result.map_or(base, |r| mul(r, base)));
            }
            base = mul(base, base);
            n >>= 1;
        }
        result.unwrap_or(self.r2)
    }
}

/// The public tables of one sieve bound: the odd primes below it, in order, and their groups.
struct Table {
    primes: Vec<SmallPrime>,
    groups: Vec<Group>,
    /// [`Group::fixup`] of every group, by limb count (made on first use).
    fixups: [OnceLock<Vec<u64>>; 33],
}

impl Table {
    fn new(bound: u32) -> Self {
        // The odd numbers 2 i + 1 below the bound, sieved.
        let half = (bound / 2) as usize;
        let mut composite = vec![false; half];
        let mut primes = Vec::new();
        for i in 1..half {
            if composite[i] {
                continue;
            }
            let p = 2 * i + 1;
            primes.push(SmallPrime::new(u32::try_from(p).unwrap_or(3)));
            let mut j = p * p / 2;
            while j < half {
                composite[j] = true;
                j += p;
            }
        }
        let mut groups = Vec::new();
        let mut first = 0;
        while first < primes.len() {
            let mut modulus = 1u64;
            let mut end = first;
            while let Some(sp) = primes.get(end) {
                match modulus.checked_mul(u64::from(sp.p)) {
                    Some(m) if m < 1 << 63 => modulus = m,
                    _ => break,
                }
                end += 1;
            }
            let r2 = ((u128::MAX % u128::from(modulus) + 1) % u128::from(modulus)) as u64;
            groups.push(Group {
                modulus,
                neg_inv: neg_inv_mod_word(modulus),
                r2,
                first,
                end,
            });
            first = end;
        }
        Self {
            primes,
            groups,
            fixups: [const { OnceLock::new() }; 33],
        }
    }

    /// [`Group::fixup`] of every group for `L` limbs.
    fn fixups<const L: usize>(&self) -> &[u64] {
        self.fixups.get(L).map_or(&[], |cell| {
            cell.get_or_init(|| self.groups.iter().map(|g| g.fixup(L)).collect())
        })
    }
}

/// The tables of the sieve of `L`-limb candidates (bound [`sieve_bound`]; computed once per
/// bound, so a 2048-bit key never builds the larger one).
fn table<const L: usize>() -> &'static Table {
    static SMALL: OnceLock<Table> = OnceLock::new();
    static LARGE: OnceLock<Table> = OnceLock::new();
    if sieve_bound(L) == SMALL_BOUND {
        SMALL.get_or_init(|| Table::new(SMALL_BOUND))
    } else {
        LARGE.get_or_init(|| Table::new(LARGE_BOUND))
    }
}

/// `x mod p` for every prime `p` of `table.primes`, into `out` (as long): the residues of a
/// secret start, with no branch and no index on its value. Blocks of groups side by side, so
/// that the Montgomery steps of different groups (independent chains) overlap.
fn residues<const L: usize>(table: &Table, x: &[u64; L], out: &mut [u32]) {
    const BLOCK: usize = 32;
    let primes = &table.primes;
    let groups = &table.groups;
    let fixups = table.fixups::<L>();
    let count = out.len().min(primes.len());
    let used = groups.partition_point(|g| g.first < count);
    let mut acc = Zeroizing::new([0u64; BLOCK]);
    for (block, fix) in groups[..used].chunks(BLOCK).zip(fixups.chunks(BLOCK)) {
        acc.fill(0);
        // acc = x 2^(-64 L) mod modulus, limb by limb from the least significant.
        for &limb in x {
            for (a, g) in acc.iter_mut().zip(block) {
                *a = g.redc(u128::from(*a) + u128::from(limb));
            }
        }
        for ((a, g), &c) in acc.iter_mut().zip(block).zip(fix) {
            *a = g.redc(u128::from(*a) * u128::from(c)); // x mod modulus
            let end = g.end.min(count);
            for (r, sp) in out[g.first..end].iter_mut().zip(&primes[g.first..end]) {
                *r = sp.reduce(*a) as u32;
            }
        }
    }
}

/// The candidates after one secret start.
pub(crate) struct Sieve<const L: usize> {
    table: &'static Table,
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
        let table = table::<L>();
        // Residues first, then offsets.
        let mut offsets = Zeroizing::new(vec![0u32; table.primes.len()]);
        residues(table, &start.0, &mut offsets);
        for (o, sp) in offsets.iter_mut().zip(&table.primes) {
            *o = sp.offset_from_residue(u64::from(*o), 0);
        }
        let exponent = SmallPrime::new(exponent);
        let exponent_offset = exponent.first_offset(&start.0, 1);
        let mut sieve = Self {
            table,
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
        for (offset, sp) in self.offsets.iter_mut().zip(&self.table.primes) {
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

    /// Every odd prime below the largest bound.
    fn small_primes() -> &'static [SmallPrime] {
        &table::<32>().primes
    }

    #[test]
    #[ignore = "timing, by hand"]
    fn time_tables() {
        for bound in [SMALL_BOUND, LARGE_BOUND] {
            let t = std::time::Instant::now();
            let table = Table::new(bound);
            let made = t.elapsed();
            let t = std::time::Instant::now();
            let f = table.fixups::<16>().len();
            let fixed = t.elapsed();
            eprintln!(
                "bound {bound}: {} primes, {} groups in {made:?}, {f} fixups in {fixed:?}",
                table.primes.len(),
                table.groups.len()
            );
        }
    }

    #[test]
    fn small_primes_are_the_odd_primes_below_the_bound() {
        let primes = small_primes();
        assert_eq!(primes.len(), 82_025 - 1); // pi(2^20) = 82 025, minus 2
        assert_eq!(primes[0].p, 3);
        assert_eq!(primes.last().map(|sp| sp.p), Some(1_048_573));
        let small = &table::<16>().primes;
        assert_eq!(small.len(), 23_000 - 1); // pi(2^18) = 23 000
        assert!(small.iter().zip(primes).all(|(a, b)| a.p == b.p));
        assert_eq!(sieve_bound(16), 1 << 18);
        assert_eq!(sieve_bound(24), 1 << 20);
        assert_eq!(sieve_bound(32), 1 << 20);
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

    /// The grouped Montgomery residues are the plain ones, for every prime below the largest
    /// bound and several limb counts (groups straddle the bounds).
    #[test]
    fn grouped_residues_are_the_residues() {
        fn check<const L: usize>(x: [u64; L]) {
            for count in [small_primes().len(), 23_000 - 1, 1000, 1] {
                let mut out = vec![0u32; count];
                residues(table::<32>(), &x, &mut out);
                for (r, sp) in out.iter().zip(small_primes()) {
                    assert_eq!(u64::from(*r), sp.residue(&x), "mod {}", sp.p);
                }
            }
        }
        check([u64::MAX; 1]);
        check([0x0123_4567_89ab_cdef_u64, u64::MAX, 7, 1 << 63]);
        let mut x = [0x9e37_79b9_7f4a_7c15_u64; 32];
        for (i, limb) in x.iter_mut().enumerate() {
            *limb = limb.rotate_left(i as u32 * 5) ^ (i as u64).wrapping_mul(0xff51_afd7_ed55_8ccd);
        }
        check(x);
        check([0u64; 16]);
        let mut y = [u64::MAX; 24];
        y[0] = 1;
        check(y);
    }

    /// Every group's product is below 2^63 and its constants are right, in both tables.
    #[test]
    fn groups_cover_the_primes_in_order() {
        for table in [table::<16>(), table::<32>()] {
            check_groups(table);
        }
    }

    fn check_groups(table: &Table) {
        let mut next = 0;
        for g in &table.groups {
            assert_eq!(g.first, next);
            assert!(g.end > g.first);
            let product: u128 = table.primes[g.first..g.end]
                .iter()
                .map(|sp| u128::from(sp.p))
                .product();
            assert_eq!(product, u128::from(g.modulus));
            assert!(g.modulus < 1 << 63);
            assert_eq!(g.modulus.wrapping_mul(g.neg_inv), u64::MAX); // -1 mod 2^64
            assert_eq!(
                u128::from(g.r2),
                (1u128 << 127) % u128::from(g.modulus) * 2 % u128::from(g.modulus)
            );
            next = g.end;
        }
        assert_eq!(next, table.primes.len());
        // The fixup of a few limb counts, the slow way.
        for (g, &fix) in table.groups.iter().zip(table.fixups::<3>()).step_by(101) {
            let m = u128::from(g.modulus);
            let mut want = 1u128;
            for _ in 0..4 * 64 {
                want = want * 2 % m;
            }
            assert_eq!(u128::from(fix), want, "2^256 mod {m}");
        }
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
