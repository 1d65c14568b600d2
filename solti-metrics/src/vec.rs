//! Labelled metric families: a dense table for fixed label values, a map for open ones.

use std::collections::HashMap as StdHashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use hashbrown::{Equivalent, HashMap};
use prometheus::core::{Collector, Desc};
use prometheus::proto::{MetricFamily, MetricType};
use prometheus::{Counter, Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, Opts};

use crate::label::LabelSet;
use crate::{MetricDesc, MetricKind};

/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention) and counted by [`MetricVec::dropped_series`].
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// The series type of a labelled family: one of prometheus' `Counter`, `IntCounter`, `Gauge`,
/// `IntGauge` or `Histogram`.
pub trait Child: prometheus::core::Metric + Collector + Sized + 'static + sealed::Sealed {
    /// The kind of metric this series type makes.
    const KIND: MetricKind;

    /// The prometheus metric type of the family.
    #[doc(hidden)]
    const PROTO_TYPE: MetricType;

    /// Creates one series of the family `desc`, carrying `labels` as its label pairs.
    #[doc(hidden)]
    fn create(desc: &MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self>;
}

mod sealed {
    pub trait Sealed {}
}

fn opts(desc: &MetricDesc, labels: StdHashMap<String, String>) -> Opts {
    Opts::new(desc.name, desc.help).const_labels(labels)
}

macro_rules! plain_children {
    ($($ty:ident => $kind:ident, $proto:ident;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl Child for $ty {
            const KIND: MetricKind = MetricKind::$kind;
            const PROTO_TYPE: MetricType = MetricType::$proto;

            fn create(desc: &MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self> {
                $ty::with_opts(opts(desc, labels))
            }
        }
    )*};
}

plain_children! {
    Counter => Counter, COUNTER;
    IntCounter => Counter, COUNTER;
    Gauge => Gauge, GAUGE;
    IntGauge => Gauge, GAUGE;
}

impl sealed::Sealed for Histogram {}
impl Child for Histogram {
    const KIND: MetricKind = MetricKind::Histogram;
    const PROTO_TYPE: MetricType = MetricType::HISTOGRAM;

    fn create(desc: &MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self> {
        let opts = HistogramOpts { common_opts: opts(desc, labels), buckets: desc.buckets.to_vec() };
        Histogram::with_opts(opts)
    }
}

/// A family of series of one metric, told apart by label values.
///
/// Declared as a field of a `#[derive(MetricsSet)]` struct, through its aliases
/// [`CounterVec`](crate::CounterVec), [`IntCounterVec`](crate::IntCounterVec),
/// [`GaugeVec`](crate::GaugeVec), [`IntGaugeVec`](crate::IntGaugeVec) and
/// [`HistogramVec`](crate::HistogramVec); the derive's typed recorder methods call
/// [`with`](Self::with).
///
/// Series are created on first use, so a series is exported only once it has been recorded.
/// When every label has a fixed set of values (see [`LabelValue`](crate::LabelValue)), series
/// live in a dense table and finding one is index arithmetic and one atomic load. Otherwise they
/// live in a map keyed by the whole tuple of label strings, so distinct tuples never share a
/// series.
pub struct MetricVec<C: Child> {
    inner: Arc<Inner<C>>,
}

struct Inner<C> {
    meta: &'static MetricDesc,
    desc: Desc,
    dense: Box<[OnceLock<C>]>,
    open: RwLock<HashMap<SeriesKey, C>>,
    overflow: OnceLock<C>,
    dropped: AtomicU64,
    // Takes the records of a series that could not be created: they are lost, the caller does
    // not panic. Label values are never validated by prometheus, so this is not expected to be
    // reached; it keeps the record path free of `unwrap`.
    detached: C,
}

impl<C: Child> Clone for MetricVec<C> {
    fn clone(&self) -> Self {
        Self { inner: Arc::clone(&self.inner) }
    }
}

impl<C: Child> core::fmt::Debug for MetricVec<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MetricVec")
            .field("name", &self.inner.meta.name)
            .field("labels", &self.inner.meta.labels)
            .field("series", &self.series_count())
            .finish()
    }
}

impl<C: Child> MetricVec<C> {
    /// Creates the family described by `meta`, with a dense table sized for the label tuple `L`.
    pub fn new<L: LabelSet>(meta: &'static MetricDesc) -> prometheus::Result<Self> {
        if L::LEN != meta.labels.len() {
            return Err(prometheus::Error::InconsistentCardinality { expect: meta.labels.len(), got: L::LEN });
        }
        let desc = Desc::new(
            meta.name.to_owned(),
            meta.help.to_owned(),
            meta.labels.iter().map(|&label| label.to_owned()).collect(),
            StdHashMap::new(),
        )?;
        let detached = C::create(meta, StdHashMap::new())?;
        Ok(Self {
            inner: Arc::new(Inner {
                meta,
                desc,
                dense: (0..L::DENSE_SLOTS).map(|_| OnceLock::new()).collect(),
                open: RwLock::new(HashMap::new()),
                overflow: OnceLock::new(),
                dropped: AtomicU64::new(0),
                detached,
            }),
        })
    }

    /// The series for `labels`, created on first use.
    ///
    /// Generated recorder methods call this with their typed arguments; calling it with a tuple
    /// of another length than the declared labels records into a series that is not exported.
    #[inline]
    pub fn with<L: LabelSet>(&self, labels: L) -> Handle<'_, C> {
        if L::DENSE_SLOTS > 0 {
            if let Some(slot) = labels.dense_index().and_then(|i| self.inner.dense.get(i)) {
                if let Some(series) = slot.get() {
                    return Handle::slot(series);
                }
                return Handle::slot(self.fill_slot(slot, &labels));
            }
        }
        Handle::owned(self.open_series(&labels))
    }

    #[cold]
    #[inline(never)]
    fn fill_slot<'s, L: LabelSet>(&self, slot: &'s OnceLock<C>, labels: &L) -> &'s C {
        // Two threads may both build a series here; `OnceLock` keeps exactly one.
        slot.get_or_init(|| self.create_series(labels))
    }

    fn create_series<L: LabelSet>(&self, labels: &L) -> C {
        let meta = self.inner.meta;
        let pairs = labels.with_strs(|values| {
            meta.labels
                .iter()
                .zip(values)
                .map(|(&name, &value)| (name.to_owned(), value.to_owned()))
                .collect::<StdHashMap<_, _>>()
        });
        if L::LEN != meta.labels.len() {
            return self.inner.detached.clone();
        }
        C::create(meta, pairs).unwrap_or_else(|_| self.inner.detached.clone())
    }

    fn open_series<L: LabelSet>(&self, labels: &L) -> C {
        labels.with_strs(|values| {
            let key = LabelsRef(values);
            {
                let map = self.inner.open.read().unwrap_or_else(PoisonError::into_inner);
                if let Some(series) = map.get(&key) {
                    return series.clone();
                }
            }
            self.insert_open(values, labels)
        })
    }

    #[cold]
    #[inline(never)]
    fn insert_open<L: LabelSet>(&self, values: &[&str], labels: &L) -> C {
        let mut map = self.inner.open.write().unwrap_or_else(PoisonError::into_inner);
        let key = LabelsRef(values);
        if let Some(series) = map.get(&key) {
            return series.clone();
        }
        if let Some(limit) = self.inner.meta.max_series {
            if map.len() >= limit {
                drop(map);
                self.inner.dropped.fetch_add(1, Ordering::Relaxed);
                return self.overflow_series().clone();
            }
        }
        let series = self.create_series(labels);
        map.insert(SeriesKey(values.iter().map(|&value| Box::from(value)).collect()), series.clone());
        series
    }

    fn overflow_series(&self) -> &C {
        self.inner.overflow.get_or_init(|| {
            let pairs = StdHashMap::from([(OVERFLOW_LABEL.to_owned(), "true".to_owned())]);
            C::create(self.inner.meta, pairs).unwrap_or_else(|_| self.inner.detached.clone())
        })
    }

    /// The number of series that exist now (the overflow series included).
    pub fn series_count(&self) -> usize {
        let dense = self.inner.dense.iter().filter(|slot| slot.get().is_some()).count();
        let open = self.inner.open.read().unwrap_or_else(PoisonError::into_inner).len();
        dense + open + usize::from(self.inner.overflow.get().is_some())
    }

    /// How many records went to the overflow series because the metric's `max_series` limit
    /// was reached. Always `0` for a metric without a limit.
    pub fn dropped_series(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// The catalog entry of this family.
    pub fn meta(&self) -> &'static MetricDesc {
        self.inner.meta
    }
}

impl<C: Child> Collector for MetricVec<C> {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.inner.desc]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut metrics: Vec<_> = self.inner.dense.iter().filter_map(OnceLock::get).map(C::metric).collect();
        metrics.extend(self.inner.open.read().unwrap_or_else(PoisonError::into_inner).values().map(C::metric));
        metrics.extend(self.inner.overflow.get().map(C::metric));

        let mut family = MetricFamily::default();
        family.set_name(self.inner.meta.name.to_owned());
        family.set_help(self.inner.meta.help.to_owned());
        family.set_field_type(C::PROTO_TYPE);
        family.set_metric(metrics);
        vec![family]
    }
}

/// The owned key of an open series: every label string, kept apart.
struct SeriesKey(Box<[Box<str>]>);

/// A borrowed view of a tuple of label strings, used to look a series up without allocating.
struct LabelsRef<'a>(&'a [&'a str]);

// Both key types hash the same way: the count, then each value with its length, so that
// `("ab", "c")` and `("a", "bc")` differ (prometheus 0.14 hashes the bytes alone).
fn hash_labels<'a, H: Hasher>(values: impl ExactSizeIterator<Item = &'a str>, state: &mut H) {
    state.write_usize(values.len());
    for value in values {
        state.write_usize(value.len());
        state.write(value.as_bytes());
    }
}

impl Hash for SeriesKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().map(|value| &**value), state);
    }
}

impl PartialEq for SeriesKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for SeriesKey {}

impl Hash for LabelsRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().copied(), state);
    }
}

impl Equivalent<SeriesKey> for LabelsRef<'_> {
    fn equivalent(&self, key: &SeriesKey) -> bool {
        self.0.len() == key.0.len() && self.0.iter().zip(key.0.iter()).all(|(a, b)| *a == &**b)
    }
}

/// A series returned by a recorder method: derefs to the prometheus series type, so `.inc()`,
/// `.inc_by()`, `.set()`, `.observe()`, `.start_timer()` and `.get()` work as usual.
///
/// It borrows the series when it lives in the dense table and holds a clone of it (a reference
/// count) when it comes from the map.
pub struct Handle<'a, C>(HandleRepr<'a, C>);

enum HandleRepr<'a, C> {
    Slot(&'a C),
    Owned(C),
}

impl<'a, C> Handle<'a, C> {
    #[inline]
    fn slot(series: &'a C) -> Self {
        Self(HandleRepr::Slot(series))
    }

    #[inline]
    fn owned(series: C) -> Self {
        Self(HandleRepr::Owned(series))
    }
}

impl<C> core::ops::Deref for Handle<'_, C> {
    type Target = C;

    #[inline]
    fn deref(&self) -> &C {
        match &self.0 {
            HandleRepr::Slot(series) => series,
            HandleRepr::Owned(series) => series,
        }
    }
}

impl<C: core::fmt::Debug> core::fmt::Debug for Handle<'_, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&**self, f)
    }
}
