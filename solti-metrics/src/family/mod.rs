//! A metric's family of series: the series of every label tuple recorded, where each lives
//! (the [`index`](crate::index)), and what a scrape does with them.
//!
//! - [`lookup`]: how a recorder finds its series, creating it on first use;
//! - [`lifecycle`]: removal, and the expiry of idle series, a step of each scrape;
//! - [`order`]: the series in export order, with their labels rendered;
//! - [`erased`]: the family as a registry holds it, and its exposition.

mod erased;
mod front;
mod lifecycle;
mod lookup;
mod order;
#[cfg(test)]
mod tests;

// `std`'s `Arc` and `OnceLock` in the model checks too: the `Arc` shares the family between
// handles, and loom has no `OnceLock`.
use std::sync::{Arc, OnceLock, PoisonError};

pub use erased::ErasedFamily;
pub(crate) use erased::RegistryParts;

use crate::error::Error;
use crate::exposition::Text;
use crate::exposition::text::bucket_bound;
use crate::index::dense::{DenseLive, DenseTable};
use crate::index::open::OpenIndex;
use crate::index::removable::RemovableIndex;
use crate::labels::LabelSet;
use crate::metric::MetricDesc;
use crate::metric::rules::{self, Built};
use crate::series::{Collected, ExemplarTable, Series, Shape};
use crate::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use crate::sync::{Mutex, MutexGuard};
use order::Export;

/// The metric of a field of a `#[derive(MetricsSet)]` struct: all series of one metric.
///
/// Declared through its aliases: [`Counter`](crate::Counter), [`IntCounter`](crate::IntCounter),
/// [`Gauge`](crate::Gauge), [`IntGauge`](crate::IntGauge), [`Histogram`](crate::Histogram)
/// (`LABELLED = false`: one series, which the family derefs to) and
/// [`CounterVec`](crate::CounterVec), [`IntCounterVec`](crate::IntCounterVec),
/// [`GaugeVec`](crate::GaugeVec), [`IntGaugeVec`](crate::IntGaugeVec),
/// [`HistogramVec`](crate::HistogramVec) (`LABELLED = true`: series told apart by labels, found
/// by the typed recorder methods the derive generates).
///
/// A labelled series is created on first use and exported from then on. When every label has
/// a fixed set of values (see [`LabelValue`](crate::LabelValue)), series live in a dense table:
/// finding one is index arithmetic, two loads and a flag check. The table is allocated a page
/// of 256 slots at a time as it is used, a slot holding the series' atomics and a flag (16
/// bytes for an integer counter). Other tuples go through an index keyed by the whole typed
/// tuple (strings byte for byte, integers as integers), so distinct tuples never share a
/// series.
///
/// Cloning is cheap: clones share their series.
pub struct Family<S: Series, const LABELLED: bool> {
    // The dense table sits in the family itself (a pointer, a length and the slot count), not
    // behind `inner`: a record reads the page pointer and the slot, nothing else.
    dense: DenseTable<S>,
    inner: Arc<Inner<S>>,
}

/// What `#[metric(collect = ..)]` runs on a family's series before each exposition.
type Compute<S> = dyn Fn(&S) + Send + Sync;

struct Inner<S: Series> {
    desc: &'static MetricDesc,
    /// What each series is built with: a histogram's bounds and native buckets.
    shape: Shape,
    /// The `le` pairs of the bounds in each format (Prometheus, OpenMetrics), as bucket lines
    /// write them ([`bucket_bound`]).
    le: [Box<[String]>; 2],
    /// The declared positions of the labels, in the order of their names: labels are exported
    /// sorted by name, as `prometheus` exports them.
    name_order: Box<[usize]>,
    /// The dense slots in use, in the order they were first used.
    dense_live: Mutex<Vec<DenseLive>>,
    open: OpenIndex<S::Open>,
    /// The open series of a removable metric (`#[metric(removable)]`, `expire_after`), which
    /// then never go into `open`.
    removable: Option<RemovableIndex<S>>,
    /// Set when an open series was removed since the export order was made (which may still
    /// hold it).
    removed: AtomicBool,
    overflow: OnceLock<S>,
    overflow_records: AtomicU64,
    /// When the overflow series was created, in Unix seconds.
    overflow_created: AtomicU32,
    /// The export order of the last exposition and the series' rendered labels; valid while
    /// the number of series is unchanged (a removal empties it).
    export: Mutex<Export<S>>,
    // Takes the records of a label tuple of another type than the family was built for: they
    // are lost and never exported, but the caller does not panic. Generated recorders always
    // pass the declared tuple, so this is not expected to be reached.
    detached: S,
    /// For registration in a `prometheus::Registry`.
    #[cfg(feature = "prometheus")]
    prometheus_desc: prometheus::core::Desc,
    /// `#[metric(collect = ..)]`: computes the one series' value before each exposition.
    compute: OnceLock<Box<Compute<S>>>,
    /// The set's constant labels (`MetricsSet::register_with`), sorted by name.
    const_labels: OnceLock<Box<[(String, String)]>>,
    /// `#[metric(exemplars)]`: the series' exemplars, beside them; `None` without.
    exemplars: Option<ExemplarTable>,
}

impl<S: Series, const LABELLED: bool> Clone for Family<S, LABELLED> {
    fn clone(&self) -> Self {
        Self { dense: self.dense.clone(), inner: Arc::clone(&self.inner) }
    }
}

impl<S: Series, const LABELLED: bool> core::fmt::Debug for Family<S, LABELLED> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Family")
            .field("name", &self.inner.desc.name)
            .field("labels", &self.inner.desc.labels)
            .field("series", &self.series_count())
            .finish()
    }
}

/// Locks `mutex`; a poisoned lock is used as it is (what it guards is changed whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// Creates the family described by `desc`, with a dense table sized for the label tuple
    /// `L`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMetric`] when `desc` breaks a Prometheus rule the derive checks at
    /// compile time (names, reserved labels, buckets) or `L` does not match its labels.
    pub fn new<L: LabelSet>(desc: &'static MetricDesc) -> Result<Self, Error> {
        let built = Built {
            kind: S::KIND,
            labelled: LABELLED,
            label_count: L::LEN,
            cardinalities: L::CARDINALITIES,
            dense_slots: L::DENSE_SLOTS,
        };
        let bounds = rules::check(desc, &built)?;
        let shape = Shape { bounds, native: desc.native.as_ref() };
        #[cfg(feature = "prometheus")]
        // `prometheus` knows legacy names alone: UTF-8 names as a scraper without them sees them.
        let prometheus_desc = prometheus::core::Desc::new(
            crate::metric::names::escaped_name(desc.name, crate::metric::names::Escaping::Underscores, false),
            desc.help.to_owned(),
            desc.labels
                .iter()
                .map(|&label| {
                    crate::metric::names::escaped_name(label, crate::metric::names::Escaping::Underscores, true)
                })
                .collect(),
            Default::default(),
        )
        .map_err(|error| Error::InvalidMetric { metric: desc.name.to_owned(), reason: error.to_string() })?;
        let mut name_order: Vec<usize> = (0..desc.labels.len()).collect();
        name_order.sort_by_key(|&i| desc.labels[i]);
        let le = [Text::Prometheus, Text::OpenMetrics]
            .map(|format| bounds.iter().map(|&bound| bucket_bound(format, bound)).collect());
        let removable = desc.removable || desc.expire_after.is_some();

        let family = Self {
            dense: DenseTable::new(L::DENSE_SLOTS),
            inner: Arc::new(Inner {
                desc,
                shape,
                le,
                name_order: name_order.into(),
                dense_live: Mutex::new(Vec::new()),
                open: OpenIndex::new(shape),
                removable: removable.then(|| RemovableIndex::new(S::new(shape))),
                removed: AtomicBool::new(false),
                overflow: OnceLock::new(),
                overflow_records: AtomicU64::new(0),
                overflow_created: AtomicU32::new(0),
                export: Mutex::new(Export::default()),
                detached: S::new(shape),
                #[cfg(feature = "prometheus")]
                prometheus_desc,
                compute: OnceLock::new(),
                const_labels: OnceLock::new(),
                exemplars: desc.exemplars.then(ExemplarTable::default),
            }),
        };
        if !LABELLED {
            // A metric without labels is exported from registration on, as `prometheus` does.
            family.find_or_create_dense(0, &());
        } else if desc.init {
            for index in 0..L::DENSE_SLOTS {
                if let Some(labels) = L::from_dense_index(index) {
                    family.find_or_create_dense(index, &labels);
                }
            }
        }
        Ok(family)
    }

    /// The description of this family: its entry in the set's catalog.
    pub fn desc(&self) -> &'static MetricDesc {
        self.inner.desc
    }

    /// The description of this family; renamed [`desc`](Self::desc).
    #[doc(hidden)]
    #[deprecated(note = "renamed `desc`")]
    pub fn meta(&self) -> &'static MetricDesc {
        self.desc()
    }

    /// The number of series that exist now (the overflow series included).
    pub fn series_count(&self) -> usize {
        lock(&self.inner.dense_live).len() + self.open_count()
    }

    /// The number of series that are not dense.
    fn open_count(&self) -> usize {
        let removable = self.inner.removable.as_ref().map_or(0, RemovableIndex::len);
        self.inner.open.len() + removable + usize::from(self.inner.overflow.get().is_some())
    }

    /// How many records went to the overflow series because their label tuple had no series
    /// and the metric's `max_series` limit was reached. Always `0` for a metric without a
    /// limit.
    pub fn overflow_records(&self) -> u64 {
        // Relaxed: a count, read on its own.
        self.inner.overflow_records.load(Ordering::Relaxed)
    }

    /// Runs the family's `#[metric(collect = ..)]` function, if it has one, on its one series:
    /// the first step of each exposition.
    fn compute(&self) {
        if let Some(compute) = self.inner.compute.get() {
            if let Some(slot) = self.dense.slot(0) {
                compute(slot.series());
            }
        }
    }
}

/// What a call of `with_label_values`, the `prometheus` way to find a series, is told.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a derived metric has no `with_label_values`: call the recorder method the derive generates",
    label = "use the recorder method named after the field, with the labels as typed arguments",
    note = "for `#[metric(labels(method: Method, path))] requests_total: IntCounterVec`, write `metrics.requests_total(Method::Get, \"/users\").inc()`"
)]
pub trait UseTheRecorderMethod {}

impl<S: Series> Family<S, true> {
    /// Not available: it only points the compiler's message at the recorder method.
    #[doc(hidden)]
    pub fn with_label_values(&self, _: &[&str]) -> &S
    where
        Self: UseTheRecorderMethod,
    {
        &self.inner.detached
    }
}

impl<S: Collected> Family<S, false> {
    /// Makes `value` the source of the series: each exposition calls it and exports what it
    /// returns (a queue's depth, the open files). What `#[metric(collect = path)]` generates;
    /// a family takes one function, the first it is given.
    #[doc(hidden)]
    pub fn collect_with(&self, value: impl Fn() -> S::Value + Send + Sync + 'static) {
        let _ = self.inner.compute.set(Box::new(move |series: &S| series.store(value())));
    }
}

impl<S: Series> core::ops::Deref for Family<S, false> {
    type Target = S;

    /// The family's one series.
    #[inline]
    fn deref(&self) -> &S {
        self.dense.slot(0).map_or(&self.inner.detached, |slot| slot.series())
    }
}
