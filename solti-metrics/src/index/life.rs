//! What a scrape knows of a series' life: when it was created (the protobuf format's created
//! timestamps, OpenMetrics' `_created` lines), and what expiry (`#[metric(expire_after = n)]`)
//! remembers of it between expositions.
//!
//! A creation time is whole Unix seconds in a `u32` (good until 2106): it fits where the
//! series' bookkeeping had padding, so it costs a dense or removable series nothing. The open
//! index's series, created in entry order, share one time per second in which any was created
//! ([`CreatedRuns`]). A second is as fine as a created timestamp needs to be: Prometheus uses it
//! to place a zero before a series' first sample, and a time rounded down stays before it.

use std::sync::PoisonError;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::sync::Mutex;
use crate::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Now, in whole Unix seconds (0 before 1970, the last second of 2106 after it).
pub(crate) fn now() -> u32 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| u32::try_from(since.as_secs()).unwrap_or(u32::MAX))
}

/// What a scrape knows of a series' life.
pub(crate) struct Life {
    fingerprint: AtomicU64,
    expositions: AtomicU32,
    /// When the series was created (or created again after its removal), in Unix seconds.
    pub(crate) created: u32,
}

/// The creation times of an append-only index's entries, by entry number: `(first entry,
/// second)` for each second in which entries were created, in entry order.
pub(crate) struct CreatedRuns(Mutex<Vec<(u32, u32)>>);

impl Default for CreatedRuns {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl CreatedRuns {
    /// Notes that entry `id` was created at `seconds`; ids come in increasing order (the
    /// index's writer lock serialises creation).
    pub(crate) fn note(&self, id: u32, seconds: u32) {
        let mut runs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if runs.last().is_none_or(|&(_, last)| last != seconds) {
            runs.push((id, seconds));
        }
    }

    /// A copy of the runs, for [`created_in`]: the lock is held for the copy alone, not while a
    /// scrape writes (which would hold back the index's writer).
    pub(crate) fn read(&self) -> Vec<(u32, u32)> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// The creation time of entry `id` among `runs` ([`CreatedRuns::read`]); 0 for an entry no run
/// covers, which does not happen.
pub(crate) fn created_in(runs: &[(u32, u32)], id: u32) -> u32 {
    let after = runs.partition_point(|&(first, _)| first <= id);
    after.checked_sub(1).and_then(|run| runs.get(run)).map_or(0, |&(_, seconds)| seconds)
}

impl Life {
    /// A series created at `created` (Unix seconds), not yet seen by an exposition.
    pub(crate) fn new(created: u32) -> Self {
        Self { fingerprint: AtomicU64::new(0), expositions: AtomicU32::new(0), created }
    }

    /// Notes the series' fingerprint at an exposition; whether it has now been unchanged for
    /// `limit` expositions in a row. A series is never idle at its first exposition.
    ///
    /// Called with the family's export lock held (`Family::expire_idle`), so expositions note
    /// one after the other: the lock orders each one's loads and stores after the last one's,
    /// which is why every ordering here is relaxed. Recorders never touch these atomics; what a
    /// record changes is the series, whose fingerprint the caller reads.
    pub(crate) fn note_exposition(&self, fingerprint: u64, limit: u32) -> bool {
        // Relaxed (both): the last exposition's stores are ordered before these by the lock.
        if self.fingerprint.swap(fingerprint, Ordering::Relaxed) == fingerprint
            && self.expositions.load(Ordering::Relaxed) > 0
        {
            // Relaxed: as above; the next exposition reads it after taking the lock.
            let idle = self.expositions.fetch_add(1, Ordering::Relaxed);
            return idle >= limit;
        }
        // Changed (or first seen): counts as the first exposition of a new idle run. Relaxed:
        // as above.
        self.expositions.store(1, Ordering::Relaxed);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_runs_cover_entries_in_order() {
        let runs = CreatedRuns::default();
        for (id, seconds) in [(0, 100), (1, 100), (2, 101), (3, 101), (4, 105)] {
            runs.note(id, seconds);
        }
        let runs = runs.read();
        assert_eq!(*runs, [(0, 100), (2, 101), (4, 105)]);
        let created: Vec<u32> = (0..6).map(|id| created_in(&runs, id)).collect();
        assert_eq!(created, [100, 100, 101, 101, 105, 105]);
        assert_eq!(created_in(&[], 3), 0);
        assert!(now() > 1_700_000_000);
    }

    // Loom's atomics are larger than the ones they stand for.
    #[cfg(not(solti_loom))]
    #[test]
    fn the_bookkeeping_fits_its_padding() {
        // Created time and expiry's counts share 16 bytes, as expiry's alone took.
        assert_eq!(core::mem::size_of::<Life>(), 16);
    }

    #[test]
    fn idle_counts_unchanged_expositions() {
        let idle = Life::new(now());
        assert!(!idle.note_exposition(5, 2), "first exposition");
        assert!(!idle.note_exposition(5, 2), "unchanged once");
        assert!(idle.note_exposition(5, 2), "unchanged twice");
        assert!(!idle.note_exposition(6, 2), "a change starts over");
        assert!(!idle.note_exposition(6, 2));
        assert!(idle.note_exposition(6, 2));
    }
}
