//! A tuple's key written value by value into a [`KeySink`]: the bytes of [`KeyBuf`], a short
//! key packed in one `u128` ([`PackedKey`], as the open index keeps it in a slot's two words
//! and compares it with a tuple's), or a comparison with a stored key ([`KeyMatch`]).

use crate::labels::key::{self, I64, KeyBuf, KeyValue, STR, U64};

/// The longest key a [`PackedKey`] holds: 15 bytes, and its length in the 16th.
pub(crate) const PACKED_MAX: usize = 15;

/// What a tuple's key is written into, a value at a time: the bytes of [`KeyBuf`], a packed
/// key, or a comparison with a stored key. Each push says whether the key still fits (or still
/// matches).
#[doc(hidden)]
pub trait KeySink {
    /// Appends a string value.
    fn push_str(&mut self, value: &str) -> bool;
    /// Appends an unsigned integer value.
    fn push_u64(&mut self, value: u64) -> bool;
    /// Appends a signed integer value.
    fn push_i64(&mut self, value: i64) -> bool;
    /// Appends a 128-bit unsigned integer value (17 bytes: never packed).
    fn push_u128(&mut self, value: u128) -> bool;
    /// Appends a 128-bit signed integer value.
    fn push_i128(&mut self, value: i128) -> bool;
}

impl KeySink for KeyBuf {
    #[inline]
    fn push_str(&mut self, value: &str) -> bool {
        KeyBuf::push_str(self, value);
        true
    }

    #[inline]
    fn push_u64(&mut self, value: u64) -> bool {
        KeyBuf::push_u64(self, value);
        true
    }

    #[inline]
    fn push_i64(&mut self, value: i64) -> bool {
        KeyBuf::push_i64(self, value);
        true
    }

    fn push_u128(&mut self, value: u128) -> bool {
        KeyBuf::push_u128(self, value);
        true
    }

    fn push_i128(&mut self, value: i128) -> bool {
        KeyBuf::push_i128(self, value);
        true
    }
}

/// The bytes of `bytes` (at most 16) as a little-endian number.
#[inline(always)]
fn low_bytes(bytes: &[u8]) -> u128 {
    let len = bytes.len();
    // Two reads that overlap in the middle: the bytes they share are the same bytes at the
    // same place, so or-ing them is exact.
    if let (Some(first), Some(last)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        u128::from(u64::from_le_bytes(*first)) | u128::from(u64::from_le_bytes(*last)) << (8 * (len - 8))
    } else if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        u128::from(u64::from(u32::from_le_bytes(*first)) | u64::from(u32::from_le_bytes(*last)) << (8 * (len - 4)))
    } else {
        match *bytes {
            [] => 0,
            [a] => u128::from(a),
            [a, b] => u128::from(a) | u128::from(b) << 8,
            [a, b, c, ..] => u128::from(a) | u128::from(b) << 8 | u128::from(c) << 16,
        }
    }
}

/// A key of at most [`PACKED_MAX`] bytes in a `u128`, its length in the top byte: as a slot of
/// the open index keeps a short key.
#[doc(hidden)]
#[derive(Default)]
pub struct PackedKey {
    bits: u128,
    len: usize,
}

impl PackedKey {
    /// The key written into it, with its length in the top byte.
    #[inline(always)]
    pub(crate) fn finish(&self) -> u128 {
        self.bits | (self.len as u128) << 120
    }

    /// The key `bytes` packed, if it is no longer than [`PACKED_MAX`].
    pub(crate) fn of_bytes(bytes: &[u8]) -> Option<u128> {
        let mut packed = [0; 16];
        packed.get_mut(..bytes.len()).filter(|_| bytes.len() <= PACKED_MAX)?.copy_from_slice(bytes);
        packed[15] = bytes.len() as u8;
        Some(u128::from_le_bytes(packed))
    }

    /// Appends `len` bytes, `bits` (a little-endian number), if they fit.
    #[inline(always)]
    fn push(&mut self, bits: u128, len: usize) -> bool {
        if self.len + len > PACKED_MAX {
            return false;
        }
        self.bits |= bits << (8 * self.len);
        self.len += len;
        true
    }
}

impl KeySink for PackedKey {
    #[inline(always)]
    fn push_str(&mut self, value: &str) -> bool {
        let len = value.len();
        // A length below 128 is one byte of LEB128, and a longer string never fits.
        len < PACKED_MAX && self.push(u128::from(STR) | (len as u128) << 8 | low_bytes(value.as_bytes()) << 16, 2 + len)
    }

    #[inline(always)]
    fn push_u64(&mut self, value: u64) -> bool {
        self.push(u128::from(U64) | u128::from(value) << 8, 9)
    }

    #[inline(always)]
    fn push_i64(&mut self, value: i64) -> bool {
        self.push(u128::from(I64) | u128::from(value as u64) << 8, 9)
    }

    #[inline(always)]
    fn push_u128(&mut self, _: u128) -> bool {
        false
    }

    #[inline(always)]
    fn push_i128(&mut self, _: i128) -> bool {
        false
    }
}

/// Compares a tuple's values, as its key writes them, with a stored key, moving past each
/// value that matches: [`LabelSet::key_matches`](crate::LabelSet::key_matches), driven by the
/// same `push_key` that wrote the key.
pub(crate) struct KeyMatch<'a>(&'a [u8]);

impl<'a> KeyMatch<'a> {
    pub(crate) fn new(stored: &'a [u8]) -> Self {
        Self(stored)
    }

    /// Whether every byte of the stored key was matched.
    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.0.is_empty()
    }
}

impl KeySink for KeyMatch<'_> {
    #[inline(always)]
    fn push_str(&mut self, value: &str) -> bool {
        key::match_str(&mut self.0, value.as_bytes())
    }

    #[inline(always)]
    fn push_u64(&mut self, value: u64) -> bool {
        key::match_u64(&mut self.0, value)
    }

    #[inline(always)]
    fn push_i64(&mut self, value: i64) -> bool {
        key::match_i64(&mut self.0, value)
    }

    fn push_u128(&mut self, value: u128) -> bool {
        key::match_wide(&mut self.0, KeyValue::U128(value))
    }

    fn push_i128(&mut self, value: i128) -> bool {
        key::match_wide(&mut self.0, KeyValue::I128(value))
    }
}
