//! Constant-time Montgomery arithmetic for the prime search, on fixed-size `[u64; L]` numbers
//! (little-endian limbs; `L` = 16, 24, 32 for the primes of 2048-, 3072- and 4096-bit keys).
//!
//! Everything here treats its inputs as secret: no branch, no memory index and no loop bound
//! depends on a value (only on `L` and on public loop counters), no division, no
//! `*_vartime` call. Conditions are computed as 0/1 words and applied with masks.
//!
//! - [`Modulus`]: an odd modulus `m` with its top bit set (every candidate of the search has its
//!   top two bits set), `R = 2^(64 L)`, with `-m^-1 mod 2^64`, `R mod m` (Montgomery one) and
//!   `m - (R mod m)` (Montgomery minus one). `R mod m = R - m` because `m > R / 2`.
//! - [`Modulus::mul`]: the Montgomery product `a b R^-1 mod m` (CIOS, multiply and reduce fused in
//!   one pass, `u128` products, one masked final subtraction).
//! - [`Modulus::sqr`]: the Montgomery square, about 3/4 of `mul`'s word products: each cross
//!   product once, doubled, plus the diagonal, into a double-width number, then a separate
//!   reduction ([`Modulus::redc`], SOS order). Both passes run several rows at a time, so that
//!   independent carry chains keep the multiplier busy (measured here, one square against one
//!   `mul`: 0.83x at 16 limbs, 0.78x at 24, 0.64x at 32).
//! - [`Modulus::base_two_test`]: the strong probable-prime test to base 2 as a left-to-right
//!   ladder over all `64 L` bits of `m - 1` (square; then, in one pass, a masked doubling and the
//!   masked subtraction of m; in a second pass, the select and the comparisons with 1 and -1): no
//!   table and no multiplication by the base.
//! - [`Modulus::strong_test`]: the strong probable-prime test to any base, with a fixed 4-bit
//!   window and a table read by scanning every entry. The windows are aligned on `s mod 4`
//!   (`m - 1 = d 2^s`), so that every value the test compares is an exact power of the base.
//!
//! Both tests look at every one of the `64 L` positions and decide with masks whether a position
//! counts (`k <= s`), so their time does not depend on `s` either.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// 0/1 -> all zeros / all ones.
#[inline(always)]
const fn mask(bit: u64) -> u64 {
    bit.wrapping_neg()
}

/// 1 if `x == 0`, else 0.
#[inline(always)]
const fn is_zero(x: u64) -> u64 {
    1 ^ ((x | x.wrapping_neg()) >> 63)
}

/// 1 if `a <= b`, else 0 (both below 2^63).
#[inline(always)]
const fn le(a: u64, b: u64) -> u64 {
    1 ^ (b.wrapping_sub(a) >> 63)
}

/// `a + b + carry` as (sum, carry).
#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let s = a as u128 + b as u128 + carry as u128;
    (s as u64, (s >> 64) as u64)
}

/// `a - b - borrow` as (difference, borrow).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let d = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (d as u64, ((d >> 64) as u64) & 1)
}

/// `a + b * c + carry` as (low, high); never overflows.
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    // Written as two single-word additions into the product's high word (which cannot
    // overflow: (2^64 - 1)^2 + 2 (2^64 - 1) < 2^128), so that it compiles to add/adc pairs.
    let p = (b as u128) * (c as u128);
    let (lo, c1) = (p as u64).overflowing_add(a);
    let (lo, c2) = lo.overflowing_add(carry);
    (lo, ((p >> 64) as u64) + c1 as u64 + c2 as u64)
}

/// `out = a - b`, returns the borrow.
#[inline(always)]
fn sub<const L: usize>(out: &mut [u64; L], a: &[u64; L], b: &[u64; L]) -> u64 {
    let mut borrow = 0;
    for i in 0..L {
        (out[i], borrow) = sbb(a[i], b[i], borrow);
    }
    borrow
}

/// 1 if `a < b` (the borrow of `a - b`), else 0.
#[inline(always)]
fn borrow_of<const L: usize>(a: &[u64; L], b: &[u64; L]) -> u64 {
    let mut borrow = 0;
    for i in 0..L {
        (_, borrow) = sbb(a[i], b[i], borrow);
    }
    borrow
}

/// `a = a - b` if `choice == 1`, else unchanged (no temporary holds the difference).
#[inline(always)]
fn sub_if<const L: usize>(a: &mut [u64; L], b: &[u64; L], choice: u64) {
    let m = mask(choice);
    let mut borrow = 0;
    for i in 0..L {
        (a[i], borrow) = sbb(a[i], b[i] & m, borrow);
    }
}

/// `a = if choice == 1 { b } else { a }`.
#[inline(always)]
fn assign_if<const L: usize>(a: &mut [u64; L], b: &[u64; L], choice: u64) {
    let m = mask(choice);
    for i in 0..L {
        a[i] ^= m & (a[i] ^ b[i]);
    }
}

/// 1 if position `k` of a strong probable-prime test passes it, given whether the value there is
/// 1 and whether it is -1 (0/1 each): 1 counts at `k == s`, -1 at `1 <= k <= s`
/// (`m - 1 = d 2^s`, the value being `base^((m - 1) >> k)`).
#[inline(always)]
const fn verdict(is_one: u64, is_minus_one: u64, k: u64, s: u64) -> u64 {
    let at_s = is_zero(k ^ s);
    let in_range = le(k, s) & (1 ^ is_zero(k));
    (at_s & is_one) | (in_range & is_minus_one)
}

/// `-m^-1 mod 2^64` for an odd `m`, by Newton's iteration (each step doubles the correct bits:
/// 3 -> 192).
#[inline]
pub(crate) const fn neg_inv_mod_word(m: u64) -> u64 {
    let mut inv = m; // correct to 3 bits for odd m
    let mut step = 0;
    while step < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(inv)));
        step += 1;
    }
    inv.wrapping_neg()
}

/// 1 if `a == b`, else 0.
#[inline(always)]
pub(crate) fn eq<const L: usize>(a: &[u64; L], b: &[u64; L]) -> u64 {
    let mut acc = 0;
    for i in 0..L {
        acc |= a[i] ^ b[i];
    }
    is_zero(acc)
}

/// Number of significant bits of `|a - b|` (0 when equal).
pub(crate) fn distance_bits<const L: usize>(a: &[u64; L], b: &[u64; L]) -> u32 {
    let mut d = Limbs::<L>::new();
    let mut e = Limbs::<L>::new();
    let borrow = sub(&mut d.0, a, b);
    sub(&mut e.0, b, a);
    assign_if(&mut d.0, &e.0, borrow);
    let mut bits = 0u64;
    for (i, limb) in d.0.iter().enumerate() {
        for j in 0..64 {
            let bit = (limb >> j) & 1;
            let pos = (i * 64 + j + 1) as u64;
            // The highest set bit wins: later positions overwrite earlier ones.
            bits ^= mask(bit) & (bits ^ pos);
        }
    }
    bits as u32
}

/// A `[u64; L]` that is zeroized on drop: every temporary of the tests lives in one.
#[derive(Clone)]
pub(crate) struct Limbs<const L: usize>(pub(crate) [u64; L]);

impl<const L: usize> Limbs<L> {
    pub(crate) const fn new() -> Self {
        Self([0; L])
    }
}

impl<const L: usize> Drop for Limbs<L> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<const L: usize> ZeroizeOnDrop for Limbs<L> {}

/// A double-width number of `2 L` limbs (`L <= 32`; the array has room for the largest), whose
/// used part is zeroed when made and zeroized on drop.
pub(crate) struct Wide<const L: usize>([u64; 64]);

impl<const L: usize> Wide<L> {
    const fn new() -> Self {
        Self([0; 64])
    }
}

impl<const L: usize> Drop for Wide<L> {
    fn drop(&mut self) {
        if let Some(used) = self.0.get_mut(..2 * L) {
            used.zeroize();
        }
    }
}

/// An odd modulus with its top bit set, ready for Montgomery arithmetic (`R = 2^(64 L)`).
pub(crate) struct Modulus<const L: usize> {
    m: [u64; L],
    /// `-m^-1 mod 2^64`.
    m0inv: u64,
    /// `R mod m`: the Montgomery form of 1.
    one: [u64; L],
    /// `m - (R mod m)`: the Montgomery form of -1.
    minus_one: [u64; L],
}

impl<const L: usize> Drop for Modulus<L> {
    fn drop(&mut self) {
        self.m.zeroize();
        self.m0inv.zeroize();
        self.one.zeroize();
        self.minus_one.zeroize();
    }
}

impl<const L: usize> ZeroizeOnDrop for Modulus<L> {}

impl<const L: usize> Modulus<L> {
    /// `None` unless `m` is odd with its top bit set. Every candidate of the prime search is
    /// odd with its top two bits set by construction, so this check reveals nothing.
    pub(crate) fn new(m: &[u64; L]) -> Option<Self> {
        if L == 0 || m[0] & 1 == 0 || m[L - 1] >> 63 == 0 {
            return None;
        }
        let mut one = [0u64; L];
        let zero = [0u64; L];
        sub(&mut one, &zero, m); // R - m = R mod m, as m > R / 2
        let mut minus_one = [0u64; L];
        sub(&mut minus_one, m, &one);
        Some(Self {
            m: *m,
            m0inv: neg_inv_mod_word(m[0]),
            one,
            minus_one,
        })
    }

    /// The Montgomery form of 1.
    #[cfg(test)]
    pub(crate) const fn one(&self) -> &[u64; L] {
        &self.one
    }

    /// `out = a b R^-1 mod m`, for `a, b < m` (or `a < R` and `b < m`, as `redc` uses it).
    #[inline]
    pub(crate) fn mul(&self, out: &mut [u64; L], a: &[u64; L], b: &[u64; L]) {
        let m = &self.m;
        let t = out;
        *t = [0; L];
        let mut hi = 0u64;
        for &ai in a.iter() {
            // t = (t + ai b + q m) / 2^64 with q chosen so that the low word vanishes.
            let (s0, mut c1) = mac(t[0], ai, b[0], 0);
            let q = s0.wrapping_mul(self.m0inv);
            let (_, mut c2) = mac(s0, q, m[0], 0);
            for j in 1..L {
                let (x, c) = mac(t[j], ai, b[j], c1);
                c1 = c;
                let (y, c) = mac(x, q, m[j], c2);
                c2 = c;
                t[j - 1] = y;
            }
            let (x, c) = adc(hi, c1, 0);
            let (y, c3) = adc(x, c2, 0);
            t[L - 1] = y;
            hi = c + c3;
        }
        // t < 2m: subtract m once if t >= m.
        let borrow = borrow_of(t, m);
        sub_if(t, m, hi | (borrow ^ 1));
    }

    /// `out = a a R^-1 mod m`, for `a < m` (`L` a positive multiple of 4, at most 32): the square
    /// as a double-width product (each cross product once, then doubled, plus the diagonal), then
    /// the Montgomery reduction (SOS order, [`Modulus::redc`]). The cross products take four rows
    /// at a time while the rows are long enough, then two (independent carry chains). About 3/4
    /// of the word products of [`Modulus::mul`].
    #[inline]
    pub(crate) fn sqr(&self, out: &mut [u64; L], a: &[u64; L]) {
        const { assert!(L & 3 == 0 && L >= 4 && L <= 32, "L is 4, 8, ..., 32") };
        let mut wide = Wide::<L>::new();
        let t = &mut wide.0;
        // Cross products a_i a_j (i < j): four rows together while they are long enough, then
        // two.
        let mut i = 0;
        while i + 8 <= L {
            let (a0, a1, a2, a3) = (a[i], a[i + 1], a[i + 2], a[i + 3]);
            let b = 2 * i;
            // Columns where rows i + 1, i + 2, i + 3 have not started yet.
            let (mut x, mut c0, mut c1, mut c2, mut c3);
            (t[b + 1], c0) = mac(t[b + 1], a0, a1, 0);
            (t[b + 2], c0) = mac(t[b + 2], a0, a2, c0);
            (x, c0) = mac(t[b + 3], a0, a3, c0);
            (t[b + 3], c1) = mac(x, a1, a2, 0);
            (x, c0) = mac(t[b + 4], a0, a[i + 4], c0);
            (t[b + 4], c1) = mac(x, a1, a3, c1);
            (x, c0) = mac(t[b + 5], a0, a[i + 5], c0);
            (x, c1) = mac(x, a1, a[i + 4], c1);
            (t[b + 5], c2) = mac(x, a2, a3, 0);
            (x, c0) = mac(t[b + 6], a0, a[i + 6], c0);
            (x, c1) = mac(x, a1, a[i + 5], c1);
            (t[b + 6], c2) = mac(x, a2, a[i + 4], c2);
            c3 = 0;
            for k in b + 7..i + L {
                (x, c0) = mac(t[k], a0, a[k - i], c0);
                (x, c1) = mac(x, a1, a[k - i - 1], c1);
                (x, c2) = mac(x, a2, a[k - i - 2], c2);
                (t[k], c3) = mac(x, a3, a[k - i - 3], c3);
            }
            // Row i has ended: its carry opens column i + L; the others end one by one.
            (x, c1) = mac(c0, a1, a[L - 1], c1);
            (x, c2) = mac(x, a2, a[L - 2], c2);
            (t[i + L], c3) = mac(x, a3, a[L - 3], c3);
            (x, c2) = mac(c1, a2, a[L - 1], c2);
            (t[i + L + 1], c3) = mac(x, a3, a[L - 2], c3);
            (t[i + L + 2], t[i + L + 3]) = mac(c2, a3, a[L - 1], c3);
            i += 4;
        }
        while i + 2 < L {
            let (ai, bi) = (a[i], a[i + 1]);
            let (x, mut ca) = mac(t[2 * i + 1], ai, bi, 0);
            t[2 * i + 1] = x;
            (t[2 * i + 2], ca) = mac(t[2 * i + 2], ai, a[i + 2], ca);
            let mut cb = 0;
            for k in 2 * i + 3..i + L {
                let x;
                (x, ca) = mac(t[k], ai, a[k - i], ca);
                (t[k], cb) = mac(x, bi, a[k - i - 1], cb);
            }
            (t[i + L], t[i + L + 1]) = mac(ca, bi, a[L - 1], cb);
            i += 2;
        }
        // Row L - 2 holds one product; row L - 1 none.
        (t[2 * L - 3], t[2 * L - 2]) = mac(t[2 * L - 3], a[L - 2], a[L - 1], 0);
        // Doubled, plus the squares on the diagonal.
        let mut top = 0;
        for x in t[..2 * L].iter_mut() {
            let next = *x >> 63;
            *x = (*x << 1) | top;
            top = next;
        }
        let mut c = 0;
        for (pair, ai) in t[..2 * L].chunks_exact_mut(2).zip(a) {
            let sq = u128::from(*ai) * u128::from(*ai);
            (pair[0], c) = adc(pair[0], sq as u64, c);
            (pair[1], c) = adc(pair[1], (sq >> 64) as u64, c);
        }
        self.redc(out, &mut wide);
    }

    /// `out = t R^-1 mod m` for a double-width `t < m R` (in `t[..2 L]`, `L` a multiple of 4):
    /// the Montgomery reduction (SOS order), four words at a time, so that four independent
    /// carry chains keep the multiplier busy. `hi` is the carry into the word above the four
    /// rows' span; the result is below 2m before the final masked subtraction.
    #[inline(always)]
    fn redc(&self, out: &mut [u64; L], wide: &mut Wide<L>) {
        let m = &self.m;
        let k = self.m0inv;
        let t = &mut wide.0;
        let mut hi = 0;
        let mut i = 0;
        while i + 3 < L {
            // Row i's multiplier makes word i vanish; row i + 1's is known once row i has
            // added into word i + 1, and so on.
            let (mut x, mut ca, mut cb, mut cc, mut cd);
            let qa = t[i].wrapping_mul(k);
            (_, ca) = mac(t[i], qa, m[0], 0);
            (x, ca) = mac(t[i + 1], qa, m[1], ca);
            let qb = x.wrapping_mul(k);
            (_, cb) = mac(x, qb, m[0], 0);
            (x, ca) = mac(t[i + 2], qa, m[2], ca);
            (x, cb) = mac(x, qb, m[1], cb);
            let qc = x.wrapping_mul(k);
            (_, cc) = mac(x, qc, m[0], 0);
            (x, ca) = mac(t[i + 3], qa, m[3], ca);
            (x, cb) = mac(x, qb, m[2], cb);
            (x, cc) = mac(x, qc, m[1], cc);
            let qd = x.wrapping_mul(k);
            (_, cd) = mac(x, qd, m[0], 0);
            for j in 4..L {
                (x, ca) = mac(t[i + j], qa, m[j], ca);
                (x, cb) = mac(x, qb, m[j - 1], cb);
                (x, cc) = mac(x, qc, m[j - 2], cc);
                (t[i + j], cd) = mac(x, qd, m[j - 3], cd);
            }
            // The rows end one by one; the single-bit carries c1, c2, c3 move up with them.
            let (c1, c2, c3);
            (x, c1) = adc(t[i + L], ca, hi);
            (x, cb) = mac(x, qb, m[L - 1], cb);
            (x, cc) = mac(x, qc, m[L - 2], cc);
            (t[i + L], cd) = mac(x, qd, m[L - 3], cd);
            (x, c2) = adc(t[i + L + 1], cb, c1);
            (x, cc) = mac(x, qc, m[L - 1], cc);
            (t[i + L + 1], cd) = mac(x, qd, m[L - 2], cd);
            (x, c3) = adc(t[i + L + 2], cc, c2);
            (t[i + L + 2], cd) = mac(x, qd, m[L - 1], cd);
            (t[i + L + 3], hi) = adc(t[i + L + 3], cd, c3);
            i += 4;
        }
        out.copy_from_slice(&t[L..2 * L]);
        let borrow = borrow_of(out, m);
        sub_if(out, m, hi | (borrow ^ 1));
    }

    /// `x = 2 x mod m` (for `x < m`).
    #[inline]
    fn double(&self, x: &mut [u64; L]) {
        let mut carry = 0;
        for limb in x.iter_mut() {
            let top = *limb >> 63;
            *limb = (*limb << 1) | carry;
            carry = top;
        }
        let borrow = borrow_of(x, &self.m);
        sub_if(x, &self.m, carry | (borrow ^ 1));
    }

    /// `x = x + y mod m` (for `x, y < m`).
    fn add(&self, x: &mut [u64; L], y: &[u64; L]) {
        let mut carry = 0;
        for i in 0..L {
            (x[i], carry) = adc(x[i], y[i], carry);
        }
        let borrow = borrow_of(x, &self.m);
        sub_if(x, &self.m, carry | (borrow ^ 1));
    }

    /// `(lo + hi R) R^-1 mod m = hi + lo R^-1 mod m`, for any `lo < R`, `hi < 2^64`: turns
    /// `64 L + 64` random bits into a Montgomery-form value whose distribution is within
    /// `2^-64` of uniform modulo m.
    pub(crate) fn reduce_wide(&self, lo: &[u64; L], hi: u64) -> Limbs<L> {
        let mut out = Limbs::<L>::new();
        let mut unit = Limbs::<L>::new();
        unit.0[0] = 1;
        self.mul(&mut out.0, lo, &unit.0);
        let mut h = Limbs::<L>::new();
        h.0[0] = hi; // < 2^64 < m
        self.add(&mut out.0, &h.0);
        out
    }

    /// A random base for [`Modulus::strong_test`] (Montgomery form) from `64 L + 64` random
    /// bits: uniform modulo m within `2^-64`; the three bases FIPS 186-5 excludes (0, 1, m - 1:
    /// a chance of 3 in m) are replaced by 2.
    pub(crate) fn random_base(&self, lo: &[u64; L], hi: u64) -> Limbs<L> {
        let mut base = self.reduce_wide(lo, hi);
        let bad = eq(&base.0, &[0; L]) | eq(&base.0, &self.one) | eq(&base.0, &self.minus_one);
        let mut two = Limbs::<L>(self.one);
        self.double(&mut two.0);
        assign_if(&mut base.0, &two.0, bad);
        base
    }

    /// `m - 1 = d 2^s`: returns `m - 1` and `s`, without branches.
    fn minus_one_and_twos(&self) -> (Limbs<L>, u64) {
        let mut e = Limbs::<L>(self.m);
        e.0[0] ^= 1; // m is odd
        let mut zeros_so_far = 1u64;
        let mut s = 0u64;
        for limb in &e.0 {
            for j in 0..64 {
                zeros_so_far &= 1 ^ ((limb >> j) & 1);
                s += zeros_so_far;
            }
        }
        (e, s)
    }

    /// Folds one checked position into the verdict: at `k == s` the value may be 1, at
    /// `1 <= k <= s` it may be -1 (`m - 1 = d 2^s`, `x = base^((m - 1) >> k)`).
    #[inline(always)]
    fn check(&self, pass: &mut u64, x: &[u64; L], k: u64, s: u64) {
        *pass |= verdict(eq(x, &self.one), eq(x, &self.minus_one), k, s);
    }

    /// The strong probable-prime (Miller-Rabin) test of m to base 2.
    pub(crate) fn base_two_test(&self) -> bool {
        let (e, s) = self.minus_one_and_twos();
        let mut x = Limbs::<L>(self.one);
        let mut y = Limbs::<L>::new();
        let mut d = Limbs::<L>::new();
        let mut pass = 0u64;
        for i in (0..L).rev() {
            for j in (0..64).rev() {
                // x = 2^(e >> k) for k = 64 i + j after this step: x = x^2 2^bit mod m, the
                // doubling as a masked addition (y + (y & mask)) and one masked subtraction.
                self.sqr(&mut y.0, &x.0);
                // One pass: y = y + (y & mask) and d = y - m side by side (two carry chains).
                let double = mask((e.0[i] >> j) & 1);
                let (mut carry, mut borrow) = (0, 0);
                for ((yi, di), mi) in y.0.iter_mut().zip(&mut d.0).zip(&self.m) {
                    (*yi, carry) = adc(*yi, *yi & double, carry);
                    (*di, borrow) = sbb(*yi, *mi, borrow);
                }
                // One pass: x = y or d, compared with 1 and -1 on the way.
                let take_d = mask(carry | (borrow ^ 1));
                let (mut not_one, mut not_minus_one) = (0, 0);
                for (((xi, yi), di), (one, minus_one)) in
                    x.0.iter_mut()
                        .zip(&y.0)
                        .zip(&d.0)
                        .zip(self.one.iter().zip(&self.minus_one))
                {
                    let v = *yi ^ (take_d & (*yi ^ *di));
                    *xi = v;
                    not_one |= v ^ one;
                    not_minus_one |= v ^ minus_one;
                }
                let k = (i * 64 + j) as u64;
                pass |= verdict(is_zero(not_one), is_zero(not_minus_one), k, s);
            }
        }
        pass == 1
    }

    /// The strong probable-prime (Miller-Rabin) test of m to the base whose Montgomery form is
    /// `base` (`base < m`).
    pub(crate) fn strong_test(&self, base: &[u64; L]) -> bool {
        let (e, s) = self.minus_one_and_twos();
        let t = s & 3;
        // x = e >> t (t in 0..4), by two masked shifts.
        let mut x = e;
        let mut y = Limbs::<L>::new();
        for (shift, bit) in [(1u32, 0u32), (2, 1)] {
            for i in 0..L {
                let next = if i + 1 < L { x.0[i + 1] } else { 0 };
                y.0[i] = (x.0[i] >> shift) | (next << (64 - shift));
            }
            assign_if(&mut x.0, &y.0, (t >> bit) & 1);
        }
        let aligned = s - t; // s rounded down to a multiple of 4

        // table[i] = base^i in Montgomery form.
        let mut table = [[0u64; L]; 16];
        table[0] = self.one;
        table[1] = *base;
        for i in 2..16 {
            let (done, rest) = table.split_at_mut(i);
            self.mul(&mut rest[0], &done[i - 1], base);
        }

        let mut acc = Limbs::<L>(self.one);
        let mut entry = Limbs::<L>::new();
        let mut pass = 0u64;
        for w in (0..16 * L).rev() {
            let c = (4 * w) as u64; // window covers bits c..c+4 of x
            for j in 1..=4u64 {
                self.sqr(&mut y.0, &acc.0);
                acc.0 = y.0;
                if j < 4 {
                    // Exact only when the window is zero, which holds whenever c + 4 - j <= aligned.
                    let p = c + 4 - j;
                    let valid = le(p, aligned);
                    self.check_masked(&mut pass, &acc.0, p + t, s, valid);
                }
            }
            let digit = (x.0[w / 16] >> (4 * (w % 16))) & 15;
            entry.0 = [0; L];
            for (i, row) in table.iter().enumerate() {
                let hit = mask(is_zero(digit ^ i as u64));
                for (out, v) in entry.0.iter_mut().zip(row) {
                    *out |= hit & v;
                }
            }
            self.mul(&mut y.0, &acc.0, &entry.0);
            acc.0 = y.0;
            self.check_masked(&mut pass, &acc.0, c + t, s, le(c, aligned));
        }
        // acc = base^(e >> t); t more squarings reach positions t - 1, ..., 1.
        for j in 1..4u64 {
            self.sqr(&mut y.0, &acc.0);
            acc.0 = y.0;
            let valid = le(j + 1, t); // k = t - j >= 1
            self.check_masked(&mut pass, &acc.0, t.wrapping_sub(j) & 0xff, s, valid);
        }
        table.zeroize();
        pass == 1
    }

    #[inline(always)]
    fn check_masked(&self, pass: &mut u64, x: &[u64; L], k: u64, s: u64, valid: u64) {
        let mut p = 0;
        self.check(&mut p, x, k, s);
        *pass |= p & valid;
    }

    /// `R^2 mod m` (by `64 L` doublings of `R mod m`): converts into Montgomery form.
    #[cfg(test)]
    pub(crate) fn r2(&self) -> Limbs<L> {
        let mut x = Limbs::<L>(self.one);
        for _ in 0..64 * L {
            self.double(&mut x.0);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{FixedMontyForm as MontyForm, FixedMontyParams as MontyParams};
    use crypto_bigint::{Odd, Uint};
    use proptest::prelude::*;

    fn to_uint<const L: usize>(x: &[u64; L]) -> Uint<L> {
        Uint::from_words(*x)
    }

    fn to_mont<const L: usize>(m: &Modulus<L>, a: &[u64; L]) -> [u64; L] {
        let mut out = [0; L];
        m.mul(&mut out, a, &m.r2().0);
        out
    }

    fn from_mont<const L: usize>(m: &Modulus<L>, a: &[u64; L]) -> [u64; L] {
        let mut one = [0; L];
        one[0] = 1;
        let mut out = [0; L];
        m.mul(&mut out, a, &one);
        out
    }

    /// A modulus from arbitrary limbs: odd, top bit set.
    fn modulus<const L: usize>(mut m: [u64; L]) -> [u64; L] {
        m[0] |= 1;
        m[L - 1] |= 1 << 63;
        m
    }

    /// `a mod m` (m > R / 2, so one subtraction).
    fn reduce<const L: usize>(a: [u64; L], m: &[u64; L]) -> [u64; L] {
        let mut d = [0; L];
        let borrow = sub(&mut d, &a, m);
        if borrow == 0 { d } else { a }
    }

    fn edge_values<const L: usize>(m: &[u64; L]) -> Vec<[u64; L]> {
        let mut one = [0; L];
        one[0] = 1;
        let minus_one = to_uint(m).wrapping_sub(&Uint::ONE).to_words();
        let minus_two = to_uint(m).wrapping_sub(&Uint::from_u64(2)).to_words();
        let mut top = [0; L];
        top[L - 1] = 1 << 63; // < m
        vec![[0; L], one, minus_one, minus_two, top]
    }

    fn check_mul<const L: usize>(m: [u64; L], a: [u64; L], b: [u64; L]) {
        let m = modulus(m);
        let modulus_ = Modulus::new(&m).unwrap();
        let params = MontyParams::new(Odd::new(to_uint(&m)).unwrap());
        let mut values = edge_values(&m);
        values.push(reduce(a, &m));
        values.push(reduce(b, &m));
        for x in &values {
            for y in &values {
                let mut out = [0; L];
                modulus_.mul(&mut out, &to_mont(&modulus_, x), &to_mont(&modulus_, y));
                let ours = from_mont(&modulus_, &out);
                let theirs = (MontyForm::new(&to_uint(x), &params)
                    * MontyForm::new(&to_uint(y), &params))
                .retrieve();
                assert_eq!(to_uint(&ours), theirs);
            }
        }
    }

    fn check_pow<const L: usize>(m: [u64; L], a: [u64; L]) {
        let m = modulus(m);
        let modulus_ = Modulus::new(&m).unwrap();
        let params = MontyParams::new(Odd::new(to_uint(&m)).unwrap());
        let mut values = edge_values(&m);
        values.push(reduce(a, &m));
        let mut exp = m;
        exp[0] ^= 1;
        for x in &values {
            // x^(m-1) by repeated squaring with our kernel, against crypto-bigint's pow.
            let xm = to_mont(&modulus_, x);
            let mut acc = *modulus_.one();
            for i in (0..64 * L).rev() {
                let mut t = [0; L];
                modulus_.mul(&mut t, &acc, &acc);
                acc = t;
                if (exp[i / 64] >> (i % 64)) & 1 == 1 {
                    modulus_.mul(&mut t, &acc, &xm);
                    acc = t;
                }
            }
            let theirs = MontyForm::new(&to_uint(x), &params)
                .pow(&to_uint(&exp))
                .retrieve();
            assert_eq!(to_uint(&from_mont(&modulus_, &acc)), theirs);
        }
    }

    /// Strong probable-prime test to base b, the textbook way (variable time, test only).
    fn reference_test<const L: usize>(m: &[u64; L], b: &Uint<L>) -> bool {
        let n = to_uint(m);
        let params = MontyParams::new(Odd::new(n).unwrap());
        let minus_one = n.wrapping_sub(&Uint::ONE);
        let s = minus_one.trailing_zeros_vartime();
        let d = minus_one.wrapping_shr_vartime(s);
        let mut x = MontyForm::new(b, &params).pow(&d).retrieve();
        if x == Uint::ONE || x == minus_one {
            return true;
        }
        for _ in 1..s {
            x = (MontyForm::new(&x, &params) * MontyForm::new(&x, &params)).retrieve();
            if x == minus_one {
                return true;
            }
        }
        false
    }

    fn check_tests<const L: usize>(m: [u64; L], base: [u64; L]) {
        let m = modulus(m);
        let modulus_ = Modulus::new(&m).unwrap();
        let two = {
            let mut two = [0; L];
            two[0] = 2;
            two
        };
        let b = reduce(base, &m);
        assert_eq!(modulus_.base_two_test(), reference_test(&m, &to_uint(&two)));
        assert_eq!(
            modulus_.strong_test(&to_mont(&modulus_, &two)),
            reference_test(&m, &to_uint(&two))
        );
        assert_eq!(
            modulus_.strong_test(&to_mont(&modulus_, &b)),
            reference_test(&m, &to_uint(&b))
        );
    }

    fn check_sqr<const L: usize>(m: [u64; L], a: [u64; L]) {
        let m = modulus(m);
        let md = Modulus::new(&m).unwrap();
        let mut values = edge_values(&m);
        values.push(reduce(a, &m));
        for x in &values {
            let (mut want, mut got) = ([0; L], [0; L]);
            md.mul(&mut want, x, x);
            md.sqr(&mut got, x);
            assert_eq!(got, want);
        }
    }

    fn time_ops<const L: usize>() {
        let mut m = [0x9e37_79b9_7f4a_7c15_u64; L];
        for (i, v) in m.iter_mut().enumerate() {
            *v = v.wrapping_mul(i as u64 + 3).rotate_left(i as u32);
        }
        let m = modulus(m);
        let md = Modulus::new(&m).unwrap();
        let mut x = reduce(m.map(|v| v.rotate_left(7)), &m);
        let n = 100_000 / L;
        type Op<const L: usize> = fn(&Modulus<L>, &mut [u64; L], &[u64; L]);
        let ops: [(&str, Op<L>); 2] = [
            ("mul", |md, y, x| md.mul(y, x, x)),
            ("sqr", |md, y, x| md.sqr(y, x)),
        ];
        let mut best = [u64::MAX; 2];
        for _ in 0..41 {
            for (k, (_, op)) in ops.iter().enumerate() {
                let t = std::time::Instant::now();
                for _ in 0..n {
                    let mut y = [0; L];
                    op(&md, &mut y, &x);
                    x = std::hint::black_box(y);
                }
                best[k] = best[k].min(t.elapsed().as_nanos() as u64 * 10 / n as u64);
            }
        }
        let mut per_bit = u64::MAX;
        for _ in 0..41 {
            let t = std::time::Instant::now();
            std::hint::black_box(md.base_two_test());
            per_bit = per_bit.min(t.elapsed().as_nanos() as u64 * 10 / (64 * L as u64));
        }
        eprintln!(
            "L={L}: base-2 test per bit {}.{}ns",
            per_bit / 10,
            per_bit % 10
        );
        let line: Vec<String> = ops
            .iter()
            .zip(best)
            .map(|((n, _), b)| format!("{n} {}.{}ns", b / 10, b % 10))
            .collect();
        eprintln!("L={L}: {}", line.join(", "));
    }

    #[test]
    #[ignore = "timing, by hand"]
    fn time_kernels() {
        time_ops::<16>();
        time_ops::<24>();
        time_ops::<32>();
    }

    macro_rules! props {
        ($name:ident, $l:literal) => {
            mod $name {
                use super::*;
                proptest! {
                    #![proptest_config(ProptestConfig::with_cases(24))]
                    #[test]
                    fn mul_matches_crypto_bigint(m in any::<[u64; $l]>(), a in any::<[u64; $l]>(), b in any::<[u64; $l]>()) {
                        check_mul(m, a, b);
                    }
                    #[test]
                    fn sqr_matches_mul(m in any::<[u64; $l]>(), a in any::<[u64; $l]>()) {
                        check_sqr(m, a);
                    }
                    #[test]
                    fn pow_matches_crypto_bigint(m in any::<[u64; $l]>(), a in any::<[u64; $l]>()) {
                        check_pow(m, a);
                    }
                    #[test]
                    fn strong_tests_match_the_textbook(m in any::<[u64; $l]>(), b in any::<[u64; $l]>()) {
                        check_tests(m, b);
                    }
                }
            }
        };
    }
    props!(l16, 16);
    props!(l24, 24);
    props!(l32, 32);

    #[test]
    fn edge_moduli() {
        // All ones, 2^(64L-1) + 1, and moduli whose m - 1 has many trailing zeros.
        let mut moduli = vec![[u64::MAX; 16], {
            let mut m = [0; 16];
            m[0] = 1;
            m[15] = 1 << 63;
            m
        }];
        for shift in [1, 2, 3, 4, 5, 63, 64, 65, 130, 1000] {
            let mut m = [0u64; 16];
            m[15] = 0xC000_0000_0000_0000;
            m[shift / 64] |= 1 << (shift % 64);
            m[0] |= 1;
            moduli.push(m);
        }
        for m in moduli {
            check_mul(m, [3; 16], [u64::MAX; 16]);
            check_pow(m, [5; 16]);
            check_tests(m, [7; 16]);
        }
    }

    #[test]
    fn primes_pass_and_known_composites_fail() {
        let mut rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(3);
        for _ in 0..3 {
            let p: Uint<16> =
                crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, 1024);
            let m = Modulus::new(p.as_words()).unwrap();
            assert!(m.base_two_test());
            for b in [3u64, 5, 1 << 40] {
                let mut base = [0u64; 16];
                base[0] = b;
                assert!(m.strong_test(&to_mont(&m, &base)));
            }
            // p * small is composite.
        }
    }

    /// Known answers: 2^1024 - 105 is the largest 1024-bit prime; 2^1024 - 1 is composite;
    /// the strong base-2 pseudoprime 3215031751 = 151 * 751 * 28351 scaled up does not
    /// matter here: the kernel needs a top bit, so the composite side uses products of primes.
    #[test]
    fn known_answers() {
        let mut p = [u64::MAX; 16];
        p[0] = u64::MAX - 104;
        let m = Modulus::new(&p).unwrap();
        assert!(m.base_two_test());
        let mut three = [0u64; 16];
        three[0] = 3;
        assert!(m.strong_test(&to_mont(&m, &three)));
        let m = Modulus::new(&[u64::MAX; 16]).unwrap();
        assert!(!m.base_two_test());
        assert!(!m.strong_test(&to_mont(&m, &three)));
        // Montgomery one and minus one.
        assert_eq!(from_mont(&m, m.one())[0], 1);
        // 3 * 5 = 15 in Montgomery form (modulus 2^1024 - 105).
        let m = Modulus::new(&p).unwrap();
        let mut five = [0u64; 16];
        five[0] = 5;
        let mut out = [0; 16];
        m.mul(&mut out, &to_mont(&m, &three), &to_mont(&m, &five));
        let mut fifteen = [0u64; 16];
        fifteen[0] = 15;
        assert_eq!(from_mont(&m, &out), fifteen);
        // (m - 1)^2 = 1.
        let mut minus_one = p;
        minus_one[0] -= 1;
        m.mul(&mut out, &to_mont(&m, &minus_one), &to_mont(&m, &minus_one));
        let mut one = [0u64; 16];
        one[0] = 1;
        assert_eq!(from_mont(&m, &out), one);
    }

    #[test]
    fn distance_bits_is_the_bit_length_of_the_difference() {
        let mut a = [0u64; 4];
        let mut b = [0u64; 4];
        assert_eq!(distance_bits(&a, &b), 0);
        a[3] = 1 << 10;
        assert_eq!(distance_bits(&a, &b), 203);
        assert_eq!(distance_bits(&b, &a), 203);
        b[0] = 1;
        a = [0; 4];
        assert_eq!(distance_bits(&a, &b), 1);
    }

    #[test]
    fn rejects_even_or_short_moduli() {
        assert!(Modulus::<2>::new(&[2, 1 << 63]).is_none());
        assert!(Modulus::<2>::new(&[3, 1 << 62]).is_none());
        assert!(Modulus::<2>::new(&[3, 1 << 63]).is_some());
    }
}
