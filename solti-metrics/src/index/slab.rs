//! The open index's entries: an append-only vector of slots, each a series and its key, 24
//! bytes for an integer counter with a short key.
//!
//! The slots are allocated a bucket at a time ([`Buckets`]), all of them at once, so that a
//! slot needs no flag of its own: an entry is published by the vector's
//! length, stored with release once the slot is written and read with acquire before a slot is
//! read. A counter's or gauge's slot holds its series from the bucket's allocation on, at zero
//! (its atomics are all it is); a histogram's slot holds a `OnceLock` filled when its entry is
//! pushed, since a histogram allocates its cells ([`OpenSlot`]).
//!
//! A key of up to [`INLINE`] bytes is kept in the slot itself, in two words, its length in the
//! last byte; a longer one whole, in a vector of keys beside, the slot's first word naming it.
//! A lookup compares a short key as two words with the tuple's key packed in a `u128`
//! ([`PackedKey`]), and a long one value by value, as it is, where it is: bytes written to
//! memory out of the slot's words and read back at other offsets would wait on the processor's
//! store buffer at every comparison.

// `std`'s `OnceLock` in the model checks too (loom has none): a bucket is allocated once, under
// the writer lock, before any entry in it is published by the length, which loom sees.
use std::sync::OnceLock;

use crate::index::buckets::Buckets;
use crate::labels::LabelSet;
use crate::labels::packed::{PACKED_MAX, PackedKey};
use crate::series::OpenSlot;
use crate::sync::MutexGuard;
use crate::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The longest key kept in its slot; the last of the slot's 16 key bytes is its length, or
/// [`LONG`].
pub(crate) const INLINE: usize = PACKED_MAX;

// A key's length is read back through a mask of `INLINE` (no bounds check): every length up to
// it must pass the mask unchanged.
const _: () = assert!((INLINE + 1).is_power_of_two());

/// The last byte of a slot's key words for a key kept beside it: the low half of the first word
/// is its place there, the high half the lower half of the tuple's hash.
const LONG: u8 = u8::MAX;

/// Keys longer than [`INLINE`] bytes.
type LongKeys = boxcar::Vec<Box<[u8]>>;

/// One entry: its key and its series.
struct Slot<T> {
    key: [AtomicU64; 2],
    value: T,
}

pub(crate) struct Slab<T> {
    slots: Buckets<Slot<T>>,
    /// Entries pushed and whole.
    len: AtomicUsize,
    /// The keys longer than [`INLINE`], made with the first of them (a vector takes half a
    /// kilobyte before it holds anything).
    long: OnceLock<Box<LongKeys>>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Self { slots: Buckets::default(), len: AtomicUsize::new(0), long: OnceLock::new() }
    }
}

/// A published entry.
pub(crate) struct Entry<'a, T> {
    slot: &'a Slot<T>,
    long: &'a OnceLock<Box<LongKeys>>,
}

impl<T> Clone for Entry<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Entry<'_, T> {}

/// A series' key, copied out of its slot or borrowed.
pub(crate) enum Key<'a> {
    /// The slot's 16 key bytes: the key, zeros, its length.
    Copied([u8; INLINE + 1]),
    Borrowed(&'a [u8]),
}

/// An entry's key as its hash is made from ([`Entry::stored`]).
pub(crate) enum Stored {
    /// A key kept in its slot: the slot's two words, as [`PackedKey`] packs the tuple.
    Packed(u128),
    /// A key kept whole beside the slot: the lower half of its tuple's hash, kept in the slot.
    Long(u32),
}

impl core::ops::Deref for Key<'_> {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            Self::Copied(bytes) => &bytes[..usize::from(bytes[INLINE] & INLINE as u8)],
            Self::Borrowed(bytes) => bytes,
        }
    }
}

impl<'a, T> Entry<'a, T> {
    /// The slot's key words, as one number: a short key as [`PackedKey`] packs it.
    #[inline(always)]
    fn key_word(self) -> u128 {
        // Relaxed: written before the length that published the entry (see `Slab::get`).
        let low = u128::from(self.slot.key[0].load(Ordering::Relaxed));
        let high = u128::from(self.slot.key[1].load(Ordering::Relaxed));
        high << 64 | low
    }

    /// The key kept beside the slot, whose key words are `word`.
    #[cold]
    fn long_key(self, word: u128) -> &'a [u8] {
        let long = self.long.get().and_then(|keys| keys.get(word as u32 as usize));
        long.map_or(&[], |key| key)
    }

    /// The entry's key.
    pub(crate) fn key(self) -> Key<'a> {
        let word = self.key_word();
        if (word >> 120) as usize <= INLINE {
            return Key::Copied(word.to_le_bytes());
        }
        Key::Borrowed(self.long_key(word))
    }

    /// What the entry's hash is made from: its key packed, or, for a key kept beside the slot,
    /// the lower half of the hash kept with it.
    pub(crate) fn stored(self) -> Stored {
        let word = self.key_word();
        if (word >> 120) as usize <= INLINE {
            return Stored::Packed(word);
        }
        Stored::Long((word >> 32) as u32)
    }

    /// Whether the entry's key is that of `labels`, whose key packed is `packed` (`None` when
    /// it does not fit a slot): the record path's comparison. A short key is compared as two
    /// words, a long one value by value.
    #[inline(always)]
    pub(crate) fn matches<L: LabelSet>(self, labels: &L, packed: Option<u128>) -> bool {
        let word = self.key_word();
        if (word >> 120) as usize <= INLINE {
            return packed == Some(word);
        }
        // A long key is never the key of a tuple whose key fits a slot.
        packed.is_none() && self.matches_long(word, labels)
    }

    #[inline(never)]
    fn matches_long<L: LabelSet>(self, word: u128, labels: &L) -> bool {
        labels.key_matches(self.long_key(word))
    }

    /// What the slot holds.
    #[inline]
    pub(crate) fn value(self) -> &'a T {
        &self.slot.value
    }

    /// The entry's series.
    #[inline]
    pub(crate) fn series(self) -> Option<&'a T::Series>
    where
        T: OpenSlot,
    {
        self.slot.value.series()
    }
}

impl<T> Slab<T> {
    /// The entries pushed.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        // Acquire, pairing with `push`'s release: the slots below the length read whole.
        self.len.load(Ordering::Acquire)
    }

    /// Entry `id`, if it is pushed.
    #[inline(always)]
    pub(crate) fn get(&self, id: usize) -> Option<Entry<'_, T>> {
        if id >= self.len() {
            return None;
        }
        // The bucket was allocated before the entry was pushed: its `OnceLock` says so.
        let slot = self.slots.get(id)?;
        Some(Entry { slot, long: &self.long })
    }

    /// Pushes an entry of key `key`, whose tuple's hash is `hash` (a long key's slot keeps its
    /// lower half, which places the entry when a shard's table grows): `empty` makes each slot
    /// of a bucket allocated for it, `fill` finishes the entry's own before it is published.
    /// Pushes are made under the writer lock, which `_writer` shows; `None` past
    /// [`MAX_ENTRIES`](crate::index::buckets::MAX_ENTRIES).
    pub(crate) fn push(
        &self,
        _writer: &MutexGuard<'_, ()>,
        key: &[u8],
        hash: u64,
        empty: impl Fn() -> T,
        fill: impl FnOnce(&T),
    ) -> Option<usize> {
        // Relaxed: only pushes store it, and they are ordered by the writer lock.
        let id = self.len.load(Ordering::Relaxed);
        let slot =
            self.slots.get_or_allocate(id, || Slot { key: [AtomicU64::new(0), AtomicU64::new(0)], value: empty() })?;
        let word = match PackedKey::of_bytes(key) {
            Some(word) => word,
            None => {
                // Its place fits the low half: there are fewer long keys than entries.
                let at = self.long.get_or_init(Box::default).push(key.into());
                u128::from(LONG) << 120 | u128::from(hash as u32) << 32 | at as u32 as u128
            }
        };
        // Relaxed: published by the length below.
        slot.key[0].store(word as u64, Ordering::Relaxed);
        slot.key[1].store((word >> 64) as u64, Ordering::Relaxed);
        fill(&slot.value);
        // Release: publishes the slot's key and series (and its bucket) to whoever reads the
        // length with acquire (`len`, `get`).
        self.len.store(id + 1, Ordering::Release);
        Some(id)
    }

    /// Every entry with its number, in the order they were pushed.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, Entry<'_, T>)> {
        (0..self.len()).filter_map(move |id| Some((id, self.get(id)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_short_and_long() {
        let slab = Slab::<OnceLock<usize>>::default();
        let writer = crate::sync::Mutex::new(());
        let keys: Vec<Vec<u8>> =
            (0..400).map(|n| (0..n as u16 % 160).map(|b| (b as u8).wrapping_mul(n as u8) | 1).collect()).collect();
        for (n, key) in keys.iter().enumerate() {
            let guard = writer.lock().unwrap();
            // A hash whose halves differ: a long key's slot keeps the lower one.
            let hash = (n as u64) << 40 | 0x5000_0000 | n as u64;
            assert_eq!(slab.push(&guard, key, hash, OnceLock::new, |slot| slot.fill(|| n)), Some(n));
        }
        assert_eq!(slab.len(), keys.len());
        for (n, key) in keys.iter().enumerate() {
            let entry = slab.get(n).unwrap();
            assert_eq!(&*entry.key(), &key[..], "key {n}");
            assert_eq!(entry.value().get(), Some(&n));
            match entry.stored() {
                Stored::Packed(word) => assert_eq!(Some(word), PackedKey::of_bytes(key), "key {n}"),
                Stored::Long(short) => {
                    assert!(key.len() > INLINE);
                    assert_eq!(short, 0x5000_0000 | n as u32, "key {n}");
                }
            }
        }
        assert!(slab.get(keys.len()).is_none());
        assert_eq!(slab.iter().count(), keys.len());
        // The keys past the slot's room went beside it.
        assert_eq!(slab.long.get().is_some(), keys.iter().any(|key| key.len() > INLINE));
    }
}
