//! The series of open label tuples (strings, wide integers): an append-only vector of
//! `(key, series)` entries and a sharded hash index from a key to its entry.
//!
//! Entries never move and live as long as the family, so a record borrows the series it finds
//! (no reference count to touch). A lookup first reads its slot of a small cache of recently
//! found entries, without a lock; on a miss it probes the index, [`Sharded`], holding one
//! shard's read lock (a shard holds entry numbers; rehashing a 64th of the series takes a
//! fraction of a millisecond at 1,000,000 series). New series are created under one writer
//! lock, which keeps `max_series` exact; lookups never take it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::index::life::{CreatedRuns, now};
use crate::index::sharded::Sharded;
use crate::labels::LabelSet;
use crate::labels::key::KeyBuf;

/// One open series and its key.
pub(crate) struct Entry<S> {
    pub(crate) key: Box<[u8]>,
    pub(crate) series: S,
}

// A shard holds `(hash, entry number)` pairs, 8 bytes each. The stored hash is the lower half
// of the tuple's hash, and the table's hash is made from it ([`table_hash`]), so that growing
// the table never reads the entries.

/// The half of a tuple's hash an entry keeps; the other half picked its shard.
#[inline]
fn short_hash(hash: u64) -> u32 {
    hash as u32
}

/// The hash the shard's table places an entry by, made from its short hash alone (spread over
/// 64 bits by a multiplication with an odd constant, so the table's low and top bits vary).
#[inline]
fn table_hash(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

pub(crate) struct OpenIndex<S> {
    shards: Sharded<(u32, u32)>,
    entries: boxcar::Vec<Entry<S>>,
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
const RECENT: usize = 64;

/// The most entries an open index holds, whatever `max_series` says: a billion series of one
/// metric, past what a process holds; the records of more go to the overflow series.
pub(crate) const MAX_ENTRIES: usize = (1 << 30) - 1;

impl<S> Default for OpenIndex<S> {
    fn default() -> Self {
        Self {
            shards: Sharded::default(),
            entries: boxcar::Vec::new(),
            writer: Mutex::new(()),
            recent: (0..RECENT).map(|_| AtomicU64::new(0)).collect(),
            created: CreatedRuns::default(),
        }
    }
}

impl<S> OpenIndex<S> {
    /// The hash of a tuple, from its typed values (no key is built).
    #[inline]
    pub(crate) fn hash<L: LabelSet>(&self, labels: &L) -> u64 {
        self.shards.hash(labels)
    }

    /// The series of `labels` (whose hash is `hash`), if it has one.
    #[inline]
    pub(crate) fn find<L: LabelSet>(&self, hash: u64, labels: &L) -> Option<&S> {
        let short = short_hash(hash);
        // Bits of the hash that neither the shard (the top ones) nor the short hash use.
        let recent = &self.recent[(hash >> 32) as usize % RECENT];
        let guess = recent.load(Ordering::Relaxed);
        if (guess >> 32) as u32 == short && guess as u32 != 0 {
            // An entry is readable only once `boxcar` has published it: `get` says `None`
            // before, and the lookup below takes over.
            if let Some(entry) = self.entries.get((guess as u32 - 1) as usize) {
                if labels.key_matches(&entry.key) {
                    return Some(&entry.series);
                }
            }
        }
        self.find_in_shard(hash, short, labels, recent)
    }

    #[inline(never)]
    fn find_in_shard<L: LabelSet>(&self, hash: u64, short: u32, labels: &L, recent: &AtomicU64) -> Option<&S> {
        let table = self.shards.read(hash);
        let mut found = None;
        table.find(table_hash(short), |&(stored, id)| {
            if stored != short {
                return false;
            }
            match self.entries.get(id as usize) {
                Some(entry) if labels.key_matches(&entry.key) => {
                    found = Some((id, &entry.series));
                    true
                }
                _ => false,
            }
        });
        drop(table);
        let (id, series) = found?;
        recent.store(u64::from(short) << 32 | u64::from(id + 1), Ordering::Relaxed);
        Some(series)
    }

    /// The series of `labels`, created with `new` unless it exists; `None` when the index
    /// holds `limit` series already.
    pub(crate) fn find_or_create<L: LabelSet>(
        &self,
        hash: u64,
        labels: &L,
        limit: usize,
        new: impl FnOnce() -> S,
    ) -> Option<&S> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // Another writer may have created it since the caller looked.
        if let Some(series) = self.find(hash, labels) {
            return Some(series);
        }
        // Entry numbers go into 30 bits of a scrape's export order (and a `u32`, plus one, in
        // the recently-found cache).
        if self.len() >= limit.min(MAX_ENTRIES) {
            return None;
        }
        let mut key = KeyBuf::default();
        labels.write_key(&mut key);
        // Noted before the entry is pushed: a scrape that finds the entry finds its time.
        // The number it will get: entries are pushed under the writer lock alone.
        self.created.note(self.entries.count() as u32, now());
        let id = self.entries.push(Entry { key: key.as_bytes().into(), series: new() });
        let mut table = self.shards.write(hash);
        // `id` fits: the length was checked against `u32::MAX` above, under the writer lock.
        let short = short_hash(hash);
        table.insert_unique(table_hash(short), (short, id as u32), |&(short, _)| table_hash(short));
        drop(table);
        self.entries.get(id).map(|entry| &entry.series)
    }

    /// The number of series.
    pub(crate) fn len(&self) -> usize {
        self.entries.count()
    }

    /// The entry numbered `id`.
    pub(crate) fn get(&self, id: usize) -> Option<&Entry<S>> {
        self.entries.get(id)
    }

    /// When the entries were created: read with [`created_in`](crate::index::life::created_in).
    pub(crate) fn created(&self) -> &CreatedRuns {
        &self.created
    }

    /// Every entry with its number, in the order they were created.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &Entry<S>)> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_inserted_across_growth() {
        let index = OpenIndex::<u64>::default();
        let keys: Vec<(String, u32)> = (0..5_000u32).map(|i| ("k".repeat(i as usize % 5), i)).collect();
        for (n, (text, i)) in keys.iter().enumerate() {
            let labels = (text.as_str(), *i);
            let hash = index.hash(&labels);
            assert!(index.find(hash, &labels).is_none());
            assert_eq!(index.find_or_create(hash, &labels, usize::MAX, || n as u64), Some(&(n as u64)));
        }
        for (n, (text, i)) in keys.iter().enumerate() {
            let labels = (text.as_str(), *i);
            assert_eq!(index.find(index.hash(&labels), &labels), Some(&(n as u64)));
            let found = index.find_or_create(index.hash(&labels), &labels, 0, || 0);
            assert_eq!(found, Some(&(n as u64)), "found before the limit");
        }
        assert!(index.find(index.hash(&("k", 7u32)), &("k", 7u32)).is_none(), "a value of another tuple");
        assert_eq!(index.len(), keys.len());
        assert_eq!(index.iter().count(), keys.len());
    }

    #[test]
    fn the_limit_is_exact() {
        let index = OpenIndex::<u64>::default();
        for i in 0..10u64 {
            let labels = (i,);
            let inserted = index.find_or_create(index.hash(&labels), &labels, 4, || i).is_some();
            assert_eq!(inserted, i < 4);
        }
        assert_eq!(index.len(), 4);
    }
}
