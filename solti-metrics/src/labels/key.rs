//! The key of a series: its label values in declared order, as bytes. Strings are stored as
//! they are, integers as integers, so a record with an integer label neither formats nor
//! hashes a string; the exposition formats it.
//!
//! Each value is a tag byte and its payload: a string's length (LEB128) and bytes, or an
//! integer's little-endian bytes. Keys are compared byte for byte, so distinct tuples never
//! share a series (a string's length keeps `("ab", "c")` apart from `("a", "bc")`).

pub(crate) const STR: u8 = 0;
pub(crate) const U64: u8 = 1;
pub(crate) const I64: u8 = 2;
pub(crate) const U128: u8 = 3;
pub(crate) const I128: u8 = 4;

/// Keys up to this length are built on the stack.
const INLINE: usize = 120;

/// A key being built from a label tuple, on the stack unless it is long.
#[doc(hidden)]
pub struct KeyBuf {
    inline: [u8; INLINE],
    len: usize,
    // Used once the key outgrows `inline`, which then no longer counts.
    spilled: Vec<u8>,
}

impl Default for KeyBuf {
    fn default() -> Self {
        Self { inline: [0; INLINE], len: 0, spilled: Vec::new() }
    }
}

impl KeyBuf {
    fn extend(&mut self, bytes: &[u8]) {
        if !self.spilled.is_empty() {
            self.spilled.extend_from_slice(bytes);
        } else if let Some(free) = self.inline.get_mut(self.len..self.len + bytes.len()) {
            free.copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            self.spilled.reserve(self.len + bytes.len());
            self.spilled.extend_from_slice(&self.inline[..self.len]);
            self.spilled.extend_from_slice(bytes);
        }
    }

    /// Appends a string value.
    #[inline]
    pub fn push_str(&mut self, value: &str) {
        let mut header = [STR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut len = value.len();
        let mut used = 1;
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if let Some(slot) = header.get_mut(used) {
                *slot = if len == 0 { byte } else { byte | 0x80 };
            }
            used += 1;
            if len == 0 {
                break;
            }
        }
        self.extend(&header[..used.min(header.len())]);
        self.extend(value.as_bytes());
    }

    /// Appends an unsigned integer value.
    #[inline]
    pub fn push_u64(&mut self, value: u64) {
        let mut bytes = [U64; 9];
        bytes[1..].copy_from_slice(&value.to_le_bytes());
        self.extend(&bytes);
    }

    /// Appends a signed integer value.
    #[inline]
    pub fn push_i64(&mut self, value: i64) {
        let mut bytes = [I64; 9];
        bytes[1..].copy_from_slice(&value.to_le_bytes());
        self.extend(&bytes);
    }

    /// Appends a 128-bit unsigned integer value.
    pub fn push_u128(&mut self, value: u128) {
        let mut bytes = [U128; 17];
        bytes[1..].copy_from_slice(&value.to_le_bytes());
        self.extend(&bytes);
    }

    /// Appends a 128-bit signed integer value.
    pub fn push_i128(&mut self, value: i128) {
        let mut bytes = [I128; 17];
        bytes[1..].copy_from_slice(&value.to_le_bytes());
        self.extend(&bytes);
    }

    /// The key built so far.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        if self.spilled.is_empty() { &self.inline[..self.len] } else { &self.spilled }
    }
}

/// One label value read back from a key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum KeyValue<'a> {
    Str(&'a [u8]),
    U64(u64),
    I64(i64),
    U128(u128),
    I128(i128),
}

impl KeyValue<'_> {
    /// Calls `f` with the value as label text (integers formatted on the stack).
    pub(crate) fn with_text<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        let mut buffer = itoa::Buffer::new();
        match self {
            Self::Str(bytes) => f(bytes),
            Self::U64(value) => f(buffer.format(value).as_bytes()),
            Self::I64(value) => f(buffer.format(value).as_bytes()),
            Self::U128(value) => f(buffer.format(value).as_bytes()),
            Self::I128(value) => f(buffer.format(value).as_bytes()),
        }
    }
}

/// The values of a key, in declared order. A malformed key (never written by [`KeyBuf`]) ends
/// the iteration early instead of panicking.
pub(crate) struct KeyValues<'a>(pub(crate) &'a [u8]);

/// Whether the next value of `stored` is the string `value`, moving past it. Always inline:
/// out of line its call costs as much as the comparison.
#[inline(always)]
pub(crate) fn match_str(stored: &mut &[u8], value: &[u8]) -> bool {
    let len = value.len();
    if len >= 0x80 {
        return match_wide(stored, KeyValue::Str(value));
    }
    // The common case inline: a string shorter than 128 bytes is its tag, one length byte
    // and its bytes (a stored string of 128 bytes or more has the top bit of that byte set,
    // so it never equals `len`).
    match (stored.first(), stored.get(1), stored.get(2..2 + len)) {
        (Some(&STR), Some(&stored_len), Some(bytes)) if usize::from(stored_len) == len && same_bytes(bytes, value) => {
            *stored = stored.get(2 + len..).unwrap_or_default();
            true
        }
        _ => false,
    }
}

/// Whether the next value of `stored` is the integer `value` of the tag `tag`, moving past it.
#[inline]
fn match_word(stored: &mut &[u8], tag: u8, value: [u8; 8]) -> bool {
    match *stored {
        [first, rest @ ..] if *first == tag => match rest.split_first_chunk::<8>() {
            Some((bytes, rest)) if *bytes == value => {
                *stored = rest;
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// Whether the next value of `stored` is the unsigned integer `value`, moving past it.
#[inline]
pub(crate) fn match_u64(stored: &mut &[u8], value: u64) -> bool {
    match_word(stored, U64, value.to_le_bytes())
}

/// Whether the next value of `stored` is the signed integer `value`, moving past it.
#[inline]
pub(crate) fn match_i64(stored: &mut &[u8], value: i64) -> bool {
    match_word(stored, I64, value.to_le_bytes())
}

/// Whether the next value of `stored` is `value`, moving past it: the general case, out of
/// line (long strings, 128-bit integers).
#[cold]
#[inline(never)]
pub(crate) fn match_wide(stored: &mut &[u8], value: KeyValue<'_>) -> bool {
    let mut values = KeyValues(stored);
    let matched = values.next() == Some(value);
    *stored = values.0;
    matched
}

/// `a == b`, inline for the short strings label values mostly are: two overlapping word
/// compares instead of a call to `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        false
    } else if len > 16 {
        a == b
    } else if len >= 8 {
        a.first_chunk::<8>() == b.first_chunk::<8>() && a.last_chunk::<8>() == b.last_chunk::<8>()
    } else if len >= 4 {
        a.first_chunk::<4>() == b.first_chunk::<4>() && a.last_chunk::<4>() == b.last_chunk::<4>()
    } else {
        // One to three bytes: the first, the middle and the last cover them all.
        len == 0 || (a.first() == b.first() && a.get(len / 2) == b.get(len / 2) && a.last() == b.last())
    }
}

/// Feeds a string value to the hash of a tuple; what a key's string part hashes as. The
/// hasher (foldhash) mixes each write's length in, so `("ab", "c")` and `("a", "bc")` hash
/// apart; they would not share a series anyway, keys being compared whole.
#[inline]
pub(crate) fn hash_str(state: &mut impl core::hash::Hasher, value: &str) {
    state.write(value.as_bytes());
}

impl<'a> Iterator for KeyValues<'a> {
    type Item = KeyValue<'a>;

    fn next(&mut self) -> Option<KeyValue<'a>> {
        let (&tag, rest) = self.0.split_first()?;
        let (value, rest) = match tag {
            STR => {
                let mut len = 0usize;
                let mut shift = 0;
                let mut rest = rest;
                loop {
                    let (&byte, tail) = rest.split_first()?;
                    rest = tail;
                    len |= usize::from(byte & 0x7f).checked_shl(shift)?;
                    shift += 7;
                    if byte & 0x80 == 0 {
                        break;
                    }
                }
                let (bytes, rest) = rest.split_at_checked(len)?;
                (KeyValue::Str(bytes), rest)
            }
            U64 => {
                let (bytes, rest) = rest.split_first_chunk::<8>()?;
                (KeyValue::U64(u64::from_le_bytes(*bytes)), rest)
            }
            I64 => {
                let (bytes, rest) = rest.split_first_chunk::<8>()?;
                (KeyValue::I64(i64::from_le_bytes(*bytes)), rest)
            }
            U128 => {
                let (bytes, rest) = rest.split_first_chunk::<16>()?;
                (KeyValue::U128(u128::from_le_bytes(*bytes)), rest)
            }
            I128 => {
                let (bytes, rest) = rest.split_first_chunk::<16>()?;
                (KeyValue::I128(i128::from_le_bytes(*bytes)), rest)
            }
            _ => return None,
        };
        self.0 = rest;
        Some(value)
    }
}

/// The most labels a key holds: `LabelSet` is implemented for tuples up to this length, and
/// `#[derive(LabelSet)]` for structs of up to this many fields.
pub(crate) const MAX_LABELS: usize = 12;

/// The values of `key`, in declared order, in a fixed array (no allocation).
pub(crate) fn key_values(key: &[u8]) -> ([KeyValue<'_>; MAX_LABELS], usize) {
    let mut values = [KeyValue::Str(&[]); MAX_LABELS];
    let mut count = 0;
    for (slot, value) in values.iter_mut().zip(KeyValues(key)) {
        *slot = value;
        count += 1;
    }
    (values, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        let long = "x".repeat(300);
        let mut key = KeyBuf::default();
        key.push_str("ab");
        key.push_u64(404);
        key.push_i64(-3);
        key.push_str("");
        key.push_u128(u128::MAX);
        key.push_i128(i128::MIN);
        key.push_str(&long);
        let values: Vec<KeyValue<'_>> = KeyValues(key.as_bytes()).collect();
        assert_eq!(
            values,
            [
                KeyValue::Str(b"ab"),
                KeyValue::U64(404),
                KeyValue::I64(-3),
                KeyValue::Str(b""),
                KeyValue::U128(u128::MAX),
                KeyValue::I128(i128::MIN),
                KeyValue::Str(long.as_bytes()),
            ]
        );
        let texts: Vec<String> =
            values.iter().map(|value| value.with_text(|text| String::from_utf8_lossy(text).into_owned())).collect();
        assert_eq!(texts[1..3], ["404", "-3"]);
        assert_eq!(texts[5], i128::MIN.to_string());
    }

    #[test]
    fn split_strings_make_different_keys() {
        let key = |a: &str, b: &str| {
            let mut key = KeyBuf::default();
            key.push_str(a);
            key.push_str(b);
            key.as_bytes().to_vec()
        };
        assert_ne!(key("ab", "c"), key("a", "bc"));
        assert_eq!(key("ab", "c"), key("ab", "c"));
    }

    #[test]
    fn matching_moves_past_each_value() {
        let long = "y".repeat(200);
        let mut key = KeyBuf::default();
        key.push_str("ab");
        key.push_u64(7);
        key.push_i64(-7);
        key.push_str(&long);
        key.push_i128(-1);
        let mut stored = key.as_bytes();
        assert!(match_str(&mut stored, b"ab") && match_u64(&mut stored, 7) && match_i64(&mut stored, -7));
        assert!(match_str(&mut stored, long.as_bytes()) && match_wide(&mut stored, KeyValue::I128(-1)));
        assert!(stored.is_empty());
        for wrong in [&b"a"[..], b"abc", b"ba"] {
            let mut stored = key.as_bytes();
            assert!(!match_str(&mut stored, wrong));
        }
        let mut stored = &key.as_bytes()[4..];
        assert!(!match_u64(&mut stored, 8) && !match_i64(&mut stored, 7));
    }

    #[test]
    fn short_and_long_byte_strings_compare_exactly() {
        let values =
            ["", "a", "ab", "abc", "abcd", "abcde", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq"];
        for a in values {
            for b in values {
                assert_eq!(same_bytes(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
            for position in [0, a.len() / 2, a.len().saturating_sub(1)] {
                let mut changed = a.as_bytes().to_vec();
                if let Some(byte) = changed.get_mut(position) {
                    *byte ^= 1;
                    assert!(!same_bytes(a.as_bytes(), &changed), "{a:?} at {position}");
                }
            }
        }
    }

    #[test]
    fn malformed_keys_end_early() {
        assert_eq!(KeyValues(&[STR, 5, b'a']).count(), 0);
        assert_eq!(KeyValues(&[9]).count(), 0);
        assert_eq!(KeyValues(&[U64, 1, 2]).count(), 0);
        assert_eq!(KeyValues(&[STR, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).count(), 0);
    }
}
