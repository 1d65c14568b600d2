//! Removal of series (`#[metric(removable)]`), and expiry of idle ones
//! (`#[metric(expire_after = n)]`), which runs as a step of each exposition.

use std::sync::atomic::Ordering;

use crate::family::order::Export;
use crate::family::{Family, lock};
use crate::index::dense::DenseLive;
use crate::labels::LabelSet;
use crate::series::Series;

#[cfg(all(test, solti_loom))]
mod loom;

impl<S: Series> Family<S, true> {
    /// Removes the series of `labels`; whether there was one. What the `remove_` method the
    /// derive generates for a removable metric calls; on a metric that is not removable it
    /// removes nothing and returns `false`.
    ///
    /// An open series' memory is freed once no [`Lease`](crate::Lease) holds it and the next
    /// exposition has dropped the export order that names it; a series of fixed labels keeps
    /// its slot, set back to zero.
    #[doc(hidden)]
    pub fn remove<L: LabelSet>(&self, labels: L) -> bool {
        let Some(index) = &self.inner.removable else { return false };
        if !self.takes::<L>() {
            return false;
        }
        let Some(dense_index) = self.dense_index(&labels) else {
            // Without the export lock: a scrape in progress is not waited for. It may still
            // write the series; the next one makes the order afresh.
            let removed = index.remove(&labels);
            if removed {
                // Relaxed: a scrape that reads the flag set makes the export order afresh from
                // a snapshot of the index, taken under its shards' read locks after this
                // removal released its shard's write lock (a read lock taken before that write
                // lock would have ordered the scrape's read of the flag before this store), so
                // the snapshot lacks the series. Nothing else is published with the flag.
                self.inner.removed.store(true, Ordering::Relaxed);
            }
            return removed;
        };
        // The export order names dense series by their position in `dense_live`, which this
        // changes: under the export lock, so that no scrape reads a stale position.
        let mut export = lock(&self.inner.export);
        let mut dense = lock(&self.inner.dense_live);
        let position = dense.iter().position(|live| live.index == dense_index);
        if let (Some(position), Some(slot)) = (position, self.dense.slot(dense_index)) {
            slot.retire();
            dense.swap_remove(position);
            export.invalidate();
        }
        position.is_some()
    }

    /// Removes every series of a removable metric but the overflow series; how many it
    /// removed. Does nothing on a metric that is not removable.
    pub fn clear(&self) -> usize {
        let Some(index) = &self.inner.removable else { return 0 };
        let mut export = lock(&self.inner.export);
        let mut dense = lock(&self.inner.dense_live);
        for live in dense.iter() {
            if let Some(slot) = self.dense.slot(live.index) {
                slot.retire();
            }
        }
        let removed = dense.len() + index.remove_where(|_| true);
        dense.clear();
        export.invalidate();
        removed
    }
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// Removes the series that `expire_after` expositions in a row found unchanged, when the
    /// metric declares it; a step of each exposition, before the export order is read. Runs
    /// with the export and dense locks held, which it is given.
    pub(super) fn expire_idle(&self, export: &mut Export<S>, dense: &mut Vec<DenseLive>) {
        let Some(limit) = self.inner.desc.expire_after else { return };
        let before = dense.len();
        dense.retain(|live| {
            let Some(slot) = self.dense.slot(live.index) else { return false };
            let expired = live.life.note_exposition(slot.series().fingerprint(), limit);
            if expired {
                slot.retire();
            }
            !expired
        });
        let removed = self.inner.removable.as_ref().map_or(0, |index| {
            index.remove_where(|entry| entry.life.note_exposition(entry.series.fingerprint(), limit))
        });
        if removed > 0 || dense.len() != before {
            export.invalidate();
        }
    }
}
