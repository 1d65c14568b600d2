//! The series of open label tuples (strings, wide integers): an append-only vector of
//! `(key, series)` entries ([`Slab`]) and a sharded hash index from a key to its entry.
//!
//! Entries never move and live as long as the family, so a record borrows the series it finds
//! (no reference count to touch). A lookup first reads its slot of a small cache of recently
//! found entries, without a lock; on a miss it probes the index, [`Sharded`], holding one
//! shard's read lock (a shard holds entry numbers, 4 bytes each; growing a shard's table reads
//! the key of each of its entries to place it again, under a millisecond for a 64th of
//! 1,000,000 series). New series are created under one writer lock, which keeps `max_series`
//! exact; lookups never take it.

use std::sync::PoisonError;

use crate::sync::Mutex;
use crate::sync::atomic::{AtomicU64, Ordering};

use crate::index::buckets::MAX_ENTRIES;
use crate::index::life::{CreatedRuns, now};
use crate::index::sharded::Sharded;
use crate::index::slab::{Entry, Slab, Stored};
use crate::labels::LabelSet;
use crate::labels::key::KeyBuf;
use crate::labels::packed_key;
use crate::series::{OpenSlot, Shape};

// A shard holds entry numbers, 4 bytes each. Growing its table reads each entry's slot to place
// it again: a key kept in its slot is its own hash's input (a tuple whose key fits a slot is
// hashed from the key packed, [`Probe`]), and a longer key's slot keeps the lower half of its
// tuple's hash, which is all the table's hash is made from.

/// The lower half of a tuple's hash, which the recently-found cache keeps; the top bits picked
/// its shard.
#[inline]
fn short_hash(hash: u64) -> u32 {
    hash as u32
}

/// The hash the shard's table places an entry by, made from the lower half of the tuple's hash
/// (spread over 64 bits by a multiplication with an odd constant, so that the table's low and
/// top bits vary: the top bits of the tuple's hash are the same for every entry of a shard).
#[inline]
fn table_hash(hash: u64) -> u64 {
    u64::from(short_hash(hash)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// What a lookup knows of its tuple: its hash and, when its key fits a slot, the key packed
/// ([`PackedKey`]), which the hash is made from.
#[derive(Clone, Copy)]
pub(crate) struct Probe {
    hash: u64,
    packed: Option<u128>,
}

/// The open series of a family whose series are kept in slots `T` ([`OpenSlot`]).
pub(crate) struct OpenIndex<T> {
    shards: Sharded<u32>,
    entries: Slab<T>,
    /// What the slots are built with.
    shape: Shape,
    writer: Mutex<()>,
    /// Recently found entries, by hash: `(short hash << 32) | (entry number + 1)`, 0 for none.
    /// A hit skips the shard's lock. Any value read is only a guess: the entry it names is
    /// compared with the tuple like any other, so a stale or overwritten slot costs a lookup,
    /// never a wrong series.
    recent: Box<[AtomicU64]>,
    /// When each entry was created, by entry number.
    created: CreatedRuns,
}

/// Slots of the recently-found cache (a power of two).
#[cfg(not(solti_loom))]
const RECENT: usize = 64;

/// Two slots under the model checker, so that tuples share a slot and overwrite each other's
/// guesses.
#[cfg(solti_loom)]
const RECENT: usize = 2;

impl<T: OpenSlot> OpenIndex<T> {
    /// An empty index, whose series are built with `shape`.
    pub(crate) fn new(shape: Shape) -> Self {
        Self {
            shards: Sharded::default(),
            entries: Slab::default(),
            shape,
            writer: Mutex::new(()),
            recent: (0..RECENT).map(|_| AtomicU64::new(0)).collect(),
            created: CreatedRuns::default(),
        }
    }

    /// What a lookup of `labels` needs: the key packed when it fits a slot, hashed as one
    /// number; otherwise the hash of the typed values (no key is built).
    #[inline(always)]
    pub(crate) fn probe<L: LabelSet>(&self, labels: &L) -> Probe {
        let packed = packed_key(labels);
        let hash = match packed {
            Some(packed) => self.shards.hash_packed(packed),
            None => self.shards.hash(labels),
        };
        Probe { hash, packed }
    }

    /// The hash of entry `id` as the shard's table places it ([`table_hash`]), to place it
    /// again when the table grows: made from the key packed, as [`probe`](Self::probe) made it,
    /// or from the lower half of the tuple's hash a long key's slot keeps.
    fn rehash(&self, id: u32) -> u64 {
        let hash = match self.entries.get(id as usize).map(Entry::stored) {
            Some(Stored::Packed(packed)) => self.shards.hash_packed(packed),
            Some(Stored::Long(short)) => u64::from(short),
            // Never: an entry is published before its number goes into a table.
            None => 0,
        };
        table_hash(hash)
    }

    /// The series of `labels` (whose probe is `probe`), if it has one.
    // Always inlined into the record path, as it was while it was smaller: a call costs its
    // own lookup about 16 instructions of saved registers.
    #[inline(always)]
    pub(crate) fn find<L: LabelSet>(&self, probe: Probe, labels: &L) -> Option<&T::Series> {
        let Probe { hash, packed } = probe;
        let short = short_hash(hash);
        // Bits of the hash that neither the shard (the top ones) nor the short hash use.
        let recent = &self.recent[(hash >> 32) as usize % RECENT];
        // Relaxed: the slot publishes nothing. The entry it names is read through the slab,
        // which publishes an entry itself (`get` is `None` until the entry is whole), and is
        // compared with the tuple before it is used; a stale or overwritten value
        // costs a lookup in the shard, never a wrong series.
        let guess = recent.load(Ordering::Relaxed);
        if (guess >> 32) as u32 == short && guess as u32 != 0 {
            // An entry is readable only once the slab has published it: `get` says `None`
            // before, and the lookup below takes over.
            if let Some(entry) = self.entries.get((guess as u32 - 1) as usize) {
                if entry.matches(labels, packed) {
                    return entry.series();
                }
            }
        }
        self.find_in_shard(probe, labels, recent)
    }

    #[inline(never)]
    fn find_in_shard<L: LabelSet>(&self, probe: Probe, labels: &L, recent: &AtomicU64) -> Option<&T::Series> {
        let table = self.shards.read(probe.hash);
        let mut found = None;
        table.find(table_hash(probe.hash), |&id| match self.entries.get(id as usize) {
            Some(entry) if entry.matches(labels, probe.packed) => {
                found = Some((id, entry.value()));
                true
            }
            _ => false,
        });
        drop(table);
        let (id, slot) = found?;
        // Relaxed, as the load in `find`: whoever reads it checks it.
        recent.store(u64::from(short_hash(probe.hash)) << 32 | u64::from(id + 1), Ordering::Relaxed);
        slot.series()
    }

    /// The series of `labels`, created with `new` unless it exists (or its slot holds it from
    /// the start, [`OpenSlot`]); `None` when the index holds `limit` series already.
    pub(crate) fn find_or_create<L: LabelSet>(
        &self,
        probe: Probe,
        labels: &L,
        limit: usize,
        new: impl FnOnce() -> T::Series,
    ) -> Option<&T::Series> {
        // The writer lock orders creators: the second of two creating one tuple finds the
        // first one's entry below, and the count checked against `limit` cannot change before
        // this creator pushes.
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // Another writer may have created it since the caller looked.
        if let Some(series) = self.find(probe, labels) {
            return Some(series);
        }
        if self.len() >= limit.min(MAX_ENTRIES) {
            return None;
        }
        // Written by `push_key`, as a lookup packs and compares it.
        let mut key = KeyBuf::default();
        labels.push_key(&mut key);
        // Noted before the entry is pushed: a scrape that finds the entry finds its time.
        // The number it will get: entries are pushed under the writer lock alone.
        self.created.note(self.entries.len() as u32, now());
        let shape = self.shape;
        // Entry numbers fit in a `u32` (plus one, in the recently-found cache): the length was
        // checked against `MAX_ENTRIES` above, under the writer lock.
        let id = self.entries.push(&writer, key.as_bytes(), probe.hash, || T::empty(shape), |slot| slot.fill(new))?;
        let mut table = self.shards.write(probe.hash);
        table.insert_unique(table_hash(probe.hash), id as u32, |&id| self.rehash(id));
        drop(table);
        drop(writer);
        self.entries.get(id)?.series()
    }

    /// The number of series.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry numbered `id`.
    pub(crate) fn get(&self, id: usize) -> Option<Entry<'_, T>> {
        self.entries.get(id)
    }

    /// When the entries were created: read with [`created_in`](crate::index::life::created_in).
    pub(crate) fn created(&self) -> &CreatedRuns {
        &self.created
    }

    /// Every entry with its number, in the order they were created.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, Entry<'_, T>)> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    #[test]
    fn finds_what_it_inserted_across_growth() {
        let index = OpenIndex::<OnceLock<u64>>::new(Shape::default());
        // Keys of 11 to 50 bytes: some kept in their slot, some beside it, each placed again
        // from its key as the shards' tables grow.
        let keys: Vec<(String, u32)> = (0..5_000u32).map(|i| ("k".repeat(i as usize % 40), i)).collect();
        for (n, (text, i)) in keys.iter().enumerate() {
            let labels = (text.as_str(), *i);
            let probe = index.probe(&labels);
            assert!(index.find(probe, &labels).is_none());
            assert_eq!(index.find_or_create(probe, &labels, usize::MAX, || n as u64), Some(&(n as u64)));
        }
        for (n, (text, i)) in keys.iter().enumerate() {
            let labels = (text.as_str(), *i);
            assert_eq!(index.find(index.probe(&labels), &labels), Some(&(n as u64)));
            let found = index.find_or_create(index.probe(&labels), &labels, 0, || 0);
            assert_eq!(found, Some(&(n as u64)), "found before the limit");
        }
        assert!(index.find(index.probe(&("k", 7u32)), &("k", 7u32)).is_none(), "a value of another tuple");
        assert_eq!(index.len(), keys.len());
        assert_eq!(index.iter().count(), keys.len());
    }

    /// A label value that hashes itself its own way (`hash_key` is not what its key's bytes
    /// would give): its long keys are still found after the shards' tables grow, placed again by
    /// the half hash their slots keep.
    #[test]
    fn long_keys_hashed_their_own_way_are_found_across_growth() {
        struct Tenant(String);

        impl crate::LabelValue for Tenant {
            fn label(&self) -> crate::LabelStr<'_> {
                crate::LabelStr::borrowed(&self.0)
            }

            fn hash_key<H: core::hash::Hasher>(&self, state: &mut H) {
                core::hash::Hash::hash(&self.0, state);
            }
        }

        let index = OpenIndex::<OnceLock<u64>>::new(Shape::default());
        let tenant = |n: usize| (Tenant(format!("tenant-with-a-long-name-{n:06}")),);
        for n in 0..20_000 {
            let labels = tenant(n);
            let made = index.find_or_create(index.probe(&labels), &labels, usize::MAX, || n as u64);
            assert_eq!(made, Some(&(n as u64)));
        }
        for n in 0..20_000 {
            let labels = tenant(n);
            assert_eq!(index.find(index.probe(&labels), &labels), Some(&(n as u64)), "{}", labels.0.0);
        }
        assert_eq!(index.len(), 20_000);
    }

    #[test]
    fn the_limit_is_exact() {
        let index = OpenIndex::<OnceLock<u64>>::new(Shape::default());
        for i in 0..10u64 {
            let labels = (i,);
            let inserted = index.find_or_create(index.probe(&labels), &labels, 4, || i).is_some();
            assert_eq!(inserted, i < 4);
        }
        assert_eq!(index.len(), 4);
    }
}

/// Model checks of the open index (run as `series/loom.rs` says): creation racing creation and
/// lookups, with the recently-found cache's guesses overwritten between them, and lookups
/// while a shard's table grows.
///
/// What loom sees: the writer lock, the shards' `RwLock`s, the recently-found slots, the
/// creation times' lock, and the slab's length (which publishes an entry) and key words. What it
/// does not: the `OnceLock`s of the slab's buckets and of the series these models use (each
/// set before the length publishes what it holds) and `hashbrown`'s table, behind the shard
/// locks; loom runs each of their operations as one step between its own (a table that grows
/// reads the slab's length and key words within that step, under the shard's write lock).
#[cfg(all(test, solti_loom))]
mod loom_models {
    use ::loom::sync::Arc;
    use ::loom::thread;

    use std::sync::OnceLock;

    use super::OpenIndex;
    use crate::series::Shape;

    /// Series are numbered by the tuple they were made for, so a lookup can tell whose it got.
    fn tuple(n: u64) -> (u64,) {
        (n,)
    }

    /// Two tuples sharing a recently-found slot but not their short hash: each overwrites the
    /// other's guess.
    fn sharing_a_slot(index: &OpenIndex<OnceLock<u64>>) -> (u64, u64) {
        let first = 0;
        let slot = |n: u64| (index.probe(&tuple(n)).hash >> 32) as usize % super::RECENT;
        let short = |n: u64| super::short_hash(index.probe(&tuple(n)).hash);
        let second = (1..).find(|&n| slot(n) == slot(first) && short(n) != short(first)).unwrap();
        (first, second)
    }

    /// Two tuples with one short hash and one recently-found slot: only their keys tell them
    /// apart, in the cache and in the shard. Found once, among about 800,000 tuples, with the
    /// fixed hasher the index has under the model checker (what `OpenIndex::probe` computes).
    fn colliding() -> (u64, u64) {
        static FOUND: std::sync::OnceLock<(u64, u64)> = std::sync::OnceLock::new();
        *FOUND.get_or_init(|| {
            // As `OpenIndex::probe` hashes a tuple whose key fits a slot.
            let hash = |n: u64| {
                let packed = crate::labels::packed_key(&tuple(n)).unwrap();
                let hasher = core::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default();
                crate::index::sharded::hash_packed(&hasher, packed)
            };
            let mut seen = std::collections::HashMap::new();
            (0..)
                .find_map(|n| {
                    let hash = hash(n);
                    let place = (super::short_hash(hash), (hash >> 32) as usize % super::RECENT, hash >> 58);
                    seen.insert(place, n).map(|earlier| (earlier, n))
                })
                .unwrap()
        })
    }

    /// Two creators of one tuple and a creator of another: the first tuple gets one series,
    /// which both its creators are handed; the other gets its own. Dropping the second lookup
    /// under the writer lock fails this model.
    #[test]
    fn loom_creators_of_one_tuple_share_one_series() {
        ::loom::model(|| {
            let index = Arc::new(OpenIndex::<OnceLock<u64>>::new(Shape::default()));
            let (a, b) = sharing_a_slot(&index);
            let create = |n: u64, made: u64| {
                let index = Arc::clone(&index);
                thread::spawn(move || {
                    let labels = tuple(n);
                    *index.find_or_create(index.probe(&labels), &labels, usize::MAX, || made).unwrap()
                })
            };
            let (first, other) = (create(a, 100), create(b, 200));
            let labels = tuple(a);
            let mine = *index.find_or_create(index.probe(&labels), &labels, usize::MAX, || 101).unwrap();
            let theirs = first.join().unwrap();
            assert_eq!(mine, theirs, "two series for one tuple");
            assert!(mine == 100 || mine == 101);
            assert_eq!(other.join().unwrap(), 200);
            assert_eq!(index.len(), 2);
        });
    }

    /// A lookup racing the creation of its tuple and of a tuple that overwrites its guess (one
    /// with the same short hash, in the same shard) finds nothing or its own series, never the
    /// other's. Taking a guess without comparing its key fails this model.
    #[test]
    fn loom_a_lookup_finds_its_own_series_or_none() {
        let (a, b) = colliding();
        ::loom::model(move || {
            let index = Arc::new(OpenIndex::<OnceLock<u64>>::new(Shape::default()));
            assert_eq!(index.probe(&tuple(a)).hash as u32, index.probe(&tuple(b)).hash as u32, "the tuples collide");
            let creator = {
                let index = Arc::clone(&index);
                thread::spawn(move || {
                    for (n, made) in [(a, 1), (b, 2)] {
                        let labels = tuple(n);
                        index.find_or_create(index.probe(&labels), &labels, usize::MAX, || made);
                    }
                })
            };
            for _ in 0..2 {
                for (n, own) in [(a, 1), (b, 2)] {
                    let labels = tuple(n);
                    if let Some(&found) = index.find(index.probe(&labels), &labels) {
                        assert_eq!(found, own, "tuple {n} found another tuple's series");
                    }
                }
            }
            creator.join().unwrap();
            for (n, own) in [(a, 1), (b, 2)] {
                let labels = tuple(n);
                assert_eq!(index.find(index.probe(&labels), &labels), Some(&own), "tuple {n} lost");
            }
        });
    }

    /// A reader of the entries, as a scrape reads them (its key rendered, its series read,
    /// nothing compared), racing the creation of one: it finds none, or the entry with its
    /// whole key and series. Publishing the slab's length with a relaxed store instead of
    /// release fails this model. (The reader is the spawned thread: loom explores the other
    /// order too, which it does not when the main thread reads.)
    #[test]
    fn loom_a_new_entry_is_read_with_its_key() {
        ::loom::model(|| {
            let index = Arc::new(OpenIndex::<OnceLock<u64>>::new(Shape::default()));
            let reader = {
                let index = Arc::clone(&index);
                thread::spawn(move || {
                    use crate::labels::LabelSet as _;
                    let mut expected = crate::labels::key::KeyBuf::default();
                    tuple(7).write_key(&mut expected);
                    for (_, entry) in index.iter() {
                        assert_eq!(&*entry.key(), expected.as_bytes(), "an entry read before its key");
                        assert_eq!(entry.series(), Some(&7));
                    }
                })
            };
            let labels = tuple(7);
            index.find_or_create(index.probe(&labels), &labels, usize::MAX, || 7);
            reader.join().unwrap();
        });
    }

    /// Creators of two tuples at a limit of one series: exactly one is created.
    ///
    /// Checking the count before taking the writer lock fails this model: both creators then
    /// read a count of zero.
    #[test]
    fn loom_the_limit_holds_under_racing_creators() {
        ::loom::model(|| {
            let index = Arc::new(OpenIndex::<OnceLock<u64>>::new(Shape::default()));
            let other = {
                let index = Arc::clone(&index);
                thread::spawn(move || {
                    let labels = tuple(1);
                    index.find_or_create(index.probe(&labels), &labels, 1, || 1).is_some()
                })
            };
            let labels = tuple(2);
            let mine = index.find_or_create(index.probe(&labels), &labels, 1, || 2).is_some();
            let theirs = other.join().unwrap();
            assert!(mine != theirs, "created {} series at a limit of one", usize::from(mine) + usize::from(theirs));
            assert_eq!(index.len(), 1);
        });
    }

    /// A shard's table grows (hashbrown reallocates it past three entries) while lookups run:
    /// every tuple created before the lookup started is found, and none finds another's
    /// series. The table moves only under its write lock, which a probe's read lock excludes,
    /// so what this adds over a test in one thread is the recently-found path, which reads no
    /// table, taken between the growth's steps.
    #[test]
    fn loom_lookups_find_what_was_created_while_a_shard_grows() {
        let mut builder = ::loom::model::Builder::new();
        // Bounded: five creations under three locks each make the full space too large to
        // walk in CI time; two preemptions cover a lookup falling into any one growth.
        builder.preemption_bound = Some(2);
        builder.check(|| {
            let index = Arc::new(OpenIndex::<OnceLock<u64>>::new(Shape::default()));
            let shard = |n: u64| crate::index::sharded::shard_index(index.probe(&tuple(n)).hash);
            // Five tuples of one shard: the fourth grows its table.
            let tuples: Vec<u64> = (0..).filter(|&n| shard(n) == shard(0)).take(5).collect();
            let early = tuple(tuples[0]);
            index.find_or_create(index.probe(&early), &early, usize::MAX, || tuples[0]);
            let creator = {
                let index = Arc::clone(&index);
                let tuples = tuples.clone();
                thread::spawn(move || {
                    for &n in &tuples[1..] {
                        let labels = tuple(n);
                        index.find_or_create(index.probe(&labels), &labels, usize::MAX, || n);
                    }
                })
            };
            for &n in &tuples {
                let labels = tuple(n);
                let found = index.find(index.probe(&labels), &labels).copied();
                assert!(found.is_none() || found == Some(n), "tuple {n} found {found:?}");
            }
            assert_eq!(index.find(index.probe(&early), &early), Some(&tuples[0]), "lost while its shard grew");
            creator.join().unwrap();
            for &n in &tuples {
                let labels = tuple(n);
                assert_eq!(index.find(index.probe(&labels), &labels), Some(&n));
            }
        });
    }
}
