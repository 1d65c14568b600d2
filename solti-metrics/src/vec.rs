//! Labelled metric families: a dense table for fixed label values, a map for open ones.

use std::collections::HashMap as StdHashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use hashbrown::{Equivalent, HashMap};
use prometheus::core::{Collector, Desc};
use prometheus::proto::{MetricFamily, MetricType};
use prometheus::{Counter, Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, Opts};

use crate::histogram::HistogramSeries;
use crate::label::LabelSet;
use crate::{MetricDesc, MetricKind};

/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention) and counted by [`MetricVec::dropped_series`].
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// The series type of a labelled family: one of prometheus' `Counter`, `IntCounter`, `Gauge`,
/// `IntGauge` or `Histogram`, or solti-metrics' [`HistogramSeries`] (the series of a
/// [`HistogramVec`](crate::HistogramVec)).
pub trait Child: prometheus::core::Metric + Collector + Sized + 'static + sealed::Sealed {
    /// The kind of metric this series type makes.
    const KIND: MetricKind;

    /// The prometheus metric type of the family.
    #[doc(hidden)]
    const PROTO_TYPE: MetricType;

    /// Creates one series of the family `desc`, carrying `labels` as its label pairs.
    #[doc(hidden)]
    fn create(desc: &'static MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self>;
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

            fn create(desc: &'static MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self> {
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

    fn create(desc: &'static MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self> {
        let opts = HistogramOpts { common_opts: opts(desc, labels), buckets: desc.buckets.to_vec() };
        Histogram::with_opts(opts)
    }
}

impl sealed::Sealed for HistogramSeries {}
impl Child for HistogramSeries {
    const KIND: MetricKind = MetricKind::Histogram;
    const PROTO_TYPE: MetricType = MetricType::HISTOGRAM;

    fn create(desc: &'static MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self> {
        HistogramSeries::create(desc, labels)
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
    // The dense table sits in the handle itself (a pointer and a length), not behind `inner`:
    // a record reads the slot's state and its series, nothing else.
    dense: Arc<[OnceLock<C>]>,
    inner: Arc<Inner<C>>,
}

struct Inner<C> {
    meta: &'static MetricDesc,
    desc: Desc,
    // Open label tuples map to an index into `arena`, where their series stay put: a lookup
    // holds the read lock only to find the index, and a record borrows the series (no
    // reference count to touch).
    open: RwLock<HashMap<SeriesKey, usize>>,
    arena: Arena<C>,
    overflow: OnceLock<C>,
    dropped: AtomicU64,
    // Takes the records of a series that could not be created: they are lost, the caller does
    // not panic. Label values are never validated by prometheus, so this is not expected to be
    // reached; it keeps the record path free of `unwrap`.
    detached: C,
}

impl<C: Child> Clone for MetricVec<C> {
    fn clone(&self) -> Self {
        Self { dense: Arc::clone(&self.dense), inner: Arc::clone(&self.inner) }
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
            dense: (0..L::DENSE_SLOTS).map(|_| OnceLock::new()).collect(),
            inner: Arc::new(Inner {
                meta,
                desc,
                open: RwLock::new(HashMap::new()),
                arena: Arena::default(),
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
        // The whole fast path: index arithmetic, a bounds check, the slot's one atomic load.
        // Everything else is out of line, so a recorder inlines to a handful of instructions
        // and does not save registers for paths it does not take.
        if L::DENSE_SLOTS > 0 {
            if let Some(series) = labels.dense_index().and_then(|i| self.dense.get(i)).and_then(OnceLock::get) {
                return Handle(series);
            }
        }
        // By value: a tuple of small labels travels in registers, not through the stack.
        self.with_slow(labels)
    }

    #[inline(never)]
    fn with_slow<L: LabelSet>(&self, labels: L) -> Handle<'_, C> {
        if L::DENSE_SLOTS > 0 {
            if let Some(slot) = labels.dense_index().and_then(|i| self.dense.get(i)) {
                return Handle(self.fill_slot(slot, &labels));
            }
        }
        Handle(self.open_series(&labels))
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

    fn open_series<L: LabelSet>(&self, labels: &L) -> &C {
        labels.with_strs(|values| {
            let key = LabelsRef(values);
            let index = self.inner.open.read().unwrap_or_else(PoisonError::into_inner).get(&key).copied();
            match index.and_then(|index| self.inner.arena.get(index)) {
                Some(series) => series,
                None => self.insert_open(values, labels),
            }
        })
    }

    #[cold]
    #[inline(never)]
    fn insert_open<L: LabelSet>(&self, values: &[&str], labels: &L) -> &C {
        let mut map = self.inner.open.write().unwrap_or_else(PoisonError::into_inner);
        let key = LabelsRef(values);
        if let Some(&index) = map.get(&key) {
            return self.inner.arena.get(index).unwrap_or(&self.inner.detached);
        }
        if let Some(limit) = self.inner.meta.max_series {
            if map.len() >= limit {
                drop(map);
                self.inner.dropped.fetch_add(1, Ordering::Relaxed);
                return self.overflow_series();
            }
        }
        // Indices are handed out in order under the write lock, so `map.len()` is free.
        let index = map.len();
        match self.inner.arena.insert(index, self.create_series(labels)) {
            Some(series) => {
                map.insert(SeriesKey::new(values), index);
                series
            }
            None => &self.inner.detached,
        }
    }

    fn overflow_series(&self) -> &C {
        self.inner.overflow.get_or_init(|| {
            let pairs = StdHashMap::from([(OVERFLOW_LABEL.to_owned(), "true".to_owned())]);
            C::create(self.inner.meta, pairs).unwrap_or_else(|_| self.inner.detached.clone())
        })
    }

    /// The number of series that exist now (the overflow series included).
    pub fn series_count(&self) -> usize {
        let dense = self.dense.iter().filter(|slot| slot.get().is_some()).count();
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
        let mut metrics: Vec<_> = self.dense.iter().filter_map(OnceLock::get).map(C::metric).collect();
        let open = self.inner.open.read().unwrap_or_else(PoisonError::into_inner).len();
        metrics.extend((0..open).filter_map(|index| self.inner.arena.get(index)).map(C::metric));
        metrics.extend(self.inner.overflow.get().map(C::metric));

        let mut family = MetricFamily::default();
        family.set_name(self.inner.meta.name.to_owned());
        family.set_help(self.inner.meta.help.to_owned());
        family.set_field_type(C::PROTO_TYPE);
        family.set_metric(metrics);
        vec![family]
    }
}

/// The owned key of an open series: every label string, each after its length, in one
/// allocation (one pointer to follow when a lookup compares keys).
#[derive(PartialEq, Eq)]
struct SeriesKey(Box<[u8]>);

const LEN_BYTES: usize = core::mem::size_of::<usize>();

impl SeriesKey {
    fn new(values: &[&str]) -> Self {
        let mut bytes = Vec::with_capacity(values.iter().map(|value| LEN_BYTES + value.len()).sum());
        for value in values {
            bytes.extend_from_slice(&value.len().to_le_bytes());
            bytes.extend_from_slice(value.as_bytes());
        }
        Self(bytes.into_boxed_slice())
    }

    fn values(&self) -> KeyValues<'_> {
        KeyValues(&self.0)
    }
}

/// The label strings of a [`SeriesKey`], as bytes.
struct KeyValues<'a>(&'a [u8]);

impl<'a> Iterator for KeyValues<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<LEN_BYTES>()?;
        let (value, rest) = rest.split_at_checked(usize::from_le_bytes(*len))?;
        self.0 = rest;
        Some(value)
    }
}

/// A borrowed view of a tuple of label strings, used to look a series up without allocating.
struct LabelsRef<'a>(&'a [&'a str]);

// Both key types hash the same way, each value's bytes in order. The hash does not need to
// tell `("ab", "c")` from `("a", "bc")` (foldhash mixes each write's length in, so it mostly
// does): `Equivalent` compares value by value, so distinct tuples never share a series.
// prometheus 0.14 compares nothing but a hash of the concatenated bytes.
#[inline]
fn hash_labels<'a, H: Hasher>(values: impl Iterator<Item = &'a [u8]>, state: &mut H) {
    for value in values {
        state.write(value);
    }
}

impl Hash for SeriesKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.values(), state);
    }
}

impl Hash for LabelsRef<'_> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().map(|value| value.as_bytes()), state);
    }
}

impl Equivalent<SeriesKey> for LabelsRef<'_> {
    #[inline]
    fn equivalent(&self, key: &SeriesKey) -> bool {
        let mut stored = key.values();
        self.0.iter().all(|value| stored.next().is_some_and(|stored| same_bytes(stored, value.as_bytes())))
            && stored.next().is_none()
    }
}

/// `a == b`, inline for the short strings label values mostly are: two overlapping word
/// compares instead of a call to `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        false
    } else if len > 16 {
        a == b
    } else if len >= 8 {
        a.first_chunk::<8>() == b.first_chunk::<8>() && a.last_chunk::<8>() == b.last_chunk::<8>()
    } else if len >= 4 {
        a.first_chunk::<4>() == b.first_chunk::<4>() && a.last_chunk::<4>() == b.last_chunk::<4>()
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// A series returned by a recorder method: derefs to the series type, so `.inc()`,
/// `.inc_by()`, `.set()`, `.observe()`, `.start_timer()` and `.get()` work as usual.
///
/// It borrows the series from its family (dense table or open-label arena), so it costs
/// nothing to make or drop; it cannot outlive the family.
pub struct Handle<'a, C>(&'a C);

impl<C> core::ops::Deref for Handle<'_, C> {
    type Target = C;

    #[inline]
    fn deref(&self) -> &C {
        self.0
    }
}

impl<C: core::fmt::Debug> core::fmt::Debug for Handle<'_, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&**self, f)
    }
}

/// Where the series of open label tuples live: chunks that double in size, each allocated on
/// first use, so a series never moves once created and readers need no lock.
struct Arena<C> {
    chunks: [OnceLock<Box<[OnceLock<C>]>>; ARENA_CHUNKS],
}

// Chunk `k` holds `ARENA_BASE << k` series: 16 + 32 + ... for 2^28 - 16 series in all; a tuple
// beyond that records into the family's detached series.
const ARENA_BASE: usize = 16;
const ARENA_CHUNKS: usize = 24;

impl<C> Default for Arena<C> {
    fn default() -> Self {
        Self { chunks: core::array::from_fn(|_| OnceLock::new()) }
    }
}

impl<C> Arena<C> {
    /// The chunk and the position in it of series `index`.
    #[inline]
    fn locate(index: usize) -> (usize, usize) {
        let n = index.saturating_add(ARENA_BASE);
        let chunk = (n.ilog2() - ARENA_BASE.ilog2()) as usize;
        (chunk, n - (ARENA_BASE << chunk))
    }

    #[inline]
    fn get(&self, index: usize) -> Option<&C> {
        let (chunk, offset) = Self::locate(index);
        self.chunks.get(chunk)?.get()?.get(offset)?.get()
    }

    /// Stores the series `index`; `None` past the arena's capacity.
    fn insert(&self, index: usize, series: C) -> Option<&C> {
        let (chunk, offset) = Self::locate(index);
        let series_in_chunk = ARENA_BASE << chunk;
        let slots = self.chunks.get(chunk)?.get_or_init(|| (0..series_in_chunk).map(|_| OnceLock::new()).collect());
        let slot = slots.get(offset)?;
        // Callers hand each index out once, under the map's write lock: the slot is empty.
        let _ = slot.set(series);
        slot.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static META: MetricDesc = MetricDesc {
        name: "t_total",
        help: "A counter.",
        kind: MetricKind::Counter,
        labels: &["a", "b"],
        buckets: &[],
        max_series: None,
        field: "t_total",
    };

    #[test]
    fn arena_positions_are_distinct_and_dense() {
        let mut seen = std::collections::HashSet::new();
        for index in 0..10_000 {
            let (chunk, offset) = Arena::<()>::locate(index);
            assert!(offset < ARENA_BASE << chunk, "{index}");
            assert!(seen.insert((chunk, offset)), "{index}");
        }
        assert_eq!(Arena::<()>::locate(0), (0, 0));
        assert_eq!(Arena::<()>::locate(ARENA_BASE), (1, 0));
    }

    /// Open series, across several arena chunks and with tuples that split the same bytes
    /// differently, each keep their own count; the family exports each of them once.
    #[test]
    fn open_series_stay_apart_and_in_place() {
        let family = MetricVec::<IntCounter>::new::<(&str, &str)>(&META).unwrap();
        let tuples: Vec<(String, String)> = (0..1_000)
            .map(|i| match i % 3 {
                0 => (format!("ab{i}"), "c".to_owned()),
                1 => (format!("a{i}"), "bc".to_owned()),
                _ => (format!("a-rather-long-label-value-{i}"), String::new()),
            })
            .collect();
        for (n, (a, b)) in tuples.iter().enumerate() {
            family.with((a.as_str(), b.as_str())).inc_by(n as u64 + 1);
        }
        let first: *const IntCounter = &*family.with(("ab0", "c"));
        for (n, (a, b)) in tuples.iter().enumerate() {
            assert_eq!(family.with((a.as_str(), b.as_str())).get(), n as u64 + 1, "{a:?} {b:?}");
        }
        assert!(core::ptr::eq(first, &*family.with(("ab0", "c"))), "a series never moves");
        assert_eq!(family.series_count(), tuples.len());
        assert_eq!(family.collect()[0].get_metric().len(), tuples.len());
    }

    #[test]
    fn short_and_long_byte_strings_compare_exactly() {
        let values =
            ["", "a", "ab", "abc", "abcd", "abcde", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq"];
        for a in values {
            for b in values {
                assert_eq!(same_bytes(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
            for position in [0, a.len() / 2, a.len().saturating_sub(1)] {
                let mut changed = a.as_bytes().to_vec();
                if let Some(byte) = changed.get_mut(position) {
                    *byte ^= 1;
                    assert!(!same_bytes(a.as_bytes(), &changed), "{a:?} at {position}");
                }
            }
        }
    }
}
