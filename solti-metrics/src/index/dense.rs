//! The dense table: one slot per combination of label values, for label tuples whose every
//! label has a fixed set of values. Finding a series is index arithmetic, the page's pointer
//! and the slot's flag: no hash, no lock.
//!
//! The table is allocated a page of [`PAGE`] slots at a time as it is used, a slot holding the
//! series' atomics and a flag (16 bytes for an integer counter). A slot never moves and lives
//! as long as the table, so a record borrows its series.

// `std`'s `Arc` and `OnceLock` in the model checks too: loom has no `OnceLock`, and the `Arc`
// only shares pages that a `OnceLock` publishes.
use std::sync::{Arc, OnceLock};

use crate::index::life::Life;
use crate::sync::atomic::{AtomicBool, Ordering};

/// Slots per page of a dense table; a table of fewer slots is one page of its size.
pub(crate) const PAGE: usize = 256;

/// A page of a dense table, allocated on its first use.
type Page<S> = OnceLock<Box<[Slot<S>]>>;

/// One combination's series, and whether it is in use (exported).
pub(crate) struct Slot<S> {
    live: AtomicBool,
    series: S,
}

impl<S> Slot<S> {
    /// The slot's series, whether in use or not.
    pub(crate) fn series(&self) -> &S {
        &self.series
    }

    /// Whether the slot's series is in use.
    #[inline]
    pub(crate) fn is_live(&self) -> bool {
        // Acquire, pairing with `set_live`'s release: a record that finds the slot put back in
        // use after a removal must add to the series after `retire` set it to zero. The reset
        // happens before `set_live` (the family's lock of used slots orders them), but a
        // relaxed load of the flag would not carry that to the recorder, and the memory model
        // would let the reset overwrite the record. (The model check cannot show this: see
        // `family/lifecycle/loom.rs`. On x86-64 the load is the same instruction.) The series' atomics
        // themselves exist from the page's creation on (published by its `OnceLock`), and a
        // record that reads a stale `false` takes the slow path, which looks again under the
        // lock.
        self.live.load(Ordering::Acquire)
    }

    /// Puts the slot in use; its series is at zero (new, or reset when it was retired).
    pub(crate) fn set_live(&self) {
        // Release: publishes the reset of a retired series to the records that find the slot
        // in use (see `is_live`).
        self.live.store(true, Ordering::Release);
    }
}

/// A dense slot in use, as the family lists them in the order they were first used.
pub(crate) struct DenseLive {
    /// The slot's index.
    pub(crate) index: usize,
    /// The key of its label values, for the exposition.
    pub(crate) key: Box<[u8]>,
    /// What `expire_after` remembers of the series between expositions.
    pub(crate) life: Life,
}

/// The slots of every combination of a label tuple's values.
pub(crate) struct DenseTable<S> {
    pages: Arc<[Page<S>]>,
    slots: usize,
}

impl<S> Clone for DenseTable<S> {
    fn clone(&self) -> Self {
        Self { pages: Arc::clone(&self.pages), slots: self.slots }
    }
}

impl<S> DenseTable<S> {
    /// A table of `slots` slots, no page allocated yet.
    pub(crate) fn new(slots: usize) -> Self {
        Self { pages: (0..slots.div_ceil(PAGE)).map(|_| OnceLock::new()).collect(), slots }
    }

    /// The number of slots: the label tuple's number of combinations, `0` for open labels.
    #[inline]
    pub(crate) fn slots(&self) -> usize {
        self.slots
    }

    /// The slot `index`, if its page exists.
    #[inline]
    pub(crate) fn slot(&self, index: usize) -> Option<&Slot<S>> {
        self.pages.get(index / PAGE)?.get()?.get(index % PAGE)
    }

    /// The series of slot `index` if it is in use: the whole record path of dense labels.
    #[inline]
    pub(crate) fn find(&self, index: usize) -> Option<&S> {
        self.slot(index).filter(|slot| slot.is_live()).map(Slot::series)
    }

    /// The slot `index` (below [`slots`](Self::slots)), its page created with `new` series if
    /// it has none yet.
    pub(crate) fn slot_or_create_page(&self, index: usize, new: impl Fn() -> S) -> Option<&Slot<S>> {
        let page_number = index / PAGE;
        let page = self.pages.get(page_number)?.get_or_init(|| {
            let len = self.slots.saturating_sub(page_number * PAGE).min(PAGE);
            (0..len).map(|_| Slot { live: AtomicBool::new(false), series: new() }).collect()
        });
        page.get(index % PAGE)
    }

    /// How many pages are allocated.
    #[cfg(test)]
    pub(crate) fn pages_in_use(&self) -> usize {
        self.pages.iter().filter(|page| page.get().is_some()).count()
    }
}

impl<S: crate::series::Series> Slot<S> {
    /// Takes the slot's series out of the exposition and sets it back to zero, for the next
    /// record to find it afresh (records through a series held across this count there).
    pub(crate) fn retire(&self) {
        // Relaxed: a record that reads `false` takes the slow path, whose lock orders it after
        // this; one that still reads `true` records into the series as one holding it across
        // the removal does (before the reset, lost; after it, counted in the fresh series).
        self.live.store(false, Ordering::Relaxed);
        self.series.reset();
    }
}
