//! Labelled metric families: a dense table for fixed label values, a map for open ones.

use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use hashbrown::DefaultHashBuilder;
use prometheus::core::{Collector, Desc};
use prometheus::proto::{self, MetricFamily, MetricType};
use prometheus::{Counter, Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, Opts};

use crate::histogram::HistogramSeries;
use crate::label::LabelSet;
use crate::{MetricDesc, MetricKind};

/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention), and [`MetricVec::overflow_records`] counts the records that
/// went there.
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
/// [`HistogramVec`](crate::HistogramVec). Record through the typed recorder methods the derive
/// generates: they find the series of their arguments here.
///
/// Series are created on first use, so a series is exported only once it has been recorded.
/// When every label has a fixed set of values (see [`LabelValue`](crate::LabelValue)), series
/// live in a dense table and finding one is index arithmetic and one atomic load. Otherwise they
/// live in a map keyed by the whole tuple of label strings, so distinct tuples never share a
/// series.
///
/// Memory: the dense table is allocated when the family is registered, one slot (16 to 48
/// bytes) per combination of label values, at most [`MAX_DENSE_SLOTS`](crate::MAX_DENSE_SLOTS).
/// The map only grows, and keeps the tables it outgrew for readers that may still probe them,
/// so it holds about four slots per series besides the series itself; `max_series` bounds it.
pub struct MetricVec<C: Child> {
    // The dense table sits in the handle itself (a pointer and a length), not behind `inner`:
    // a record reads the slot's state and its series, nothing else.
    dense: Arc<[OnceLock<C>]>,
    inner: Arc<Inner<C>>,
}

struct Inner<C> {
    meta: &'static MetricDesc,
    desc: Desc,
    // Open label tuples and their series: a lookup takes no lock, and a record borrows the
    // series (no reference count to touch).
    open: OpenIndex<C>,
    overflow: OnceLock<C>,
    overflow_records: AtomicU64,
    // The order `Registry::gather` sorts the series in, as positions in `collect`'s natural
    // order, from the last collect. Series are never removed, so when their number is
    // unchanged the natural order is almost always too, and `collect` hands the registry a
    // sorted family (its stable sort then only confirms it) instead of sorting it on every
    // scrape. A scrape that races with new series may see the same number but a different
    // set; its family then comes out unsorted, and `Registry::gather`, which always sorts,
    // puts it right.
    gather_order: Mutex<Vec<usize>>,
    // Takes the records that have no series of their own: a label tuple of another type than
    // the family was built for, or a series prometheus refused to create. They are lost and
    // never exported, but the caller does not panic. Generated recorders always pass the
    // declared tuple, and label values are never validated by prometheus, so this is not
    // expected to be reached; it keeps the record path free of `unwrap`.
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
        if C::KIND == MetricKind::Histogram && meta.labels.contains(&"le") {
            return Err(prometheus::Error::Msg(format!(
                "histogram `{}` cannot have a label `le`: it holds the bucket bound",
                meta.name
            )));
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
                open: OpenIndex::default(),
                overflow: OnceLock::new(),
                overflow_records: AtomicU64::new(0),
                gather_order: Mutex::new(Vec::new()),
                detached,
            }),
        })
    }

    /// The series for `labels`, created on first use.
    ///
    /// This is what the generated recorder methods call, with the tuple of their typed
    /// arguments; call those instead. A tuple whose length or dense table size differs from
    /// the declared labels' records into a series that is never exported.
    #[doc(hidden)]
    #[inline]
    pub fn with<L: LabelSet>(&self, labels: L) -> Handle<'_, C> {
        // The whole fast path: index arithmetic, a bounds check, the slot's one atomic load.
        // Everything else is out of line, so a recorder inlines to a handful of instructions
        // and does not save registers for paths it does not take. The table's length is read
        // for the bounds check anyway; comparing it with `L`'s keeps a tuple of another type
        // out of the declared tuples' slots.
        if L::DENSE_SLOTS > 0 && self.dense.len() == L::DENSE_SLOTS {
            if let Some(series) = labels.dense_index().and_then(|i| self.dense.get(i)).and_then(OnceLock::get) {
                return Handle(series);
            }
        }
        // By value: a tuple of small labels travels in registers, not through the stack.
        self.with_slow(labels)
    }

    #[inline(never)]
    fn with_slow<L: LabelSet>(&self, labels: L) -> Handle<'_, C> {
        if L::LEN != self.inner.meta.labels.len() || L::DENSE_SLOTS != self.dense.len() {
            return Handle(&self.inner.detached);
        }
        if L::DENSE_SLOTS > 0 {
            if let Some(slot) = labels.dense_index().and_then(|i| self.dense.get(i)) {
                return Handle(self.fill_slot(slot, &labels));
            }
        }
        Handle(self.open_series(&labels))
    }

    #[cold]
    #[inline(never)]
    fn fill_slot<'s>(&'s self, slot: &'s OnceLock<C>, labels: &impl LabelSet) -> &'s C {
        if let Some(series) = slot.get() {
            return series;
        }
        let Some(series) = self.create_series(labels) else { return &self.inner.detached };
        // Two threads may both build a series here; `OnceLock` keeps the first, and both
        // record into it.
        let _ = slot.set(series);
        slot.get().unwrap_or(&self.inner.detached)
    }

    /// A new series for `labels`; `None` when prometheus refuses it.
    fn create_series(&self, labels: &impl LabelSet) -> Option<C> {
        let meta = self.inner.meta;
        let pairs = labels.with_strs(|values| {
            meta.labels
                .iter()
                .zip(values)
                .map(|(&name, &value)| (name.to_owned(), value.to_owned()))
                .collect::<StdHashMap<_, _>>()
        });
        C::create(meta, pairs).ok()
    }

    fn open_series<L: LabelSet>(&self, labels: &L) -> &C {
        labels.with_strs(|values| {
            let hash = self.inner.open.hash(values);
            match self.inner.open.find(hash, values) {
                Some(series) => series,
                None => self.insert_open(hash, values, labels),
            }
        })
    }

    #[cold]
    #[inline(never)]
    fn insert_open<L: LabelSet>(&self, hash: u64, values: &[&str], labels: &L) -> &C {
        let limit = self.inner.meta.max_series.unwrap_or(usize::MAX);
        // Once the limit is reached, a tuple without a series goes to the overflow series
        // without taking the writer lock: a flood of new tuples does not serialise recorders.
        if self.inner.open.len() >= limit {
            // The count is read after the caller's lookup: a series another thread created
            // in between, and counted, is visible to a second lookup.
            return self.inner.open.find(hash, values).unwrap_or_else(|| self.overflow_series());
        }
        let mut len = self.inner.open.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // Under the writer lock the newest table holds every tuple.
        if let Some(series) = self.inner.open.find(hash, values) {
            return series;
        }
        if *len >= limit {
            drop(len);
            return self.overflow_series();
        }
        let Some(series) = self.create_series(labels) else { return &self.inner.detached };
        let entry = Entry { hash, key: SeriesKey::new(values), series };
        self.inner.open.insert(&mut len, entry).unwrap_or(&self.inner.detached)
    }

    /// The series of the tuples past `max_series`, counting the record.
    fn overflow_series(&self) -> &C {
        self.inner.overflow_records.fetch_add(1, Ordering::Relaxed);
        if let Some(series) = self.inner.overflow.get() {
            return series;
        }
        let pairs = StdHashMap::from([(OVERFLOW_LABEL.to_owned(), "true".to_owned())]);
        let Ok(series) = C::create(self.inner.meta, pairs) else { return &self.inner.detached };
        let _ = self.inner.overflow.set(series);
        self.inner.overflow.get().unwrap_or(&self.inner.detached)
    }

    /// The number of series that exist now (the overflow series included).
    pub fn series_count(&self) -> usize {
        let dense = self.dense.iter().filter(|slot| slot.get().is_some()).count();
        dense + self.inner.open.len() + usize::from(self.inner.overflow.get().is_some())
    }

    /// How many records went to the overflow series because their label tuple had no series
    /// and the metric's `max_series` limit was reached. Always `0` for a metric without a
    /// limit.
    pub fn overflow_records(&self) -> u64 {
        self.inner.overflow_records.load(Ordering::Relaxed)
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
        let mut series: Vec<&C> = self.dense.iter().filter_map(OnceLock::get).collect();
        series.extend(self.inner.open.series());
        series.extend(self.inner.overflow.get());

        let mut order = self.inner.gather_order.lock().unwrap_or_else(PoisonError::into_inner);
        let metrics = if order.len() == series.len() {
            order.iter().filter_map(|&position| series.get(position)).map(|series| series.metric()).collect()
        } else {
            let mut metrics: Vec<Option<proto::Metric>> = series.iter().map(|series| Some(series.metric())).collect();
            let mut positions: Vec<usize> = (0..metrics.len()).collect();
            positions.sort_by(|&a, &b| match (&metrics[a], &metrics[b]) {
                (Some(a), Some(b)) => gather_cmp(a, b),
                _ => core::cmp::Ordering::Equal,
            });
            let sorted = positions.iter().filter_map(|&position| metrics.get_mut(position)?.take()).collect();
            *order = positions;
            sorted
        };
        drop(order);

        let mut family = MetricFamily::default();
        family.set_name(self.inner.meta.name.to_owned());
        family.set_help(self.inner.meta.help.to_owned());
        family.set_field_type(C::PROTO_TYPE);
        family.set_metric(metrics);
        vec![family]
    }
}

/// The order of `Registry::gather` (prometheus 0.14, `registry.rs`): by the number of labels,
/// then by the label values in the order of the label pairs.
fn gather_cmp(a: &proto::Metric, b: &proto::Metric) -> core::cmp::Ordering {
    let (a, b) = (a.get_label(), b.get_label());
    a.len().cmp(&b.len()).then_with(|| a.iter().map(|pair| pair.value()).cmp(b.iter().map(|pair| pair.value())))
}

/// The series of open label tuples: tables of `(hash, key, series)` entries that only ever
/// gain entries and are never freed before the family, so a lookup takes no lock and a
/// record borrows the series it finds.
///
/// Writers (a tuple's first record) take `writer`, which also counts the entries. The newest
/// table is kept at most half full; when it would pass that, a copy twice its size replaces it
/// and becomes `current` (a copied entry shares its key and its series with the original, so
/// records through either land in the same atomics). A reader that still probes the previous
/// table misses the newest tuples and takes the writer path, which finds them.
struct OpenIndex<C> {
    hasher: DefaultHashBuilder,
    current: AtomicUsize,
    tables: [OnceLock<Table<C>>; INDEX_TABLES],
    writer: Mutex<usize>,
    len: AtomicUsize,
}

// Table `g` has `INDEX_FIRST << g` slots.
const INDEX_FIRST: usize = 32;
const INDEX_TABLES: usize = 32;

#[derive(Clone)]
struct Entry<C> {
    hash: u64,
    key: SeriesKey,
    series: C,
}

struct Table<C> {
    slots: Box<[OnceLock<Entry<C>>]>,
}

impl<C> Default for OpenIndex<C> {
    fn default() -> Self {
        Self {
            hasher: DefaultHashBuilder::default(),
            current: AtomicUsize::new(0),
            tables: core::array::from_fn(|_| OnceLock::new()),
            writer: Mutex::new(0),
            len: AtomicUsize::new(0),
        }
    }
}

impl<C: Clone> OpenIndex<C> {
    /// The hash of a tuple: each value's bytes in order. It does not need to tell `("ab", "c")`
    /// from `("a", "bc")` (foldhash mixes each write's length in, so it mostly does): entries
    /// are compared value by value, so distinct tuples never share a series. prometheus 0.14
    /// compares nothing but a hash of the concatenated bytes.
    #[inline]
    fn hash(&self, values: &[&str]) -> u64 {
        let mut state = self.hasher.build_hasher();
        for value in values {
            state.write(value.as_bytes());
        }
        state.finish()
    }

    /// The series of `values`, if they have one.
    #[inline]
    fn find(&self, hash: u64, values: &[&str]) -> Option<&C> {
        let table = self.tables.get(self.current.load(Ordering::Acquire))?.get()?;
        table.find(hash, values)
    }

    /// The number of entries.
    fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Every series, in no particular order.
    fn series(&self) -> impl Iterator<Item = &C> {
        let table = self.tables.get(self.current.load(Ordering::Acquire)).and_then(OnceLock::get);
        table.into_iter().flat_map(|table| table.slots.iter().filter_map(OnceLock::get)).map(|entry| &entry.series)
    }

    /// Adds `entry`, not yet in the index, and returns its series; `len` is the writer lock's
    /// count. `None` only past the last table's capacity.
    fn insert(&self, len: &mut usize, entry: Entry<C>) -> Option<&C> {
        let current = self.current.load(Ordering::Relaxed);
        let mut table = self.tables.get(current)?.get_or_init(|| Table::new(INDEX_FIRST));
        if (*len + 1) * 2 > table.slots.len() {
            if let Some(next) = self.tables.get(current + 1) {
                let bigger = Table::new(table.slots.len() * 2);
                for old in table.slots.iter().filter_map(OnceLock::get) {
                    bigger.put(old.clone());
                }
                table = next.get_or_init(|| bigger);
                self.current.store(current + 1, Ordering::Release);
            }
        }
        let entry = table.put(entry)?;
        *len += 1;
        self.len.store(*len, Ordering::Release);
        Some(&entry.series)
    }
}

impl<C> Table<C> {
    fn new(slots: usize) -> Self {
        Self { slots: (0..slots).map(|_| OnceLock::new()).collect() }
    }

    /// Linear probing from the hash's slot to the entry or an empty slot (the table is never
    /// more than half full, so one is near).
    #[inline]
    fn find(&self, hash: u64, values: &[&str]) -> Option<&C> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut slot = hash as usize & mask;
        for _ in 0..self.slots.len() {
            let entry = self.slots.get(slot)?.get()?;
            if entry.hash == hash && entry.key.matches(values) {
                return Some(&entry.series);
            }
            slot = (slot + 1) & mask;
        }
        None
    }

    /// Stores `entry` in the first empty slot of its probe sequence; writers only.
    fn put(&self, entry: Entry<C>) -> Option<&Entry<C>> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut slot = entry.hash as usize & mask;
        for _ in 0..self.slots.len() {
            let cell = self.slots.get(slot)?;
            if cell.get().is_none() {
                let _ = cell.set(entry);
                return cell.get();
            }
            slot = (slot + 1) & mask;
        }
        None
    }
}

/// The owned key of an open series: every label string, each after its length, in one
/// allocation shared by the index's tables.
#[derive(Clone)]
struct SeriesKey(Arc<[u8]>);

const LEN_BYTES: usize = core::mem::size_of::<usize>();

impl SeriesKey {
    fn new(values: &[&str]) -> Self {
        let mut bytes = Vec::with_capacity(values.iter().map(|value| LEN_BYTES + value.len()).sum());
        for value in values {
            bytes.extend_from_slice(&value.len().to_le_bytes());
            bytes.extend_from_slice(value.as_bytes());
        }
        Self(bytes.into())
    }

    fn values(&self) -> KeyValues<'_> {
        KeyValues(&self.0)
    }

    /// Whether the key holds exactly `values`, in order.
    #[inline]
    fn matches(&self, values: &[&str]) -> bool {
        let mut stored = self.values();
        values.iter().all(|value| stored.next().is_some_and(|stored| same_bytes(stored, value.as_bytes())))
            && stored.next().is_none()
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
/// It borrows the series from its family (dense table or open-label index), so it costs
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

    /// Every exported series carries the declared labels (or only the overflow label).
    fn assert_well_labelled<C: Child>(family: &MetricVec<C>) {
        for metric in family.collect()[0].get_metric() {
            let names: Vec<&str> = metric.get_label().iter().map(|pair| pair.name()).collect();
            assert!(names == family.meta().labels || names == [OVERFLOW_LABEL], "{names:?}");
        }
    }

    /// A tuple of another type than the family's records nowhere visible and spoils nothing:
    /// not the declared tuples' slots, not the map, not the exposition.
    #[test]
    fn mismatched_tuples_never_reach_a_series() {
        let dense = MetricVec::<IntCounter>::new::<(bool, bool)>(&META).unwrap();
        dense.with((true,)).inc();
        dense.with((1u8, 2u8)).inc();
        dense.with(("x", "y", "z")).inc();
        dense.with((false, true)).inc_by(5);
        assert_eq!(dense.series_count(), 1);
        assert_eq!(dense.with((false, true)).get(), 5);
        assert_well_labelled(&dense);

        let open = MetricVec::<IntCounter>::new::<(&str, &str)>(&META).unwrap();
        open.with(("a",)).inc();
        open.with(("a",)).inc();
        open.with((true, false)).inc();
        assert_eq!(open.series_count(), 0);
        assert!(open.collect()[0].get_metric().is_empty());
    }

    /// `le` holds a histogram's bucket bound: a family that declares it is refused, rather
    /// than losing every record.
    #[test]
    fn histogram_with_le_label_is_refused() {
        static LE: MetricDesc = MetricDesc {
            name: "t_seconds",
            help: "A histogram.",
            kind: MetricKind::Histogram,
            labels: &["le"],
            buckets: &[1.0],
            max_series: None,
            field: "t_seconds",
        };
        assert!(MetricVec::<HistogramSeries>::new::<(&str,)>(&LE).is_err());
        assert!(MetricVec::<Histogram>::new::<(&str,)>(&LE).is_err());
        assert!(MetricVec::<IntCounter>::new::<(&str,)>(&LE).is_ok(), "`le` is an ordinary label elsewhere");
    }

    /// Open series, across several index tables and with tuples that split the same bytes
    /// differently, each keep their own count and their place; the family exports each once.
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
        // Taken before the index grows: it stays valid and records into the same series.
        let early = family.with(("ab0", "c"));
        for (n, (a, b)) in tuples.iter().enumerate() {
            family.with((a.as_str(), b.as_str())).inc_by(n as u64 + 1);
        }
        early.inc();
        for (n, (a, b)) in tuples.iter().enumerate() {
            let expected = n as u64 + 1 + u64::from(n == 0);
            assert_eq!(family.with((a.as_str(), b.as_str())).get(), expected, "{a:?} {b:?}");
        }
        assert_eq!(family.series_count(), tuples.len());
        assert_eq!(family.collect()[0].get_metric().len(), tuples.len());
    }

    /// Threads that create series while others record into existing ones (the index grows
    /// under them) lose no record and create no series twice.
    #[test]
    fn concurrent_growth_keeps_every_record() {
        const THREADS: usize = 4;
        const TUPLES: usize = 2_000;
        let family = MetricVec::<IntCounter>::new::<(&str, &str)>(&META).unwrap();
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let family = &family;
                scope.spawn(move || {
                    for i in 0..TUPLES {
                        // Every thread records every tuple, in its own order.
                        let n = (i * 7 + thread * 499) % TUPLES;
                        family.with((format!("t{n}").as_str(), "x")).inc();
                        family.with(("shared", "x")).inc();
                    }
                });
            }
        });
        assert_eq!(family.series_count(), TUPLES + 1);
        for n in 0..TUPLES {
            assert_eq!(family.with((format!("t{n}").as_str(), "x")).get(), THREADS as u64, "t{n}");
        }
        assert_eq!(family.with(("shared", "x")).get(), (THREADS * TUPLES) as u64);
    }

    /// `collect` hands the registry its series already in gather order, also after new series
    /// arrive between two collects.
    #[test]
    fn collect_returns_gather_order() {
        let family = MetricVec::<IntCounter>::new::<(&str, &str)>(&META).unwrap();
        let sorted = |family: &MetricVec<IntCounter>| {
            let metrics = family.collect().remove(0).take_metric();
            metrics.windows(2).all(|pair| gather_cmp(&pair[0], &pair[1]).is_lt())
        };
        for i in (0..200).rev() {
            family.with((format!("v{}", i * 7919 % 200).as_str(), "x")).inc();
            if i % 50 == 0 {
                assert!(sorted(&family), "after {i}");
                assert!(sorted(&family), "again after {i}");
            }
        }
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
