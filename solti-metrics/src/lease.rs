//! The series of open label tuples of a removable metric (`#[metric(removable)]` or
//! `#[metric(expire_after = ..)]`): shards of reference-counted entries, so that a series can
//! be removed while a recorder still holds it.
//!
//! Unlike the append-only [`OpenIndex`](crate::open::OpenIndex), an entry here is an `Arc`:
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

use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use arc_swap::{ArcSwap, Guard};
use hashbrown::{DefaultHashBuilder, HashTable};

use crate::key::KeyBuf;
use crate::label::LabelSet;

/// One series of a removable metric, with its key and what expiry knows of it.
pub(crate) struct Entry<S> {
    pub(crate) key: Box<[u8]>,
    /// The tuple's hash, which a recently-found slot is checked by before the key.
    hash: u64,
    /// Set when the series is removed, under its shard's write lock: a slot that still names
    /// the entry is then no longer a hit.
    removed: AtomicBool,
    pub(crate) series: S,
    /// The series' fingerprint at the last exposition, and for how many expositions in a row
    /// it has not changed.
    idle: Idle,
}

/// What expiry remembers of a series between expositions.
#[derive(Default)]
pub(crate) struct Idle {
    fingerprint: AtomicU64,
    expositions: AtomicU32,
}

impl Idle {
    /// Notes the series' fingerprint at an exposition; whether it has now been unchanged for
    /// `limit` expositions in a row. A series is never idle at its first exposition.
    pub(crate) fn unchanged_for(&self, fingerprint: u64, limit: u32) -> bool {
        if self.fingerprint.swap(fingerprint, Ordering::Relaxed) == fingerprint
            && self.expositions.load(Ordering::Relaxed) > 0
        {
            let idle = self.expositions.fetch_add(1, Ordering::Relaxed);
            return idle >= limit;
        }
        // Changed (or first seen): counts as the first exposition of a new idle run.
        self.expositions.store(1, Ordering::Relaxed);
        false
    }
}

const SHARD_BITS: u32 = 6;

/// The hash a shard's table places an entry by: the tuple's hash turned so that the bits that
/// picked the shard (the top ones) are not the top bits hashbrown makes its tags of.
#[inline]
fn table_hash(hash: u64) -> u64 {
    hash.rotate_left(SHARD_BITS)
}

/// A shard: `(hash, entry)` pairs; the full hash is kept so that growing never reads keys.
type Shard<S> = RwLock<HashTable<(u64, Arc<Entry<S>>)>>;

pub(crate) struct RemovableIndex<S> {
    hasher: DefaultHashBuilder,
    shards: Box<[Shard<S>]>,
    len: AtomicUsize,
    /// Recently found entries, by hash. A slot is written only under the read lock of the
    /// entry's shard, and emptied (set to `vacant`) under its write lock when the entry is
    /// removed, so no slot names a removed entry once its removal returns: a slot keeps no
    /// removed series alive. A hit is still checked (the hash, the `removed` flag, the key),
    /// so an overwritten slot costs a lookup, never a wrong series.
    recent: Box<[ArcSwap<Entry<S>>]>,
    /// What an empty slot holds: an entry marked removed, which no lookup takes.
    vacant: Arc<Entry<S>>,
}

/// Slots of the recently-found cache (a power of two).
const RECENT: usize = 256;

impl<S> RemovableIndex<S> {
    /// An empty index; `vacant` is the series of the entry its empty cache slots hold, which
    /// nothing records into.
    pub(crate) fn new(vacant: S) -> Self {
        let vacant = Arc::new(Entry {
            key: Box::default(),
            hash: 0,
            removed: AtomicBool::new(true),
            series: vacant,
            idle: Idle::default(),
        });
        Self {
            hasher: DefaultHashBuilder::default(),
            shards: (0..1 << SHARD_BITS).map(|_| RwLock::new(HashTable::new())).collect(),
            len: AtomicUsize::new(0),
            recent: (0..RECENT).map(|_| ArcSwap::new(Arc::clone(&vacant))).collect(),
            vacant,
        }
    }

    fn hash<L: LabelSet>(&self, labels: &L) -> u64 {
        let mut state = self.hasher.build_hasher();
        labels.hash_key(&mut state);
        core::hash::Hasher::finish(&state)
    }

    fn shard(&self, hash: u64) -> &Shard<S> {
        let shard = (hash >> (u64::BITS - SHARD_BITS)) as usize;
        &self.shards[shard % self.shards.len()]
    }

    /// The recently-found slot of the tuple of hash `hash`: bits of the hash that the shard
    /// (the top ones) does not use.
    #[inline]
    fn recent(&self, hash: u64) -> &ArcSwap<Entry<S>> {
        &self.recent[(hash >> 24) as usize % RECENT]
    }

    /// The series of `labels`, if it has one, leased (never borrowed from the index: the lease
    /// outlives any borrow of it).
    #[inline]
    pub(crate) fn find<'a, L: LabelSet>(&self, labels: &L) -> Option<Lease<'a, S>> {
        let hash = self.hash(labels);
        let recent = self.recent(hash);
        let guess = recent.load();
        if guess.hash == hash && !guess.removed.load(Ordering::Relaxed) && labels.key_matches(&guess.key) {
            return Some(Lease(Held::Recent(guess)));
        }
        // A slot taken by another series is left to it: replacing a series in a slot makes
        // the writer wait for the slot's readers, which tuples that share a slot would do at
        // every record.
        let vacant = Arc::ptr_eq(&guess, &self.vacant);
        drop(guess);
        self.find_in_shard(hash, labels, vacant.then_some(recent)).map(Lease::shared)
    }

    #[inline(never)]
    fn find_in_shard<L: LabelSet>(
        &self,
        hash: u64,
        labels: &L,
        vacant: Option<&ArcSwap<Entry<S>>>,
    ) -> Option<Arc<Entry<S>>> {
        let table = self.shard(hash).read().unwrap_or_else(PoisonError::into_inner);
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
    pub(crate) fn find_or_insert<L: LabelSet>(
        &self,
        labels: &L,
        limit: usize,
        new: impl FnOnce() -> S,
    ) -> Option<Arc<Entry<S>>> {
        let hash = self.hash(labels);
        {
            let table = self.shard(hash).read().unwrap_or_else(PoisonError::into_inner);
            let found =
                table.find(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key));
            if let Some((_, entry)) = found {
                return Some(Arc::clone(entry));
            }
        }
        let mut table = self.shard(hash).write().unwrap_or_else(PoisonError::into_inner);
        // Another recorder may have created it between the two locks.
        if let Some((_, entry)) =
            table.find(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key))
        {
            return Some(Arc::clone(entry));
        }
        // Reserve a place under the limit first: concurrent creations in other shards never
        // take the index past it.
        self.len.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |len| (len < limit).then_some(len + 1)).ok()?;
        let mut key = KeyBuf::default();
        labels.write_key(&mut key);
        let entry = Arc::new(Entry {
            key: key.as_bytes().into(),
            hash,
            removed: AtomicBool::new(false),
            series: new(),
            idle: Idle::default(),
        });
        table.insert_unique(table_hash(hash), (hash, Arc::clone(&entry)), |(hash, _)| table_hash(*hash));
        Some(entry)
    }

    /// Removes the series of `labels`; whether it had one.
    pub(crate) fn remove<L: LabelSet>(&self, labels: &L) -> bool {
        let hash = self.hash(labels);
        let mut table = self.shard(hash).write().unwrap_or_else(PoisonError::into_inner);
        let found =
            table.find_entry(table_hash(hash), |(stored, entry)| *stored == hash && labels.key_matches(&entry.key));
        let Ok(found) = found else { return false };
        let ((_, entry), _) = found.remove();
        self.forget(&entry);
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
        for shard in &self.shards {
            let mut table = shard.write().unwrap_or_else(PoisonError::into_inner);
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
        self.len.fetch_sub(removed, Ordering::Relaxed);
        removed
    }

    /// Marks a removed entry and empties its recently-found slot if it holds it; called under
    /// the entry's shard's write lock.
    fn forget(&self, entry: &Arc<Entry<S>>) {
        entry.removed.store(true, Ordering::Relaxed);
        // A slot that holds another entry (of another shard) keeps it.
        self.recent(entry.hash).compare_and_swap(entry, Arc::clone(&self.vacant));
    }

    /// The number of series.
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Every series, in no particular order.
    pub(crate) fn snapshot(&self, into: &mut Vec<Arc<Entry<S>>>) {
        for shard in &self.shards {
            let table = shard.read().unwrap_or_else(PoisonError::into_inner);
            into.extend(table.iter().map(|(_, entry)| Arc::clone(entry)));
        }
    }

    /// Whether expiry finds the series idle at this exposition.
    pub(crate) fn idle(entry: &Entry<S>, fingerprint: u64, limit: u32) -> bool {
        entry.idle.unchanged_for(fingerprint, limit)
    }
}

/// Gives a shard's memory back once removals left it three quarters empty (and halfway, so
/// that a table at the threshold does not shrink and grow in turn).
fn shrink<S>(table: &mut HashTable<(u64, Arc<Entry<S>>)>) {
    if table.capacity() > 64 && table.len() * 4 < table.capacity() {
        table.shrink_to(table.len() * 2, |(hash, _)| table_hash(*hash));
    }
}

/// A series of a metric declared `#[metric(removable)]` or `#[metric(expire_after = ..)]`,
/// as its recorder method returns it: it derefs to the series, and keeps it alive while held.
///
/// A lease is meant to be used at once (`metrics.sessions(user).inc()`). One held across the
/// removal of its series (by the `remove_` method, by `clear`, or by expiry) stays valid, but
/// what it records then is lost for a series of open labels (the removed series is no longer
/// exported; the next record through the recorder method starts a fresh one) and counted in
/// the fresh series for fixed labels (whose series live in a table, set back to zero when
/// removed).
pub struct Lease<'a, S>(Held<'a, S>);

enum Held<'a, S> {
    Borrowed(&'a S),
    Shared(Arc<Entry<S>>),
    /// From a recently-found slot: protected by a debt of the recording thread's, not by the
    /// entry's reference count.
    Recent(Guard<Arc<Entry<S>>>),
}

impl<'a, S> Lease<'a, S> {
    pub(crate) fn borrowed(series: &'a S) -> Self {
        Self(Held::Borrowed(series))
    }

    pub(crate) fn shared(entry: Arc<Entry<S>>) -> Self {
        Self(Held::Shared(entry))
    }
}

impl<S> core::ops::Deref for Lease<'_, S> {
    type Target = S;

    #[inline]
    fn deref(&self) -> &S {
        match &self.0 {
            Held::Borrowed(series) => series,
            Held::Shared(entry) => &entry.series,
            Held::Recent(entry) => &entry.series,
        }
    }
}

impl<S: core::fmt::Debug> core::fmt::Debug for Lease<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_series_are_freed_once_no_lease_holds_them() {
        let index = RemovableIndex::<u64>::new(0);
        let kept = index.find_or_insert(&("a",), usize::MAX, || 1).unwrap();
        let weak = Arc::downgrade(&kept);
        assert!(index.find_or_insert(&("b",), usize::MAX, || 2).is_some());
        assert_eq!(index.len(), 2);
        assert!(index.remove(&("a",)));
        assert!(!index.remove(&("a",)), "removed once");
        assert!(index.find(&("a",)).is_none());
        assert_eq!(kept.series, 1, "a lease keeps its series readable");
        drop(kept);
        assert!(weak.upgrade().is_none(), "freed with the last lease");
        assert_eq!(index.len(), 1);
        let fresh = index.find_or_insert(&("a",), usize::MAX, || 3).unwrap();
        assert_eq!(fresh.series, 3, "created afresh");
    }

    /// What a lease is made from: a recently-found slot (`Recent`) or the shard (`Shared`).
    fn held<S>(lease: &Lease<'_, S>) -> &'static str {
        match lease.0 {
            Held::Borrowed(_) => "borrowed",
            Held::Shared(_) => "shared",
            Held::Recent(_) => "recent",
        }
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
        let weak = Arc::downgrade(&index.find_or_insert(&("a",), usize::MAX, || 1).unwrap());
        assert_eq!(held(&index.find(&("a",)).unwrap()), "shared", "the first lookup fills the slot");
        let lease = index.find(&("a",)).unwrap();
        assert_eq!((held(&lease), *lease), ("recent", 1));
        assert!(index.remove(&("a",)));
        assert!(index.find(&("a",)).is_none(), "neither the slot nor the shard finds it");
        assert_eq!(*lease, 1, "a lease from the slot keeps its series readable");
        assert!(weak.upgrade().is_some());
        drop(lease);
        assert!(weak.upgrade().is_none(), "freed with the last lease: the slot let go of it");
        assert_eq!(index.find_or_insert(&("a",), usize::MAX, || 3).unwrap().series, 3);
        assert_eq!(*index.find(&("a",)).unwrap(), 3, "the fresh series, never the removed one");

        // `clear` and expiry go through `remove_where`: their series leave their slots too.
        let weak = Arc::downgrade(&index.find_or_insert(&("b",), usize::MAX, || 2).unwrap());
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
                Lease::shared(index.find_or_insert(&labels, usize::MAX, || (i, AtomicU64::new(0))).unwrap())
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
            assert!(index.find_or_insert(&(i,), 3, || i).is_some() == (i < 3));
        }
        assert!(index.remove(&(0u64,)));
        assert!(index.find_or_insert(&(9u64,), 3, || 9).is_some(), "room again after a removal");
        assert_eq!(index.remove_where(|entry| entry.series % 2 == 1), 2);
        assert_eq!(index.len(), 1);
        let mut all = Vec::new();
        index.snapshot(&mut all);
        assert_eq!(all.iter().map(|entry| entry.series).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn idle_counts_unchanged_expositions() {
        let idle = Idle::default();
        assert!(!idle.unchanged_for(5, 2), "first exposition");
        assert!(!idle.unchanged_for(5, 2), "unchanged once");
        assert!(idle.unchanged_for(5, 2), "unchanged twice");
        assert!(!idle.unchanged_for(6, 2), "a change starts over");
        assert!(!idle.unchanged_for(6, 2));
        assert!(idle.unchanged_for(6, 2));
    }
}
