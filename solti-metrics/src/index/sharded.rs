//! The skeleton both open indexes share: a tuple's hash, and tables split into shards, each
//! behind its own `RwLock`, so that a lookup holds one shard's read lock for its probe and a
//! table grows one shard at a time (growing never stalls more than the records that hit that
//! shard, for the time it takes to rehash a 64th of the series).

use std::hash::BuildHasher as _;
use std::sync::PoisonError;

use hashbrown::HashTable;

use crate::labels::LabelSet;
use crate::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The shards are picked by this many top bits of a tuple's hash.
#[cfg(not(solti_loom))]
pub(crate) const SHARD_BITS: u32 = 6;

/// Two shards under the model checker: enough for tuples in one shard and in two, and each
/// shard's lock is one more object for loom to schedule around.
#[cfg(solti_loom)]
pub(crate) const SHARD_BITS: u32 = 1;

/// What hashes the tuples: hashbrown's default, seeded at random.
#[cfg(not(solti_loom))]
type Hasher = hashbrown::DefaultHashBuilder;

/// Under the model checker, a hasher of fixed keys: loom replays a model many times, and a
/// tuple must then take the same shard and cache slot in each execution.
#[cfg(solti_loom)]
type Hasher = core::hash::BuildHasherDefault<std::hash::DefaultHasher>;

/// The shard of a tuple of hash `hash`. The top bits pick it; hashbrown uses the low bits and
/// the top 7 as a tag, so each index places its entries by a hash made to vary elsewhere.
#[inline]
pub(crate) fn shard_index(hash: u64) -> usize {
    (hash >> (u64::BITS - SHARD_BITS)) as usize
}

/// The hash `hasher` makes of a packed key.
#[inline(always)]
pub(crate) fn hash_packed(hasher: &impl core::hash::BuildHasher, packed: u128) -> u64 {
    let mut state = hasher.build_hasher();
    core::hash::Hasher::write_u128(&mut state, packed);
    core::hash::Hasher::finish(&state)
}

/// A hash table of `T` split into `1 << SHARD_BITS` shards by the top bits of the hash.
pub(crate) struct Sharded<T> {
    hasher: Hasher,
    shards: Box<[RwLock<HashTable<T>>]>,
}

impl<T> Default for Sharded<T> {
    fn default() -> Self {
        Self {
            hasher: Hasher::default(),
            shards: (0..1 << SHARD_BITS).map(|_| RwLock::new(HashTable::new())).collect(),
        }
    }
}

impl<T> Sharded<T> {
    /// The hash of a tuple, from its typed values (no key is built).
    #[inline]
    pub(crate) fn hash<L: LabelSet>(&self, labels: &L) -> u64 {
        let mut state = self.hasher.build_hasher();
        labels.hash_key(&mut state);
        core::hash::Hasher::finish(&state)
    }

    /// The hash of a tuple whose key is `packed` ([`PackedKey`](crate::labels::packed::PackedKey)):
    /// the open index's hash of a tuple whose key fits a slot.
    #[inline(always)]
    pub(crate) fn hash_packed(&self, packed: u128) -> u64 {
        hash_packed(&self.hasher, packed)
    }

    #[inline]
    fn shard(&self, hash: u64) -> &RwLock<HashTable<T>> {
        &self.shards[shard_index(hash) % self.shards.len()]
    }

    /// The shard of `hash`, read-locked. A poisoned lock is used as it is: a table is only
    /// changed by `hashbrown`'s own operations, which leave it whole.
    #[inline]
    pub(crate) fn read(&self, hash: u64) -> RwLockReadGuard<'_, HashTable<T>> {
        self.shard(hash).read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The shard of `hash`, write-locked.
    pub(crate) fn write(&self, hash: u64) -> RwLockWriteGuard<'_, HashTable<T>> {
        self.shard(hash).write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every shard in turn, write-locked one at a time.
    pub(crate) fn write_each(&self) -> impl Iterator<Item = RwLockWriteGuard<'_, HashTable<T>>> {
        self.shards.iter().map(|shard| shard.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// Every shard in turn, read-locked one at a time.
    pub(crate) fn read_each(&self) -> impl Iterator<Item = RwLockReadGuard<'_, HashTable<T>>> {
        self.shards.iter().map(|shard| shard.read().unwrap_or_else(PoisonError::into_inner))
    }
}
