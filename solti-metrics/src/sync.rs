//! The synchronisation the series and the indexes are made of: `std`'s, or, built with
//! `--cfg solti_loom`, loom's, whose model checker then runs every interleaving the `loom`
//! tests allow (`series/loom.rs`, `index/loom.rs`, `index/open.rs`, `family/lifecycle/loom.rs`).
//! Nothing else changes between the two builds.
//!
//! What has no loom counterpart stays `std`'s in both builds, and the models say so where it
//! matters: `Arc` where `arc_swap` holds it (arc-swap works on `std::sync::Arc` only), and
//! `OnceLock`.

#[cfg(not(solti_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, atomic};

#[cfg(solti_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, atomic};

/// Stands, before loom, for the operations on one cell that loom cannot see (`arc_swap`'s,
/// made on `std`'s atomics): each such operation first takes a step of its own on a loom
/// atomic, so that loom may switch threads just before it and orders it against the others on
/// the cell, as the `SeqCst` operation it is. Without that step loom would run it as part of
/// whatever loom operation came before. Nothing in other builds.
#[cfg(solti_loom)]
pub(crate) struct Unseen(loom::sync::atomic::AtomicUsize);

#[cfg(solti_loom)]
impl Unseen {
    pub(crate) fn new() -> Self {
        Self(loom::sync::atomic::AtomicUsize::new(0))
    }

    /// The step loom sees, just before the operation it does not.
    pub(crate) fn step(&self) {
        // SeqCst, as arc-swap's operations: a read-modify-write, so that each step reads the
        // last one and is ordered after it (stronger than arc-swap for a load followed by a
        // store, which loom then takes as ordered; no model here relies on that order).
        self.0.fetch_add(1, atomic::Ordering::SeqCst);
    }
}

/// Nothing outside the model checks.
#[cfg(not(solti_loom))]
pub(crate) struct Unseen;

#[cfg(not(solti_loom))]
impl Unseen {
    pub(crate) fn new() -> Self {
        Self
    }

    /// Nothing outside the model checks.
    #[inline(always)]
    pub(crate) fn step(&self) {}
}
