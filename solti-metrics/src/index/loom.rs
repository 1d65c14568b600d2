//! Model checks of the indexes (run as `series/loom.rs` says): creations in two shards racing
//! for the removable index's last place under its limit, and a dense slot retired while a
//! recorder finds it. Creation, removal and expiry racing records through the family are
//! checked in `family/lifecycle/loom.rs`, the open index in `index/open.rs`.
//!
//! What loom sees here: the shards' `RwLock`s, the entries' `removed` flags, the index's count,
//! the recently-found slots' operations (each as one step, `sync::Unseen`), the dense slots'
//! `live` flags, the series' atomics, and the lock of used slots the dense model takes. What it
//! does not: arc-swap's insides and the `Arc`s' reference counts (`std`'s; arc-swap's
//! operations are `SeqCst`, so running each as one step loses no interleaving of ours), and the
//! dense pages' `OnceLock`, filled here before the threads start.

use ::loom::sync::{Arc, Mutex};
use ::loom::thread;

use crate::index::dense::DenseTable;
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

/// What the family does under its lock of used slots (`dense_live`) when a record finds a
/// dense slot out of use (`Family::find_or_create_dense`): puts it in use, unless a record
/// before it just did. Written out here because the family's lock is `std`'s (which loom
/// cannot schedule around); the slot's own operations are the real ones.
fn put_in_use<'a>(table: &'a DenseTable<IntCounter>, used: &Mutex<Vec<usize>>) -> &'a IntCounter {
    let mut used = used.lock().unwrap();
    let slot = table.slot(0).unwrap();
    if !slot.is_live() {
        used.push(0);
        slot.set_live();
    }
    slot.series()
}

/// A record through the family's recorder: the dense fast path, else the slow path; whether
/// it took the fast path.
fn record(table: &DenseTable<IntCounter>, used: &Mutex<Vec<usize>>) -> bool {
    match table.find(0) {
        Some(series) => {
            series.inc();
            true
        }
        None => {
            put_in_use(table, used).inc();
            false
        }
    }
}

/// A dense slot in use, at 10, is removed (`Family::remove`: `Slot::retire` under the lock of
/// used slots) while a recorder records into it; the remover then records once more. Whatever
/// the interleaving, the slot ends in use and listed once (the exposition lists it: never in
/// use and unlisted, never listed twice), and a recorder that found the slot out of use
/// records into the fresh series, at 2, never with the removed series' 10. `retire` without
/// its store of `false` fails this model (a slot in use that the exposition does not list),
/// and without its reset (the removed series' 10 come back).
///
/// Not proven here: that the release/acquire pair on the flag is needed (see `Slot::is_live`).
/// A record that found the slot put back in use looks like one that raced the removal, whose
/// value loom cannot check (below), and this model passes with both relaxed.
#[test]
fn loom_a_removed_dense_slot_is_found_afresh() {
    ::loom::model(|| {
        let table = DenseTable::<IntCounter>::new(1);
        let used = Arc::new(Mutex::new(Vec::new()));
        table.slot_or_create_page(0, || IntCounter::new(Shape::default())).unwrap();
        put_in_use(&table, &used).inc_by(10);
        let recorder = {
            let (table, used) = (table.clone(), Arc::clone(&used));
            thread::spawn(move || record(&table, &used))
        };
        {
            let mut listed = used.lock().unwrap();
            if let Some(position) = listed.iter().position(|&index| index == 0) {
                table.slot(0).unwrap().retire();
                listed.swap_remove(position);
            }
        }
        record(&table, &used);
        let fast = recorder.join().unwrap();
        let slot = table.slot(0).unwrap();
        assert!(slot.is_live());
        assert_eq!(*used.lock().unwrap(), [0], "in use, and listed once");
        let value = slot.series().get();
        // A recorder that took the slow path recorded after the reset (the lock orders them):
        // both records count. One that took the fast path may have raced the reset, which the
        // memory model allows to lose its record (1) or not (2); but loom 0.7 also lets a
        // store that races an add fall between the add's read and write, or stay beside it in
        // the atomic's history (tokio-rs/loom#254), which gives 11 and 12 here too. So that
        // case is not checked.
        if !fast {
            assert_eq!(value, 2);
        }
    });
}
