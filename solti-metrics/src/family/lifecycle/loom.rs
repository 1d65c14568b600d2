//! Model checks of removal and expiry against records, through the family (run as
//! `series/loom.rs` says): a recorder leases its series, as the recorder method does, while
//! the series is removed, or while an exposition's expiry step runs, or while another
//! recorder creates the same series at the metric's limit.
//!
//! What loom sees: the removable index's shard locks, `removed` flags and count, the
//! recently-found slots' operations (each as one step, `sync::Unseen`), the dense slots'
//! `live` flags, `Life`'s atomics, the series' atomics, and the family's own locks and flags
//! (the export order, the dense slots in use, `removed`). What it does not: arc-swap's insides
//! and the `Arc`s' reference counts (`std`'s; arc-swap's operations are `SeqCst`, so running
//! each as one step loses no interleaving of ours), and the `OnceLock`s (the dense pages, the
//! overflow series).

use ::loom::sync::Arc;
use ::loom::sync::atomic::{AtomicBool, Ordering};
use ::loom::thread;

use crate::family::{Family, lock};
use crate::metric::{MetricDesc, MetricKind};
use crate::series::IntCounter;

/// A counter of one open label, removable.
static REMOVABLE: MetricDesc = MetricDesc {
    name: "sessions_total",
    help: "Sessions.",
    kind: MetricKind::Counter,
    labels: &["user"],
    buckets: &[],
    max_series: None,
    unit: None,
    init: false,
    removable: true,
    expire_after: None,
    exemplars: false,
    native: None,
    field: "sessions_total",
};

/// A counter of one open label that the second exposition in a row to find it unchanged
/// removes.
static EXPIRING: MetricDesc = MetricDesc {
    removable: false,
    expire_after: Some(1),
    name: "expiring_total",
    field: "expiring_total",
    ..REMOVABLE
};

/// The same, of a fixed label (its series in the dense table).
static EXPIRING_DENSE: MetricDesc = MetricDesc { labels: &["up"], ..EXPIRING };

/// The expiry step of an exposition, with the locks a scrape holds for it, taken in the
/// scrape's order (the export order's, then the dense slots in use).
fn expose<const LABELLED: bool>(family: &Family<IntCounter, LABELLED>) {
    let mut export = lock(&family.inner.export);
    let mut dense = lock(&family.inner.dense_live);
    family.expire_idle(&mut export, &mut dense);
}

/// A recorder leases the series of `("a",)` twice (the first lease goes through the shard and
/// fills the recently-found slot, the second finds it there) while another thread removes the
/// series and then looks it up. Each record lands in the removed series (lost) or in a fresh
/// one the recorder created after the removal, and:
/// - the lookup after the removal never finds the removed series;
/// - a recorder that once recorded into a fresh series never records into the removed one;
/// - at the end, the series a lookup and the index's snapshot (what a scrape exports) find is
///   the fresh one holding exactly the records made into it, or none;
/// - nothing keeps the removed series alive once the leases are dropped: neither the index nor
///   a recently-found slot.
///
/// Mutations this model fails: `forget` not emptying the slot (the removed series kept
/// alive); the slot filled after `find_in_shard` lets go of the shard's read lock (a removal
/// in between leaves the slot naming the removed series: kept alive), and with that, the
/// `removed` check of `find` dropped too (a lookup after the removal hits the stale slot and
/// finds the removed series). Dropping the `removed` check alone passes: the slot is emptied
/// under the shard's write lock, so no lookup that follows a removal sees it name the removed
/// entry; the flag is a second check.
///
/// Loom sees the recently-found slot's operations through `sync::Unseen` (a step of its own
/// just before each), not arc-swap's insides: the debts that protect a slot's entry, and the
/// reference counts of the `Arc`s, are `std`'s.
#[test]
fn loom_a_lease_never_finds_a_series_after_its_removal() {
    ::loom::model(|| {
        let family = Family::<IntCounter, true>::new::<(&str,)>(&REMOVABLE).unwrap();
        family.lease(("a",)).inc_by(10);
        let index = family.inner.removable.as_ref().unwrap();
        let mut entries = Vec::new();
        index.snapshot(&mut entries);
        let removed = std::sync::Arc::downgrade(&entries.pop().unwrap());
        let recorder = {
            let family = family.clone();
            thread::spawn(move || {
                // The value each record left in the series it leased.
                let record = || {
                    let lease = family.lease(("a",));
                    lease.inc();
                    lease.get()
                };
                let first = record();
                let second = record();
                assert!(first > 10 || second < 10, "a fresh series, then the removed one: {first}, {second}");
                [first, second]
            })
        };
        assert!(family.remove(("a",)));
        if let Some(found) = family.get(("a",)) {
            assert!(found.get() < 10, "found the removed series after its removal");
        }
        let records = recorder.join().unwrap();
        let fresh = records.iter().filter(|&&value| value < 10).count() as u64;
        let live = family.get(("a",)).map(|series| series.get());
        assert_eq!(live, (fresh > 0).then_some(fresh), "a lookup after records {records:?}");
        let mut exported = Vec::new();
        index.snapshot(&mut exported);
        assert_eq!(exported.iter().map(|entry| entry.series.get()).collect::<Vec<_>>(), Vec::from_iter(live));
        assert_eq!(index.len(), exported.len());
        drop(exported);
        assert!(removed.upgrade().is_none(), "the removed series is kept alive");
    });
}

/// Two recorders lease their own tuples, `("a",)` and `("b",)`, which share the loom build's one
/// recently-found slot, while a third thread removes `("a",)`: the slot's filling by one
/// tuple's lookup races its emptying by the other's removal. Each record lands in its own
/// tuple's series (the removed one, or a fresh one, for `("a",)`), never in the other's, and
/// `("b",)` keeps all its records. Taking the slot's entry without checking that it is the
/// tuple's (by its hash and key) fails this model; the key check alone is not put to the test
/// (the two tuples' hashes differ).
#[test]
fn loom_records_land_in_their_own_series_while_another_is_removed() {
    ::loom::model(|| {
        let family = Family::<IntCounter, true>::new::<(&str,)>(&REMOVABLE).unwrap();
        family.lease(("a",)).inc_by(10);
        family.lease(("b",)).inc_by(1000);
        let [a, b] = ["a", "b"].map(|tuple| {
            let family = family.clone();
            thread::spawn(move || {
                let lease = family.lease((tuple,));
                lease.inc();
                lease.get()
            })
        });
        assert!(family.remove(("a",)));
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        assert!(a == 1 || a == 11, "a record of (\"a\",) left {a}");
        assert_eq!(b, 1001, "a record of (\"b\",)");
        assert_eq!(family.get(("a",)).map(|series| series.get()), (a == 1).then_some(1));
        assert_eq!(family.get(("b",)).map(|series| series.get()), Some(1001));
    });
}

/// A recorder records into a series of an expiring metric and then says so (a release store
/// the exposition's thread acquires); the exposition's expiry step runs meanwhile. An
/// exposition that knows of the record never finds the series idle: the record was made
/// between the first exposition and this one. One that does not may remove the series: the
/// record is then lost with it, or, made after the removal, creates a fresh series. Making
/// `Life::note_exposition` ignore the fingerprint (idle whenever seen before) fails this model.
#[test]
fn loom_a_series_recorded_between_expositions_is_not_idle() {
    ::loom::model(|| {
        let family = Family::<IntCounter, true>::new::<(&str,)>(&EXPIRING).unwrap();
        family.lease(("a",)).inc();
        expose(&family);
        let recorded = Arc::new(AtomicBool::new(false));
        let recorder = {
            let (family, recorded) = (family.clone(), Arc::clone(&recorded));
            thread::spawn(move || {
                family.lease(("a",)).inc();
                // Release, for the exposition's acquire: the record happens before what the
                // exposition does once it has read this (the model's "between expositions").
                recorded.store(true, Ordering::Release);
            })
        };
        // Acquire: see the recorder's store.
        let known = recorded.load(Ordering::Acquire);
        expose(&family);
        let value = family.get(("a",)).map(|series| series.get());
        if known {
            assert_eq!(value, Some(2), "recorded into since the last exposition, found idle");
        }
        recorder.join().unwrap();
        let value = family.get(("a",)).map(|series| series.get());
        assert!(matches!(value, None | Some(1 | 2)), "{value:?}");
        assert_eq!(family.series_count(), usize::from(value.is_some()));
    });
}

/// The same for a series of fixed labels, which expiry retires in the dense table. The recorder
/// records as the recorder method does (`Family::series`): into a slot in use, or, past its
/// retirement, into the slot put back in use under the family's lock of used slots. Making
/// `Life::note_exposition` ignore the fingerprint fails this model.
#[test]
fn loom_a_dense_series_recorded_between_expositions_is_not_idle() {
    ::loom::model(|| {
        let family = Family::<IntCounter, true>::new::<(bool,)>(&EXPIRING_DENSE).unwrap();
        family.series((true,)).inc();
        expose(&family);
        let recorded = Arc::new(AtomicBool::new(false));
        let recorder = {
            let (family, recorded) = (family.clone(), Arc::clone(&recorded));
            thread::spawn(move || {
                family.series((true,)).inc();
                // Release, for the exposition's acquire, as in the model above.
                recorded.store(true, Ordering::Release);
            })
        };
        // Acquire: see the recorder's store.
        let known = recorded.load(Ordering::Acquire);
        expose(&family);
        if known {
            let value = family.get((true,)).map(|series| series.get());
            assert_eq!(value, Some(2), "recorded into since the last exposition, found idle");
        }
        recorder.join().unwrap();
        let value = family.get((true,)).map(|series| series.get());
        // Kept (2), retired and recorded into afresh (1), or retired while the record raced
        // the retirement, which loses it, as a record through a series held across a removal
        // is lost (none).
        assert!(matches!(value, None | Some(1 | 2)), "{value:?}");
        assert_eq!(lock(&family.inner.dense_live).len(), usize::from(value.is_some()), "listed while in use");
    });
}

/// A removable counter of one open label, at most one series.
static ONE_SERIES: MetricDesc = MetricDesc { max_series: Some(1), ..REMOVABLE };

/// Two recorders lease a tuple that has no series, at the metric's limit of one series: the
/// one that creates it and the one that then finds the count at the limit both record into
/// that one series, none into the overflow series. The second's lookup after reading the count
/// (`Family::create_leased`) finds the series because the count was raised under the same
/// shard's write lock as the series was inserted: the relaxed count is enough. Dropping the
/// second lookup under the write lock in `RemovableIndex::find_or_create` fails this model (the
/// later creator's reservation is refused, and its record goes to the overflow series).
#[test]
fn loom_recorders_racing_to_create_a_tuple_share_one_series() {
    ::loom::model(|| {
        let family = Family::<IntCounter, true>::new::<(&str,)>(&ONE_SERIES).unwrap();
        let other = {
            let family = family.clone();
            thread::spawn(move || family.lease(("a",)).inc())
        };
        family.lease(("a",)).inc();
        other.join().unwrap();
        assert_eq!(family.get(("a",)).map(|series| series.get()), Some(2));
        assert_eq!(family.overflow_records(), 0);
        assert_eq!(family.series_count(), 1);
    });
}

/// A dense series at 10 is removed (`Family::remove`: the slot retired under the lock of used
/// slots) while a recorder records into it through the recorder method's path; the remover
/// then records once more. Whatever the interleaving, the slot ends in use and listed once (the
/// exposition lists it: never in use and unlisted, never listed twice), and a record made after
/// the removal returned (the recorder saw the remover's flag) lands in the fresh series, beside
/// the remover's: 2, never with the removed series' 10. `Slot::retire` without its store of
/// `false` fails this model (a slot in use that the exposition does not list), and without its
/// reset (the removed series' 10 come back).
///
/// Not checked: the value after a record that raced the removal. The memory model allows it
/// lost or kept (1 or 2), but loom 0.7 also lets the reset's store fall between the add's read
/// and write, or stay beside it in the atomic's history (tokio-rs/loom#254), which gives 11 and
/// 12. Nor that the release/acquire pair on the slot's flag is needed (see `Slot::is_live`):
/// such a record looks like one that raced the removal.
#[test]
fn loom_a_removed_dense_series_is_recorded_into_afresh() {
    ::loom::model(|| {
        let family = Family::<IntCounter, true>::new::<(bool,)>(&REMOVABLE).unwrap();
        family.series((true,)).inc_by(10);
        let removal_returned = Arc::new(AtomicBool::new(false));
        let recorder = {
            let (family, removal_returned) = (family.clone(), Arc::clone(&removal_returned));
            thread::spawn(move || {
                // Acquire: pairs with the remover's release, so that a record after it is
                // ordered after the removal.
                let after = removal_returned.load(Ordering::Acquire);
                family.series((true,)).inc();
                after
            })
        };
        assert!(family.remove((true,)));
        // Release: see the recorder's acquire.
        removal_returned.store(true, Ordering::Release);
        family.series((true,)).inc();
        let after = recorder.join().unwrap();
        assert_eq!(lock(&family.inner.dense_live).len(), 1, "in use, and listed once");
        let value = family.get((true,)).map(|series| series.get());
        assert!(value.is_some(), "in use");
        if after {
            assert_eq!(value, Some(2), "a record after the removal, in the removed series");
        }
    });
}
