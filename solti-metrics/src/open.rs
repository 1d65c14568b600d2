//! The series of open label tuples (strings, wide integers): an append-only vector of
//! `(key, series)` entries and a sharded hash index from a key to its entry.
//!
//! Entries never move and live as long as the family, so a record borrows the series it finds
//! (no reference count to touch). The index is split into shards, each a `hashbrown` table of
//! entry numbers behind its own `RwLock`: a lookup holds one shard's read lock for the probe,
//! and a table grows one shard at a time, so growing never stalls more than the few records
//! that hit that shard, for the time it takes to rehash a 64th of the series (a fraction of a
//! millisecond at 1,000,000 series). New series are created under one writer lock, which keeps
//! `max_series` exact.

use std::hash::BuildHasher as _;
use std::sync::{Mutex, PoisonError, RwLock};

use hashbrown::{DefaultHashBuilder, HashTable};

/// One open series and its key.
pub(crate) struct Entry<S> {
    pub(crate) key: Box<[u8]>,
    pub(crate) series: S,
}

const SHARD_BITS: u32 = 6;

pub(crate) struct OpenIndex<S> {
    hasher: DefaultHashBuilder,
    shards: Box<[RwLock<HashTable<u32>>]>,
    entries: boxcar::Vec<Entry<S>>,
    writer: Mutex<()>,
}

impl<S> Default for OpenIndex<S> {
    fn default() -> Self {
        Self {
            hasher: DefaultHashBuilder::default(),
            shards: (0..1 << SHARD_BITS).map(|_| RwLock::new(HashTable::new())).collect(),
            entries: boxcar::Vec::new(),
            writer: Mutex::new(()),
        }
    }
}

impl<S> OpenIndex<S> {
    #[inline]
    pub(crate) fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    #[inline]
    fn shard(&self, hash: u64) -> &RwLock<HashTable<u32>> {
        // The top bits pick the shard; hashbrown uses the low bits and the top 7 as a tag.
        let shard = (hash >> (u64::BITS - SHARD_BITS)) as usize;
        &self.shards[shard % self.shards.len()]
    }

    /// The series of `key` (whose hash is `hash`), if it has one.
    #[inline]
    pub(crate) fn find(&self, hash: u64, key: &[u8]) -> Option<&S> {
        let table = self.shard(hash).read().unwrap_or_else(PoisonError::into_inner);
        let id = *table.find(hash, |&id| self.entries.get(id as usize).is_some_and(|entry| *entry.key == *key))?;
        drop(table);
        self.entries.get(id as usize).map(|entry| &entry.series)
    }

    /// The series of `key`, created with `new` unless it exists; `None` when the index holds
    /// `limit` series already.
    pub(crate) fn find_or_insert(&self, hash: u64, key: &[u8], limit: usize, new: impl FnOnce() -> S) -> Option<&S> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // Another writer may have created it since the caller looked.
        if let Some(series) = self.find(hash, key) {
            return Some(series);
        }
        if self.len() >= limit.min(u32::MAX as usize) {
            return None;
        }
        let id = self.entries.push(Entry { key: key.into(), series: new() });
        let mut table = self.shard(hash).write().unwrap_or_else(PoisonError::into_inner);
        let rehash = |&id: &u32| self.entries.get(id as usize).map_or(0, |entry| self.hash(&entry.key));
        // `id` fits: the length was checked against `u32::MAX` above, under the writer lock.
        table.insert_unique(hash, id as u32, rehash);
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
        let keys: Vec<Vec<u8>> = (0..5_000u32).map(|i| i.to_le_bytes().repeat(i as usize % 5 + 1)).collect();
        for (n, key) in keys.iter().enumerate() {
            let hash = index.hash(key);
            assert!(index.find(hash, key).is_none());
            assert_eq!(index.find_or_insert(hash, key, usize::MAX, || n as u64), Some(&(n as u64)));
        }
        for (n, key) in keys.iter().enumerate() {
            assert_eq!(index.find(index.hash(key), key), Some(&(n as u64)));
            assert_eq!(
                index.find_or_insert(index.hash(key), key, 0, || 0),
                Some(&(n as u64)),
                "found before the limit"
            );
        }
        assert_eq!(index.len(), keys.len());
        assert_eq!(index.iter().count(), keys.len());
    }

    #[test]
    fn the_limit_is_exact() {
        let index = OpenIndex::<u64>::default();
        for i in 0..10u64 {
            let key = i.to_le_bytes();
            let inserted = index.find_or_insert(index.hash(&key), &key, 4, || i).is_some();
            assert_eq!(inserted, i < 4);
        }
        assert_eq!(index.len(), 4);
    }
}
