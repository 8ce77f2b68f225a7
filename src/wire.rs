//! RFC 4251 §5 wire types, read without allocating.
//!
//! | type     | encoding                                                                   |
//! |----------|----------------------------------------------------------------------------|
//! | `uint32` | 4 bytes, big-endian                                                        |
//! | `uint64` | 8 bytes, big-endian                                                        |
//! | `string` | `uint32` length, then that many bytes                                      |
//! | `mpint`  | a `string` holding a two's-complement big-endian integer, shortest form    |
//!
//! Every length is checked against the bytes that remain before it is used, and the reader only
//! hands out borrowed slices: nothing is ever allocated from a length read off the input.
//! Encoding (the other direction) is here too, for the few places that build a blob.

use crate::error::{Error, Result};

/// A cursor over a byte slice that reads RFC 4251 fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Current offset from the start of the buffer.
    pub(crate) const fn offset(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8]> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        match rest.get(..n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(Error::Truncated {
                field,
                offset: self.pos,
                needed: n,
                remaining: rest.len(),
            }),
        }
    }

    pub(crate) fn read_u8(&mut self, field: &'static str) -> Result<u8> {
        let b = self.take(1, field)?;
        Ok(b[0])
    }

    pub(crate) fn read_u32(&mut self, field: &'static str) -> Result<u32> {
        let b = self.take(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn read_u64(&mut self, field: &'static str) -> Result<u64> {
        let b = self.take(8, field)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A `string`: the length prefix is checked against what remains before anything else.
    pub(crate) fn read_string(&mut self, field: &'static str) -> Result<&'a [u8]> {
        let start = self.pos;
        let len = self.read_u32(field)?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        let remaining = self.remaining();
        if len > remaining {
            self.pos = start;
            return Err(Error::Truncated {
                field,
                offset: start,
                needed: len.saturating_add(4),
                remaining: remaining + 4,
            });
        }
        self.take(len, field)
    }

    /// A `string` that holds text: no NUL byte allowed (OpenSSH's `sshbuf_get_cstring`).
    pub(crate) fn read_cstring(&mut self, field: &'static str) -> Result<&'a [u8]> {
        let s = self.read_string(field)?;
        if s.contains(&0) {
            return Err(Error::NulInString { field });
        }
        Ok(s)
    }

    /// A positive `mpint` in canonical form; returns its magnitude (no leading zero byte).
    pub(crate) fn read_positive_mpint(&mut self, field: &'static str) -> Result<&'a [u8]> {
        let s = self.read_string(field)?;
        match s {
            [] => Err(Error::ZeroInteger { field }),
            [first, ..] if first & 0x80 != 0 => Err(Error::NegativeInteger { field }),
            [0] => Err(Error::NonCanonicalInteger { field }),
            [0, second, rest @ ..] => {
                if second & 0x80 == 0 {
                    Err(Error::NonCanonicalInteger { field })
                } else {
                    Ok(s.get(1..).unwrap_or(rest))
                }
            }
            _ => Ok(s),
        }
    }
}

/// Bits of a big-endian magnitude without leading zero bytes.
pub(crate) fn bit_len(magnitude: &[u8]) -> u32 {
    match magnitude.first() {
        None => 0,
        Some(&top) => {
            let bytes = u32::try_from(magnitude.len()).unwrap_or(u32::MAX / 8);
            (bytes - 1) * 8 + (8 - top.leading_zeros())
        }
    }
}

/// Compares two big-endian magnitudes without leading zero bytes.
pub(crate) fn cmp_magnitude(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Appends an RFC 4251 `string`.
pub(crate) fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s);
}

/// Appends an RFC 4251 `mpint` for a non-negative big-endian magnitude (leading zeros stripped,
/// a zero byte added when the top bit is set).
pub(crate) fn put_mpint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let first_nonzero = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let m = magnitude.get(first_nonzero..).unwrap_or_default();
    let pad = m.first().is_some_and(|b| b & 0x80 != 0);
    let len = m.len() + usize::from(pad);
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
    if pad {
        out.push(0);
    }
    out.extend_from_slice(m);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_length_is_checked_before_use() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 1, 2]);
        assert_eq!(
            r.read_string("x"),
            Err(Error::Truncated {
                field: "x",
                offset: 0,
                needed: 0xffff_ffff_usize + 4,
                remaining: 6
            })
        );
    }

    #[test]
    fn mpint_rules() {
        fn read(b: &[u8]) -> Result<&[u8]> {
            Reader::new(b).read_positive_mpint("n")
        }
        assert_eq!(read(&[0, 0, 0, 1, 0x7f]), Ok(&[0x7f][..]));
        assert_eq!(read(&[0, 0, 0, 2, 0, 0x80]), Ok(&[0x80][..]));
        assert_eq!(read(&[0, 0, 0, 0]), Err(Error::ZeroInteger { field: "n" }));
        assert_eq!(
            read(&[0, 0, 0, 1, 0x80]),
            Err(Error::NegativeInteger { field: "n" })
        );
        assert_eq!(
            read(&[0, 0, 0, 2, 0, 0x7f]),
            Err(Error::NonCanonicalInteger { field: "n" })
        );
        assert_eq!(
            read(&[0, 0, 0, 1, 0]),
            Err(Error::NonCanonicalInteger { field: "n" })
        );
    }

    #[test]
    fn mpint_encoding() {
        let mut v = Vec::new();
        put_mpint(&mut v, &[0, 0x80, 1]);
        assert_eq!(v, [0, 0, 0, 3, 0, 0x80, 1]);
        v.clear();
        put_mpint(&mut v, &[0x01, 0x00, 0x01]);
        assert_eq!(v, [0, 0, 0, 3, 1, 0, 1]);
    }

    #[test]
    fn bits() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0, 1]), 17);
    }
}
