//! The series of open label tuples of a removable metric (`#[metric(removable)]` or
//! `#[metric(expire_after = ..)]`): shards of reference-counted entries, so that a series can
//! be removed while a recorder still holds it.
//!
//! Unlike the append-only [`OpenIndex`](crate::index::open::OpenIndex), an entry here is an `Arc`:
//! the index holds one reference and each [`Lease`] another, so removing a series drops the
//! index's reference and its memory is freed when the last lease goes. A record through a
//! lease held across the removal lands in the removed series, which nothing exports: it is
//! lost, never misattributed.
//!
//! A series found before is found again without the shard's lock and without touching its
//! shared reference count: 256 slots of [`arc_swap::ArcSwap`] hold recently found entries,
//! and a lease made from a slot holds an `arc_swap` guard, which protects the entry with a
//! debt in a slot of the recording thread's own instead of a reference count. A slot is
//! filled only while vacant (replacing a series would make every record of tuples that share
//! a slot wait for the slot's readers) and emptied when its series is removed; tuples that
//! find their slot taken take the shard's read lock and a reference count increment (and its
//! decrement when the lease is dropped), which the append-only index does not pay. That is
//! why removal is declared per metric.

// `std`'s `Arc` in the model checks too: `arc_swap` works on it alone.
use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};
use hashbrown::HashTable;

use crate::index::entry::Entry;
use crate::index::lease::Lease;
use crate::index::life::{Life, now};
use crate::index::sharded::{SHARD_BITS, Sharded};
use crate::labels::LabelSet;
use crate::labels::key::KeyBuf;
use crate::sync::Unseen;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The hash a shard's table places an entry by: the tuple's hash turned so that the bits that
/// picked the shard (the top ones) are not the top bits hashbrown makes its tags of.
#[inline]
fn table_hash(hash: u64) -> u64 {
    hash.rotate_left(SHARD_BITS)
}

/// What a shard holds: `(hash, entry)` pairs; the full hash is kept so that growing never
/// reads keys.
type Slot<S> = (u64, Arc<Entry<S>>);

pub(crate) struct RemovableIndex<S> {
    shards: Sharded<Slot<S>>,
    len: AtomicUsize,
    /// Recently found entries, by hash. A slot is written only under the read lock of the
    /// entry's shard, and emptied (set to `vacant`) under its write lock when the entry is
    /// removed, so no slot names a removed entry once its removal returns: a slot keeps no
    /// removed series alive. A hit is still checked (the hash, the `removed` flag, the key),
    /// so an overwritten slot costs a lookup, never a wrong series.
    recent: Box<[Recent<S>]>,
    /// What an empty slot holds: an entry marked removed, which no lookup takes.
    vacant: Arc<Entry<S>>,
}

/// A slot of the recently-found cache: an entry, or the vacant entry.
struct Recent<S> {
    entry: ArcSwap<Entry<S>>,
    /// What the slot's operations are to loom (nothing outside the model checks).
    unseen: Unseen,
}

impl<S> Recent<S> {
    /// The slot's entry, protected by a debt of the calling thread's.
    #[inline]
    fn load(&self) -> Guard<Arc<Entry<S>>> {
        self.unseen.step();
        self.entry.load()
    }

    /// Replaces `current` by `new`, if the slot holds `current`.
    fn compare_and_swap(&self, current: &Arc<Entry<S>>, new: Arc<Entry<S>>) {
        self.unseen.step();
        self.entry.compare_and_swap(current, new);
    }
}

/// Slots of the recently-found cache (a power of two).
#[cfg(not(solti_loom))]
const RECENT: usize = 256;

/// One slot under the model checker: every tuple of a model then shares it, so that a slot
/// taken by another tuple is part of every model.
#[cfg(solti_loom)]
const RECENT: usize = 1;

impl<S> RemovableIndex<S> {
    /// An empty index; `vacant` is the series of the entry its empty cache slots hold, which
    /// nothing records into.
    pub(crate) fn new(vacant: S) -> Self {
        let vacant = Arc::new(Entry {
            key: Box::default(),
            hash: 0,
            removed: AtomicBool::new(true),
            series: vacant,
            life: Life::new(now()),
        });
        Self {
            shards: Sharded::default(),
            len: AtomicUsize::new(0),
            recent: (0..RECENT)
                .map(|_| Recent { entry: ArcSwap::new(Arc::clone(&vacant)), unseen: Unseen::new() })
                .collect(),
            vacant,
        }
    }

    /// The recently-found slot of the tuple of hash `hash`: bits of the hash that the shard
    /// (the top ones) does not use.
    #[inline]
    #[cfg_attr(solti_loom, allow(clippy::modulo_one, reason = "the loom build's one slot"))]
    fn recent(&self, hash: u64) -> &Recent<S> {
        &self.recent[(hash >> 24) as usize % RECENT]
    }

    /// The series of `labels`, if it has one, leased (never borrowed from the index: the lease
    /// outlives any borrow of it).
    #[inline]
    pub(crate) fn find<'a, L: LabelSet>(&self, labels: &L) -> Option<Lease<'a, S>> {
        let hash = self.shards.hash(labels);
        let recent = self.recent(hash);
        let guess = recent.load();
        // Relaxed: the flag publishes nothing, and either value is right whenever it can be
        // read. A slot names a removed entry only while `forget` runs, between its store of
        // the flag and its emptying of the slot (under the shard's write lock, arc-swap's
        // operations being `SeqCst`): a lookup that loads the slot then runs concurrently
        // with the removal, and a hit then records into the removed series as a lease taken
        // just before the removal would. A lookup after the removal finds the slot vacant or
        // taken by another entry, never this one; the vacant entry's flag was set before the
        // entry was shared. The flag is thus a second check, which keeps a slot that came to
        // name a removed entry some other way from being a hit.
        if guess.hash == hash && !guess.removed.load(Ordering::Relaxed) && labels.key_matches(&guess.key) {
            return Some(Lease::recent(guess));
        }
        // A slot taken by another series is left to it: replacing a series in a slot makes
        // the writer wait for the slot's readers, which tuples that share a slot would do at
        // every record.
        let vacant = Arc::ptr_eq(&guess, &self.vacant);
        drop(guess);
        self.find_in_shard(hash, labels, vacant.then_some(recent)).map(Lease::shared)
    }

    #[inline(never)]
    fn find_in_shard<L: LabelSet>(&self, hash: u64, labels: &L, vacant: Option<&Recent<S>>) -> Option<Arc<Entry<S>>> {
        let table = self.shards.read(hash);
        let (_, entry) =
            table.find(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key))?;
        if let Some(recent) = vacant {
            // Under the shard's read lock: a removal, which takes the write lock, empties the
            // slot after this, never before.
            recent.compare_and_swap(&self.vacant, Arc::clone(entry));
        }
        Some(Arc::clone(entry))
    }

    /// The series of `labels`, created with `new` unless it exists; `None` when the index
    /// holds `limit` series already.
    pub(crate) fn find_or_create<L: LabelSet>(
        &self,
        labels: &L,
        limit: usize,
        new: impl FnOnce() -> S,
    ) -> Option<Arc<Entry<S>>> {
        let hash = self.shards.hash(labels);
        {
            let table = self.shards.read(hash);
            let found =
                table.find(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key));
            if let Some((_, entry)) = found {
                return Some(Arc::clone(entry));
            }
        }
        let mut table = self.shards.write(hash);
        // Another recorder may have created it between the two locks.
        if let Some((_, entry)) =
            table.find(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key))
        {
            return Some(Arc::clone(entry));
        }
        // Reserve a place under the limit first: concurrent creations in other shards never
        // take the index past it. Relaxed: what keeps the limit is that the reservation is one
        // read-modify-write; the count publishes nothing (the entry is published by the
        // shard's lock).
        self.len.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |len| (len < limit).then_some(len + 1)).ok()?;
        let mut key = KeyBuf::default();
        labels.write_key(&mut key);
        let entry = Arc::new(Entry {
            key: key.as_bytes().into(),
            hash,
            removed: AtomicBool::new(false),
            series: new(),
            life: Life::new(now()),
        });
        table.insert_unique(table_hash(hash), (hash, Arc::clone(&entry)), |(hash, _)| table_hash(*hash));
        Some(entry)
    }

    /// Removes the series of `labels`; whether it had one.
    pub(crate) fn remove<L: LabelSet>(&self, labels: &L) -> bool {
        let hash = self.shards.hash(labels);
        let mut table = self.shards.write(hash);
        let found =
            table.find_entry(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key));
        let Ok(found) = found else { return false };
        let ((_, entry), _) = found.remove();
        self.forget(&entry);
        // Relaxed: a read-modify-write, as the reservation; it publishes nothing.
        self.len.fetch_sub(1, Ordering::Relaxed);
        shrink(&mut table);
        drop(table);
        // The series' memory goes here unless a lease still holds it.
        drop(entry);
        true
    }

    /// Removes every series for which `expired` says so; how many it removed.
    pub(crate) fn remove_where(&self, mut expired: impl FnMut(&Entry<S>) -> bool) -> usize {
        let mut removed = 0;
        for mut table in self.shards.write_each() {
            let before = table.len();
            table.retain(|(_, entry)| {
                let expired = expired(entry);
                if expired {
                    self.forget(entry);
                }
                !expired
            });
            removed += before - table.len();
            shrink(&mut table);
        }
        // Relaxed, as in `remove`.
        self.len.fetch_sub(removed, Ordering::Relaxed);
        removed
    }

    /// Marks a removed entry and empties its recently-found slot if it holds it; called under
    /// the entry's shard's write lock.
    fn forget(&self, entry: &Arc<Entry<S>>) {
        // Relaxed: see `find`, the one reader; nothing is published with the flag.
        entry.removed.store(true, Ordering::Relaxed);
        // A slot that holds another entry (of another shard) keeps it.
        self.recent(entry.hash).compare_and_swap(entry, Arc::clone(&self.vacant));
    }

    /// The number of series.
    pub(crate) fn len(&self) -> usize {
        // Relaxed: a count for the limit and for `series_count`, published with nothing. A
        // recorder that reads it at the limit looks for its tuple again under the shard's read
        // lock, and a creation of that tuple it counted raised the count under the same
        // shard's write lock, so the second lookup finds it (`create_leased`, checked by
        // `family/lifecycle/loom.rs`).
        self.len.load(Ordering::Relaxed)
    }

    /// Every series, in no particular order.
    pub(crate) fn snapshot(&self, into: &mut Vec<Arc<Entry<S>>>) {
        for table in self.shards.read_each() {
            into.extend(table.iter().map(|(_, entry)| Arc::clone(entry)));
        }
    }
}

/// Gives a shard's memory back once removals left it three quarters empty (and halfway, so
/// that a table at the threshold does not shrink and grow in turn).
fn shrink<S>(table: &mut HashTable<Slot<S>>) {
    if table.capacity() > 64 && table.len() * 4 < table.capacity() {
        table.shrink_to(table.len() * 2, |(hash, _)| table_hash(*hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_series_are_freed_once_no_lease_holds_them() {
        let index = RemovableIndex::<u64>::new(0);
        let kept = index.find_or_create(&("a",), usize::MAX, || 1).unwrap();
        let weak = Arc::downgrade(&kept);
        assert!(index.find_or_create(&("b",), usize::MAX, || 2).is_some());
        assert_eq!(index.len(), 2);
        assert!(index.remove(&("a",)));
        assert!(!index.remove(&("a",)), "removed once");
        assert!(index.find(&("a",)).is_none());
        assert_eq!(kept.series, 1, "a lease keeps its series readable");
        drop(kept);
        assert!(weak.upgrade().is_none(), "freed with the last lease");
        assert_eq!(index.len(), 1);
        let fresh = index.find_or_create(&("a",), usize::MAX, || 3).unwrap();
        assert_eq!(fresh.series, 3, "created afresh");
    }

    /// What a lease is made from: a recently-found slot or the shard.
    fn held<S>(lease: &Lease<'_, S>) -> &'static str {
        lease.source()
    }

    /// A lease may go to another thread and be shared, as `&S` may.
    #[test]
    fn leases_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        fn lease<S: Send + Sync>() {
            send_sync::<Lease<'_, S>>();
        }
        lease::<crate::series::IntCounter>();
        lease::<crate::series::Histogram>();
    }

    /// A series found again comes from its recently-found slot; its removal empties the slot,
    /// so that the slot neither finds it nor keeps its memory.
    #[test]
    fn a_removed_series_leaves_its_recent_slot() {
        let index = RemovableIndex::<u64>::new(0);
        let weak = Arc::downgrade(&index.find_or_create(&("a",), usize::MAX, || 1).unwrap());
        assert_eq!(held(&index.find(&("a",)).unwrap()), "shared", "the first lookup fills the slot");
        let lease = index.find(&("a",)).unwrap();
        assert_eq!((held(&lease), *lease), ("recent", 1));
        assert!(index.remove(&("a",)));
        assert!(index.find(&("a",)).is_none(), "neither the slot nor the shard finds it");
        assert_eq!(*lease, 1, "a lease from the slot keeps its series readable");
        assert!(weak.upgrade().is_some());
        drop(lease);
        assert!(weak.upgrade().is_none(), "freed with the last lease: the slot let go of it");
        assert_eq!(index.find_or_create(&("a",), usize::MAX, || 3).unwrap().series, 3);
        assert_eq!(*index.find(&("a",)).unwrap(), 3, "the fresh series, never the removed one");

        // `clear` and expiry go through `remove_where`: their series leave their slots too.
        let weak = Arc::downgrade(&index.find_or_create(&("b",), usize::MAX, || 2).unwrap());
        assert_eq!(held(&index.find(&("b",)).unwrap()), "shared");
        assert_eq!(held(&index.find(&("b",)).unwrap()), "recent");
        assert_eq!(index.remove_where(|_| true), 2);
        assert!(weak.upgrade().is_none(), "freed at once");
        assert!(index.find(&("b",)).is_none());
        assert!(index.recent.iter().all(|slot| Arc::ptr_eq(&slot.load(), &index.vacant)), "every slot vacant");
    }

    /// Records race removals and lookups of other tuples (sharing slots or not): each record
    /// lands in its own tuple's series, and a series found after a removal is a fresh one.
    #[test]
    fn records_never_land_in_another_series() {
        use std::sync::atomic::AtomicU64;
        const THREADS: usize = 3;
        const RECORDS: usize = 20_000;
        let index = RemovableIndex::<(usize, AtomicU64)>::new((usize::MAX, AtomicU64::new(0)));
        let tuples: &[String] = &(0..300).map(|i| format!("t{i}")).collect::<Vec<_>>();
        let lease = |i: usize| {
            let labels = (tuples[i].as_str(),);
            index.find(&labels).unwrap_or_else(|| {
                Lease::shared(index.find_or_create(&labels, usize::MAX, || (i, AtomicU64::new(0))).unwrap())
            })
        };
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let lease = &lease;
                scope.spawn(move || {
                    for n in 0..RECORDS {
                        let i = (n * 7 + thread) % tuples.len();
                        let held = lease(i);
                        let series: &(usize, AtomicU64) = &held;
                        assert_eq!(series.0, i, "a record of tuple {i} found another's series");
                        series.1.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            let index = &index;
            scope.spawn(move || {
                for n in 0..RECORDS / 10 {
                    // Every other tuple is removed now and then, as `remove_` and `clear` do.
                    let i = (n * 2) % tuples.len();
                    index.remove(&(tuples[i].as_str(),));
                    if n % 500 == 0 {
                        index.remove_where(|entry| entry.series.0 % 4 == 1);
                    }
                }
            });
        });
        // The odd tuples that were never removed counted every record.
        let kept: u64 = (0..tuples.len())
            .filter(|i| i % 4 == 3)
            .filter_map(|i| index.find(&(tuples[i].as_str(),)).map(|held| held.1.load(Ordering::Relaxed)))
            .sum();
        let expected = (0..THREADS).flat_map(|t| (0..RECORDS).map(move |n| (n * 7 + t) % 300)).filter(|i| i % 4 == 3);
        assert_eq!(kept, expected.count() as u64);
    }

    #[test]
    fn the_limit_counts_removals() {
        let index = RemovableIndex::<u64>::new(0);
        for i in 0..4u64 {
            assert!(index.find_or_create(&(i,), 3, || i).is_some() == (i < 3));
        }
        assert!(index.remove(&(0u64,)));
        assert!(index.find_or_create(&(9u64,), 3, || 9).is_some(), "room again after a removal");
        assert_eq!(index.remove_where(|entry| entry.series % 2 == 1), 2);
        assert_eq!(index.len(), 1);
        let mut all = Vec::new();
        index.snapshot(&mut all);
        assert_eq!(all.iter().map(|entry| entry.series).collect::<Vec<_>>(), [2]);
    }
}
