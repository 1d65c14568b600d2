//! How a recorder finds its series: the dense slot of fixed label values, else the open index;
//! created on first use, or the overflow series past `max_series`.
//!
//! One verb throughout: `find` looks, `find_or_create` looks and creates what it does not find.

use std::sync::atomic::Ordering;

use crate::family::{Family, lock};
use crate::index::Lease;
use crate::index::buckets::MAX_ENTRIES;
use crate::index::dense::DenseLive;
use crate::index::life::{Life, now};
use crate::index::open::Probe;
use crate::index::removable::RemovableIndex;
use crate::labels::LabelSet;
use crate::labels::key::KeyBuf;
use crate::series::{ExemplarSeries, Series};

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// The series for `labels`, created on first use.
    ///
    /// This is what the generated recorder methods call, with the tuple of their typed
    /// arguments; call those instead. A tuple whose length or dense table size differs from
    /// the declared labels' records into a series that is never exported.
    #[doc(hidden)]
    #[inline]
    pub fn series<L: LabelSet>(&self, labels: L) -> &S {
        // The whole fast path: index arithmetic, the page's pointer, the slot's flag. The rest
        // is out of line, so a recorder inlines to a handful of instructions.
        if L::DENSE_SLOTS > 0 && self.dense.slots() == L::DENSE_SLOTS {
            if let Some(series) = labels.dense_index().and_then(|index| self.dense.find(index)) {
                return series;
            }
        }
        if L::DENSE_SLOTS == 0 && self.dense.slots() == 0 && L::LEN == self.inner.desc.labels.len() {
            // A tuple with an open label: straight to the open index.
            return self.find_or_create_open(&labels);
        }
        // By value: a tuple of small labels travels in registers, not through the stack.
        self.find_or_create_slow(labels)
    }

    /// The series for `labels` (`()` without labels) with its exemplars: what the recorder
    /// method of a metric declared with `#[metric(exemplars)]` returns.
    #[doc(hidden)]
    #[inline]
    pub fn exemplar_series<L: LabelSet>(&self, labels: L) -> ExemplarSeries<'_, S> {
        ExemplarSeries::new(self.series(labels), &self.inner.exemplars)
    }

    #[inline(never)]
    fn find_or_create_slow<L: LabelSet>(&self, labels: L) -> &S {
        if !self.takes::<L>() {
            return &self.inner.detached;
        }
        match self.dense_index(&labels) {
            Some(index) => self.find_or_create_dense(index, &labels),
            None => self.find_or_create_open(&labels),
        }
    }

    /// Whether the family was built for label tuples of type `L`.
    pub(super) fn takes<L: LabelSet>(&self) -> bool {
        L::LEN == self.inner.desc.labels.len() && L::DENSE_SLOTS == self.dense.slots()
    }

    /// The dense index of `labels`, when they have one in this family's table.
    #[inline]
    pub(super) fn dense_index<L: LabelSet>(&self, labels: &L) -> Option<usize> {
        if L::DENSE_SLOTS == 0 || L::DENSE_SLOTS != self.dense.slots() {
            return None;
        }
        labels.dense_index().filter(|&index| index < self.dense.slots())
    }

    /// The dense slot `index` (below the table's size), put in use with the key of `labels`.
    #[cold]
    #[inline(never)]
    pub(super) fn find_or_create_dense(&self, index: usize, labels: &impl LabelSet) -> &S {
        let shape = self.inner.shape;
        let Some(slot) = self.dense.slot_or_create_page(index, || S::new(shape)) else {
            return &self.inner.detached;
        };
        let mut live = lock(&self.inner.dense_live);
        if !slot.is_live() {
            let mut key = KeyBuf::default();
            labels.write_key(&mut key);
            live.push(DenseLive { index, key: key.as_bytes().into(), life: Life::new(now()) });
            // A slot used before was reset when its series was removed (`Slot::retire`).
            slot.set_live();
        }
        slot.series()
    }

    #[inline(never)]
    fn find_or_create_open<L: LabelSet>(&self, labels: &L) -> &S {
        let open = &self.inner.open;
        let probe = open.probe(labels);
        match open.find(probe, labels) {
            Some(series) => series,
            None => self.create_open(probe, labels),
        }
    }

    #[cold]
    #[inline(never)]
    fn create_open<L: LabelSet>(&self, probe: Probe, labels: &L) -> &S {
        if self.inner.removable.is_some() {
            // A removable metric's open series are leased ([`Self::lease`]), never borrowed.
            return &self.inner.detached;
        }
        let open = &self.inner.open;
        let limit = self.inner.desc.max_series.unwrap_or(usize::MAX);
        // Once the limit is reached, a tuple without a series goes to the overflow series
        // without taking the writer lock: a flood of new tuples does not serialise recorders.
        // The count is read after the caller's lookup: a series another thread created in
        // between, and counted, is visible to a second lookup.
        if open.len() >= limit.min(MAX_ENTRIES) {
            return open.find(probe, labels).unwrap_or_else(|| self.overflow());
        }
        let shape = self.inner.shape;
        open.find_or_create(probe, labels, limit, || S::new(shape)).unwrap_or_else(|| self.overflow())
    }

    /// The series of the tuples past `max_series`, counting the record.
    fn overflow(&self) -> &S {
        // Relaxed: a count, published with nothing.
        self.inner.overflow_records.fetch_add(1, Ordering::Relaxed);
        self.inner.overflow.get_or_init(|| {
            // Relaxed: stored before the `OnceLock` publishes the series, and read by a scrape
            // only once it has found the series there, which orders this store before.
            self.inner.overflow_created.store(now(), Ordering::Relaxed);
            S::new(self.inner.shape)
        })
    }
}

impl<S: Series> Family<S, true> {
    /// The series of `labels` if it exists, without creating it: for tests and diagnostics.
    /// `labels` is the tuple of the recorder method's arguments,
    /// `metrics.requests_total.get((Method::Get, "/users"))`; a tuple of another type finds
    /// nothing.
    ///
    /// ```
    /// use solti_metrics::{IntCounterVec, MetricsSet, Registry};
    ///
    /// #[derive(MetricsSet)]
    /// struct Api {
    ///     /// Requests served.
    ///     #[metric(labels(path, status: u16))]
    ///     requests_total: IntCounterVec,
    /// }
    ///
    /// let api = Api::register(&Registry::new())?;
    /// assert!(api.requests_total.get(("/users", 200u16)).is_none());
    /// api.requests_total("/users", 200).inc();
    /// assert_eq!(api.requests_total.get(("/users", 200u16)).map(|series| series.get()), Some(1));
    /// assert!(api.requests_total.get(("/users", 404u16)).is_none(), "looking creates nothing");
    /// assert_eq!(api.requests_total.series_count(), 1);
    /// # Ok::<(), solti_metrics::Error>(())
    /// ```
    pub fn get<L: LabelSet>(&self, labels: L) -> Option<Lease<'_, S>> {
        if !self.takes::<L>() {
            return None;
        }
        if let Some(index) = self.dense_index(&labels) {
            return self.dense.find(index).map(Lease::borrowed);
        }
        if let Some(index) = &self.inner.removable {
            return index.find(&labels);
        }
        let open = &self.inner.open;
        open.find(open.probe(&labels), &labels).map(Lease::borrowed)
    }

    /// The series for `labels`, created on first use, for a removable metric: what its
    /// generated recorder method calls. The lease keeps the series alive while it is held; on
    /// a metric that is not removable it only borrows the series, as [`series`](Self::series).
    #[doc(hidden)]
    #[inline]
    pub fn lease<L: LabelSet>(&self, labels: L) -> Lease<'_, S> {
        let Some(index) = &self.inner.removable else { return Lease::borrowed(self.series(labels)) };
        if !self.takes::<L>() {
            return Lease::borrowed(&self.inner.detached);
        }
        if self.dense_index(&labels).is_some() {
            return Lease::borrowed(self.series(labels));
        }
        match index.find(&labels) {
            Some(lease) => lease,
            None => self.create_leased(index, &labels),
        }
    }

    #[cold]
    #[inline(never)]
    fn create_leased<L: LabelSet>(&self, index: &RemovableIndex<S>, labels: &L) -> Lease<'_, S> {
        let limit = self.inner.desc.max_series.unwrap_or(usize::MAX);
        if index.len() >= limit {
            // At the limit a new tuple goes to the overflow series without a shard's write
            // lock, as in `create_open`.
            return index.find(labels).unwrap_or_else(|| Lease::borrowed(self.overflow()));
        }
        let shape = self.inner.shape;
        match index.find_or_create(labels, limit, || S::new(shape)) {
            Some(entry) => Lease::shared(entry),
            None => Lease::borrowed(self.overflow()),
        }
    }
}
