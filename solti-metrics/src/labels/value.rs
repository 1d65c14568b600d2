//! Label values: how a typed argument of a recorder method becomes a label string and a
//! part of its series' key.

use core::fmt::Write as _;

use core::hash::Hasher;

use crate::labels::key;
use crate::labels::packed::KeySink;

/// A value that can be the value of a metric label.
///
/// A type with a fixed, known set of values (a fieldless enum, `bool`, `u8`) sets
/// [`CARDINALITY`](Self::CARDINALITY) and returns a dense index from
/// [`label_index`](Self::label_index): its series then live in a table indexed by that number,
/// and recording costs index arithmetic plus the metric's own atomic operation. Types with an
/// open set of values (strings, wide integers) keep the defaults and go through a map.
///
/// Derive it for fieldless enums with `#[derive(LabelValue)]`: each variant's label is its name
/// in snake_case, `#[label = ".."]` overrides it.
///
/// Implementing it by hand, keep `label_index` a one-to-one map between label strings and
/// indices: two values with the same `Some(index)` must have the same `label()`, and values
/// with different labels different indices (or `None`). The series of an index is created with
/// the label of the first value recorded there, so a map that sends two labels to one index
/// merges their series.
///
/// ```
/// use solti_metrics::LabelValue;
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Method { Get, Post, #[label = "DELETE"] Delete }
///
/// assert_eq!(Method::Post.label().as_str(), "post");
/// assert_eq!(Method::Delete.label().as_str(), "DELETE");
/// assert_eq!(<Method as LabelValue>::CARDINALITY, 3);
/// assert_eq!(Method::Delete.label_index(), Some(2));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a label value",
    label = "this type does not implement `LabelValue`",
    note = "label values are `&str`, `String`, `bool`, integers, or a fieldless enum with `#[derive(LabelValue)]`"
)]
pub trait LabelValue {
    /// The number of distinct values when the set is fixed and known; `0` when it is open.
    const CARDINALITY: usize = 0;

    /// The value's dense index in `0..CARDINALITY`, or `None` to take the map path (always
    /// `None` for open types; for a `#[non_exhaustive]` foreign enum, for the variants it does
    /// not know).
    #[inline]
    fn label_index(&self) -> Option<usize> {
        None
    }

    /// The label string of this value.
    fn label(&self) -> LabelStr<'_>;

    /// The value of dense index `index`, the inverse of [`label_index`](Self::label_index):
    /// what `#[metric(init)]` creates the series of. `None` by default, and past the values.
    fn from_label_index(index: usize) -> Option<Self>
    where
        Self: Sized,
    {
        let _ = index;
        None
    }

    /// Every value of a type with a fixed set of values, in the order of their indices; none
    /// for an open type.
    fn values() -> impl Iterator<Item = Self>
    where
        Self: Sized,
    {
        (0..Self::CARDINALITY).map_while(Self::from_label_index)
    }

    /// Feeds the value to the hash of its tuple.
    #[doc(hidden)]
    #[inline]
    fn hash_key<H: Hasher>(&self, state: &mut H) {
        key::hash_str(state, self.label().as_str());
    }

    /// Appends the value to the key of its series, being written as bytes or packed, or being
    /// compared with a stored one (the one way a key is written and read); `false` when it no
    /// longer fits, or differs. The default writes [`label`](Self::label); integers write
    /// themselves as integers, so they are hashed and compared without being formatted.
    #[doc(hidden)]
    #[inline]
    fn push_key<K: KeySink>(&self, key: &mut K) -> bool {
        key.push_str(self.label().as_str())
    }
}

/// The label string of a [`LabelValue`]: borrowed, or formatted inline without allocating.
#[derive(Clone, Copy)]
pub struct LabelStr<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Borrowed(&'a str),
    // Long enough for any integer type: `i128::MIN` is 40 characters.
    Inline { buf: [u8; 40], len: u8 },
}

impl<'a> LabelStr<'a> {
    /// A label string that borrows `value`.
    #[inline]
    pub const fn borrowed(value: &'a str) -> Self {
        Self(Repr::Borrowed(value))
    }

    /// The label string.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Borrowed(value) => value,
            // Only ever filled from `str` fragments by `InlineWriter`, so it is valid UTF-8; the
            // fallback keeps this free of `unsafe` and of panics.
            Repr::Inline { buf, len } => core::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or(""),
        }
    }

    fn display(value: impl core::fmt::Display) -> LabelStr<'static> {
        let mut writer = InlineWriter { buf: [0; 40], len: 0 };
        // An integer never exceeds the buffer; were it to, the value is cut, not a panic.
        let _ = write!(writer, "{value}");
        LabelStr(Repr::Inline { buf: writer.buf, len: writer.len })
    }
}

impl core::ops::Deref for LabelStr<'_> {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl core::fmt::Debug for LabelStr<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

struct InlineWriter {
    buf: [u8; 40],
    len: u8,
}

impl core::fmt::Write for InlineWriter {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let start = usize::from(self.len);
        let end = start + s.len();
        let slot = self.buf.get_mut(start..end).ok_or(core::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = u8::try_from(end).map_err(|_| core::fmt::Error)?;
        Ok(())
    }
}

// Strings hash and match their bytes directly, without a `LabelStr` in between.
macro_rules! string_labels {
    ($($ty:ty),*) => {$(
        impl LabelValue for $ty {
            #[inline]
            fn label(&self) -> LabelStr<'_> {
                LabelStr::borrowed(self)
            }

            #[inline]
            fn hash_key<H: Hasher>(&self, state: &mut H) {
                key::hash_str(state, self);
            }

            #[inline(always)]
            fn push_key<K: KeySink>(&self, key: &mut K) -> bool {
                key.push_str(self)
            }
        }
    )*};
}

string_labels!(&str, String, &String, std::borrow::Cow<'_, str>);

impl LabelValue for bool {
    const CARDINALITY: usize = 2;

    #[inline]
    fn label_index(&self) -> Option<usize> {
        Some(usize::from(*self))
    }

    fn from_label_index(index: usize) -> Option<Self> {
        [false, true].get(index).copied()
    }

    #[inline]
    fn label(&self) -> LabelStr<'_> {
        LabelStr::borrowed(if *self { "true" } else { "false" })
    }
}

// Integers of up to 16 bits have a fixed set of values: their series live in a dense table
// (allocated a page at a time, see `index/dense.rs`), found by the value itself.
macro_rules! small_integer_labels {
    ($($ty:ty => $unsigned:ty, $push:ident, $wide:ty, $hash:ident;)*) => {$(
        impl LabelValue for $ty {
            const CARDINALITY: usize = 1 << <$ty>::BITS;

            #[inline]
            fn label_index(&self) -> Option<usize> {
                Some(usize::from(*self as $unsigned))
            }

            fn from_label_index(index: usize) -> Option<Self> {
                <$unsigned>::try_from(index).ok().map(|value| value as $ty)
            }

            fn label(&self) -> LabelStr<'_> {
                LabelStr::display(self)
            }

            #[inline]
            fn hash_key<H: Hasher>(&self, state: &mut H) {
                state.$hash(<$wide>::from(*self));
            }

            #[inline]
            fn push_key<K: KeySink>(&self, key: &mut K) -> bool {
                key.$push(<$wide>::from(*self))
            }
        }
    )*};
}

small_integer_labels! {
    u8 => u8, push_u64, u64, write_u64;
    i8 => u8, push_i64, i64, write_i64;
    u16 => u16, push_u64, u64, write_u64;
    i16 => u16, push_i64, i64, write_i64;
}

macro_rules! open_integer_labels {
    ($($ty:ty => $push:ident, $wide:ty, $hash:ident;)*) => {$(
        impl LabelValue for $ty {
            fn label(&self) -> LabelStr<'_> {
                LabelStr::display(self)
            }

            #[inline]
            fn hash_key<H: Hasher>(&self, state: &mut H) {
                state.$hash(*self as $wide);
            }

            #[inline]
            fn push_key<K: KeySink>(&self, key: &mut K) -> bool {
                // Lossless: every type here fits its wide type.
                key.$push(*self as $wide)
            }
        }
    )*};
}

open_integer_labels! {
    u32 => push_u64, u64, write_u64;
    u64 => push_u64, u64, write_u64;
    usize => push_u64, u64, write_u64;
    u128 => push_u128, u128, write_u128;
    i32 => push_i64, i64, write_i64;
    i64 => push_i64, i64, write_i64;
    isize => push_i64, i64, write_i64;
    i128 => push_i128, i128, write_i128;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_format_inline() {
        assert_eq!(i128::MIN.label().as_str(), i128::MIN.to_string());
        assert_eq!(u128::MAX.label().as_str(), u128::MAX.to_string());
        assert_eq!(404u16.label().as_str(), "404");
        assert_eq!((-3i8).label().as_str(), "-3");
    }
}
