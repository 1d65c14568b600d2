//! Model checks of the removable index alone (run as `series/loom.rs` says): creations in two
//! shards racing for its last place under its limit. Creation, removal and expiry racing
//! records through the family (dense slots among them) are checked in
//! `family/lifecycle/loom.rs`, the open index in `index/open.rs`.
//!
//! What loom sees here: the shards' `RwLock`s, the entries' `removed` flags, the index's count,
//! the recently-found slots' operations (each as one step, `sync::Unseen`) and the series'
//! atomics. What it does not: arc-swap's insides and the `Arc`s' reference counts (`std`'s;
//! arc-swap's operations are `SeqCst`, so running each as one step loses no interleaving of
//! ours).

use ::loom::sync::Arc;
use ::loom::thread;

use crate::index::removable::RemovableIndex;
use crate::index::sharded::{Sharded, shard_index};
use crate::series::{IntCounter, Series, Shape};

/// Two tuples of different shards, each created under its own shard's write lock, race for
/// the last place under the limit: one gets it. A load and a store in place of the
/// reservation's read-modify-write (`fetch_update`) fail this model.
#[test]
fn loom_the_limit_holds_across_shards() {
    ::loom::model(|| {
        // Two tuples that the fixed hasher of the loom build puts in different shards (a
        // `Sharded` made in the model: its locks are loom's).
        let hashes = Sharded::<()>::default();
        let shard = |tuple: &str| shard_index(hashes.hash(&(tuple,)));
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let first = names[0];
        let second = *names.iter().find(|&&name| shard(name) != shard(first)).expect("two shards");
        let index = Arc::new(RemovableIndex::new(IntCounter::new(Shape::default())));
        let other = {
            let index = Arc::clone(&index);
            thread::spawn(move || index.find_or_create(&(second,), 1, IntCounter::default).is_some())
        };
        let created = index.find_or_create(&(first,), 1, IntCounter::default).is_some();
        let other_created = other.join().unwrap();
        assert!(created != other_created, "one tuple gets the one place");
        assert_eq!(index.len(), 1);
        let mut all = Vec::new();
        index.snapshot(&mut all);
        assert_eq!(all.len(), 1);
    });
}
