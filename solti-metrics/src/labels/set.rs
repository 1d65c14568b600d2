//! Label tuples: the typed arguments of a recorder method together, how they find their series
//! (a dense index when every label has a fixed set of values, a key otherwise).

use core::hash::Hasher;

use crate::labels::key::KeyBuf;
use crate::labels::packed::{KeyMatch, KeySink, PackedKey};
use crate::labels::value::LabelValue;

/// The most slots a dense table may have; a label tuple with more combinations uses the map.
/// Tables are allocated a page of 256 slots at a time, as they are used.
pub const MAX_DENSE_SLOTS: usize = 1 << 20;

/// A tuple of label values, in the order the labels were declared, or a struct of named labels.
///
/// Implemented for tuples of up to twelve [`LabelValue`]s, which generated recorder methods
/// build from their typed arguments, and by `#[derive(LabelSet)]` for a struct whose fields are
/// the labels (see [`NamedLabels`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of labels",
    label = "not a tuple of label values or a struct deriving `LabelSet`",
    note = "a metric's labels are `#[metric(labels(method: Method, path))]`, each a `LabelValue`, or `#[metric(labels = Struct)]` for a struct with `#[derive(LabelSet)]`"
)]
pub trait LabelSet {
    /// The number of labels.
    const LEN: usize;

    /// The size of the dense table: the product of the labels' cardinalities when every label
    /// has a fixed set of values and the product is at most [`MAX_DENSE_SLOTS`], else `0`.
    const DENSE_SLOTS: usize;

    /// The number of values of each label ([`LabelValue::CARDINALITY`], `0` for a label
    /// without a fixed set), in declared order; empty when the type does not say.
    #[doc(hidden)]
    const CARDINALITIES: &'static [usize] = &[];

    /// The labels' slot in the dense table, or `None` when a value takes the map path.
    fn dense_index(&self) -> Option<usize>;

    /// The labels of dense slot `index`, the inverse of [`dense_index`](Self::dense_index).
    fn from_dense_index(index: usize) -> Option<Self>
    where
        Self: Sized;

    /// Feeds every value to `state`, in declared order: the hash of the labels' key.
    #[doc(hidden)]
    fn hash_key<H: Hasher>(&self, state: &mut H);

    /// Writes every value, in declared order, into `key`: the one way a key is written, as
    /// bytes ([`write_key`](Self::write_key)), packed, or compared with a stored key
    /// ([`key_matches`](Self::key_matches)); `false` when it does not fit there, or differs.
    #[doc(hidden)]
    fn push_key<K: KeySink>(&self, key: &mut K) -> bool;

    /// Appends every value to `key`, in declared order.
    #[doc(hidden)]
    #[inline]
    fn write_key(&self, key: &mut KeyBuf) {
        self.push_key(key);
    }

    /// Whether `key` holds exactly these values, as [`write_key`](Self::write_key) writes
    /// them.
    #[doc(hidden)]
    #[inline]
    fn key_matches(&self, key: &[u8]) -> bool {
        let mut stored = KeyMatch::new(key);
        self.push_key(&mut stored) && stored.is_done()
    }
}

/// The key of `labels` packed in a `u128` ([`PackedKey`]); `None` if it is longer than 15 bytes.
#[inline(always)]
pub(crate) fn packed_key<L: LabelSet + ?Sized>(labels: &L) -> Option<u128> {
    let mut packed = PackedKey::default();
    labels.push_key(&mut packed).then(|| packed.finish())
}

/// A struct whose fields are a metric's labels, named after the fields; implemented by
/// `#[derive(LabelSet)]`, and what `#[metric(labels = Struct)]` takes.
///
/// Two labels of the same type (a tenant and a route, both `&str`) are told apart by name at
/// the call site, so they cannot be swapped:
///
/// ```
/// use solti_metrics::{LabelSet, LabelValue, NamedLabels};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Method { Get, Post }
///
/// #[derive(LabelSet)]
/// struct Route<'a> {
///     tenant: &'a str,
///     route: &'a str,
///     method: Method,
/// }
///
/// assert_eq!(<Route<'_> as NamedLabels>::NAMES, ["tenant", "route", "method"]);
/// // A string field has an open set of values: no dense table.
/// assert_eq!(<Route<'_> as LabelSet>::DENSE_SLOTS, 0);
///
/// #[derive(LabelSet)]
/// struct Call { method: Method, cached: bool }
///
/// // Every field has a fixed set of values: a dense table, indexed as the tuple
/// // `(Method, bool)` would be.
/// assert_eq!(<Call as LabelSet>::DENSE_SLOTS, 4);
/// assert_eq!(Call { method: Method::Post, cached: true }.dense_index(), (Method::Post, true).dense_index());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a struct of named labels",
    label = "not a struct deriving `LabelSet`",
    note = "`#[metric(labels = ..)]` takes a struct with named fields and `#[derive(LabelSet)]`; or list the labels: `#[metric(labels(method: Method, path))]`"
)]
pub trait NamedLabels: LabelSet {
    /// The label names, one per field, in field order.
    const NAMES: &'static [&'static str];
}

/// The size of the dense table of labels with these cardinalities; see
/// [`LabelSet::DENSE_SLOTS`].
#[doc(hidden)]
pub const fn dense_slots(cardinalities: &[usize]) -> usize {
    let mut product: usize = 1;
    let mut i = 0;
    while i < cardinalities.len() {
        if cardinalities[i] == 0 {
            return 0;
        }
        product = match product.checked_mul(cardinalities[i]) {
            Some(p) if p <= MAX_DENSE_SLOTS => p,
            _ => return 0,
        };
        i += 1;
    }
    product
}

/// One label's step of a dense index: row-major, the last label varies fastest. `None` when
/// the value takes the map path. Tuples and derived label structs both compute their index as
/// a chain of these steps, from `0`.
#[doc(hidden)]
#[inline(always)]
pub fn dense_step<V: LabelValue>(index: usize, value: &V) -> Option<usize> {
    let value = value.label_index()?;
    if value >= V::CARDINALITY {
        return None;
    }
    Some(index * V::CARDINALITY + value)
}

/// The index of label `position`'s value in dense slot `index`, the inverse of
/// [`dense_step`]: the labels' `cardinalities` in order.
#[doc(hidden)]
pub fn dense_digit(index: usize, cardinalities: &[usize], position: usize) -> usize {
    let stride: usize = cardinalities.iter().skip(position + 1).product();
    let cardinality = cardinalities.get(position).copied().unwrap_or(1).max(1);
    index / stride.max(1) % cardinality
}

impl LabelSet for () {
    const LEN: usize = 0;
    const DENSE_SLOTS: usize = 1;

    #[inline]
    fn dense_index(&self) -> Option<usize> {
        Some(0)
    }

    fn from_dense_index(index: usize) -> Option<Self> {
        (index == 0).then_some(())
    }

    #[inline]
    fn push_key<K: KeySink>(&self, _: &mut K) -> bool {
        true
    }

    #[inline]
    fn hash_key<H: Hasher>(&self, _: &mut H) {}
}

macro_rules! label_tuples {
    ($( ($($name:ident $idx:tt),+) )*) => {$(
        impl<$($name: LabelValue),+> LabelSet for ($($name,)+) {
            const LEN: usize = [$($idx),+].len();
            const DENSE_SLOTS: usize = dense_slots(&[$($name::CARDINALITY),+]);
            const CARDINALITIES: &'static [usize] = &[$($name::CARDINALITY),+];

            #[inline]
            fn dense_index(&self) -> Option<usize> {
                if Self::DENSE_SLOTS == 0 {
                    return None;
                }
                let index = 0;
                $(let index = dense_step(index, &self.$idx)?;)+
                Some(index)
            }

            fn from_dense_index(index: usize) -> Option<Self> {
                if Self::DENSE_SLOTS == 0 || index >= Self::DENSE_SLOTS {
                    return None;
                }
                let cardinalities = [$($name::CARDINALITY),+];
                Some(($($name::from_label_index(dense_digit(index, &cardinalities, $idx))?,)+))
            }

            #[inline]
            fn hash_key<State: Hasher>(&self, state: &mut State) {
                $(self.$idx.hash_key(state);)+
            }

            #[inline(always)]
            fn push_key<Sink: KeySink>(&self, key: &mut Sink) -> bool {
                $(self.$idx.push_key(key))&&+
            }
        }
    )*};
}

label_tuples! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::key::{KeyValue, KeyValues};
    use crate::labels::packed::PACKED_MAX;

    #[test]
    fn small_types_are_dense() {
        assert_eq!(true.label_index(), Some(1));
        assert_eq!((-1i8).label_index(), Some(255));
        assert_eq!(<(bool, u8) as LabelSet>::DENSE_SLOTS, 512);
        assert_eq!((true, 3u8).dense_index(), Some(256 + 3));
    }

    #[test]
    fn open_or_huge_tuples_are_not_dense() {
        assert_eq!(<(bool, &str) as LabelSet>::DENSE_SLOTS, 0);
        assert_eq!((true, "x").dense_index(), None);
        assert_eq!(<(u16, u8) as LabelSet>::DENSE_SLOTS, 0, "2^24 slots exceed the limit");
        assert_eq!(<(u16, bool) as LabelSet>::DENSE_SLOTS, 1 << 17);
        assert_eq!((404u16, true).dense_index(), Some(404 * 2 + 1));
        assert_eq!((-1i16).label_index(), Some(65535));
    }

    #[test]
    fn dense_indices_round_trip() {
        for index in 0..<(bool, u8, bool) as LabelSet>::DENSE_SLOTS {
            let tuple = <(bool, u8, bool)>::from_dense_index(index).unwrap();
            assert_eq!(tuple.dense_index(), Some(index));
        }
        assert!(<(bool, u8)>::from_dense_index(512).is_none());
        assert!(<(bool, &str)>::from_dense_index(0).is_none());
        assert_eq!(bool::values().collect::<Vec<_>>(), [false, true]);
        assert_eq!(i8::values().count(), 256);
        assert_eq!(<&str>::values().count(), 0);
        assert_eq!(i16::from_label_index((-1i16).label_index().unwrap()), Some(-1));
    }

    #[test]
    fn keys_keep_order_and_integers() {
        let mut key = KeyBuf::default();
        (7u32, "b", false).write_key(&mut key);
        let values: Vec<_> = KeyValues(key.as_bytes()).collect();
        assert_eq!(values, [KeyValue::U64(7), KeyValue::Str(b"b"), KeyValue::Str(b"false")]);
    }

    /// The packed key of `labels` holds the bytes `KeyBuf` writes.
    fn agrees<L: LabelSet>(labels: L) {
        let mut key = KeyBuf::default();
        labels.write_key(&mut key);
        let bytes = key.as_bytes();
        let mut expected = [0; 16];
        if bytes.len() <= PACKED_MAX {
            expected[..bytes.len()].copy_from_slice(bytes);
            expected[15] = bytes.len() as u8;
            assert_eq!(packed_key(&labels), Some(u128::from_le_bytes(expected)), "{bytes:?}");
        } else {
            assert_eq!(packed_key(&labels), None, "{bytes:?}");
        }
        assert_eq!(PackedKey::of_bytes(bytes), packed_key(&labels));
        assert!(labels.key_matches(bytes), "{bytes:?}");
        assert!(bytes.is_empty() || !labels.key_matches(&bytes[..bytes.len() - 1]), "{bytes:?} cut");
    }

    #[test]
    fn packed_keys_hold_the_bytes_of_the_key() {
        let text: String = (0..200u8).map(|i| char::from(b'a' + i % 26)).collect();
        for a in 0..=20 {
            for b in [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 40, 118, 127, 128, 200] {
                agrees((&text[..a], &text[..b]));
                agrees((&text[..a], b as u64, -(b as i64)));
                agrees((b as u32, &text[..a]));
            }
            agrees((&text[..a],));
            agrees((&text[..a], u128::MAX));
            agrees((i128::MIN, &text[..a]));
        }
        agrees((u64::MAX,));
        agrees((i64::MIN, 3u16 as u64));
        agrees(("é", "ß\u{1f600}"));
    }
}
