//! What the open index keeps a series in ([`OpenSlot`]): the series itself when it is a few
//! atomics, built with its slot; a `OnceLock` of it when building one allocates.

// `std`'s `OnceLock` in the model checks too: loom has none, and the slot is filled before the
// index publishes it.
use std::sync::OnceLock;

use crate::series::{Counter, Gauge, Info, IntCounter, IntGauge, Series, Shape};

/// What a slot of the open index holds for a series of type `Self::Series`: the series itself,
/// built with its bucket, when it is no more than a few atomics; otherwise a `OnceLock` filled
/// when its entry is pushed.
#[doc(hidden)]
pub trait OpenSlot: Send + Sync + Sized {
    /// The series the slot holds.
    type Series;

    /// The slot before its entry is pushed, as its bucket is allocated.
    fn empty(shape: Shape) -> Self;

    /// Makes the slot's series, as its entry is pushed: `make` builds it, unless the slot
    /// holds its series from the start.
    fn fill(&self, make: impl FnOnce() -> Self::Series);

    /// The slot's series; `None` only before [`fill`](Self::fill).
    fn series(&self) -> Option<&Self::Series>;
}

impl<S: Send + Sync> OpenSlot for OnceLock<S> {
    type Series = S;

    fn empty(_: Shape) -> Self {
        OnceLock::new()
    }

    fn fill(&self, make: impl FnOnce() -> S) {
        // Filled once: a slot is pushed once, under the writer lock.
        let _ = self.set(make());
    }

    #[inline]
    fn series(&self) -> Option<&S> {
        self.get()
    }
}

/// Series held in their slots from the bucket's allocation on: a new one is at zero, and
/// building one allocates nothing.
macro_rules! held_in_slot {
    ($($ty:ty),*) => {$(
        impl OpenSlot for $ty {
            type Series = Self;

            fn empty(shape: Shape) -> Self {
                <Self as Series>::new(shape)
            }

            fn fill(&self, _: impl FnOnce() -> Self) {}

            #[inline]
            fn series(&self) -> Option<&Self> {
                Some(self)
            }
        }
    )*};
}

held_in_slot!(Counter, IntCounter, Gauge, IntGauge, Info);
