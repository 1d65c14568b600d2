//! What expiry (`#[metric(expire_after = n)]`) remembers of a series between expositions.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// What expiry remembers of a series between expositions.
#[derive(Default)]
pub(crate) struct Idle {
    fingerprint: AtomicU64,
    expositions: AtomicU32,
}

impl Idle {
    /// Notes the series' fingerprint at an exposition; whether it has now been unchanged for
    /// `limit` expositions in a row. A series is never idle at its first exposition.
    pub(crate) fn note_exposition(&self, fingerprint: u64, limit: u32) -> bool {
        if self.fingerprint.swap(fingerprint, Ordering::Relaxed) == fingerprint
            && self.expositions.load(Ordering::Relaxed) > 0
        {
            let idle = self.expositions.fetch_add(1, Ordering::Relaxed);
            return idle >= limit;
        }
        // Changed (or first seen): counts as the first exposition of a new idle run.
        self.expositions.store(1, Ordering::Relaxed);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_counts_unchanged_expositions() {
        let idle = Idle::default();
        assert!(!idle.note_exposition(5, 2), "first exposition");
        assert!(!idle.note_exposition(5, 2), "unchanged once");
        assert!(idle.note_exposition(5, 2), "unchanged twice");
        assert!(!idle.note_exposition(6, 2), "a change starts over");
        assert!(!idle.note_exposition(6, 2));
        assert!(idle.note_exposition(6, 2));
    }
}
