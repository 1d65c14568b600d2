//! An entry of the removable index: a series that can be removed while a recorder holds it.

use crate::index::life::Life;
use crate::sync::atomic::AtomicBool;

/// One series of a removable metric, with its key and what expiry knows of it.
pub(crate) struct Entry<S> {
    pub(crate) key: Box<[u8]>,
    /// The tuple's hash, which a recently-found slot is checked by before the key.
    pub(super) hash: u64,
    /// Set when the series is removed, under its shard's write lock: a slot that still names
    /// the entry is then no longer a hit.
    pub(super) removed: AtomicBool,
    pub(crate) series: S,
    /// The series' fingerprint at the last exposition, and for how many expositions in a row
    /// it has not changed.
    pub(crate) life: Life,
}
