//! Where a family's series live and how a label tuple finds its own: the dense table for fixed
//! label values, the open index for the others (append-only, its series borrowed), the
//! removable index for the open series of a removable metric (its series leased), both open
//! ones on one sharded skeleton, each with a cache of recently found series.

pub(crate) mod buckets;
pub(crate) mod dense;
pub(crate) mod entry;
mod lease;
pub(crate) mod life;
#[cfg(all(test, solti_loom))]
mod loom;
pub(crate) mod open;
pub(crate) mod removable;
mod sharded;
pub(crate) mod slab;

pub use lease::Lease;
