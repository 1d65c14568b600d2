//! The atomics the series are made of: `std`'s, or, built with `--cfg solti_loom`, loom's,
//! whose model checker then runs every interleaving the `loom` tests allow
//! (`series/loom.rs`). Nothing else changes between the two builds.

#[cfg(not(solti_loom))]
pub(crate) use std::sync::atomic;

#[cfg(solti_loom)]
pub(crate) use loom::sync::atomic;
