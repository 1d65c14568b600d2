//! A metric's family of series: a dense table for label tuples with a fixed set of values, the
//! open index for the others, and the family's exposition.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use prometheus::core::Desc;
use prometheus::proto::{MetricFamily, MetricType};

use crate::desc::{self, MetricDesc, MetricKind};
use crate::encode::{self, FamilyWriter, Format};
use crate::error::Error;
use crate::exemplar::{ExemplarSeries, ExemplarTable};
use crate::key::{self, KeyBuf, KeyValue, key_values};
use crate::label::LabelSet;
use crate::lease::{self, Idle, Lease, RemovableIndex};
use crate::open::OpenIndex;
use crate::series::{Collected, Series};

/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention), and [`Family::overflow_records`] counts the records that
/// went there.
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// Slots per page of a dense table; a table of fewer slots is one page of its size.
const PAGE: usize = 256;

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
    pages: Arc<[Page<S>]>,
    dense_slots: usize,
    inner: Arc<Inner<S>>,
}

/// What `#[metric(collect = ..)]` runs on a family's series before each exposition.
type Refresh<S> = dyn Fn(&S) + Send + Sync;

/// A page of a dense table, allocated on its first use.
type Page<S> = OnceLock<Box<[Slot<S>]>>;

struct Slot<S> {
    live: AtomicBool,
    series: S,
}

impl<S: Series> Slot<S> {
    /// Takes the slot's series out of the exposition and sets it back to zero, for the next
    /// record to find it afresh (records through a series held across this count there).
    fn retire(&self) {
        self.live.store(false, Ordering::Relaxed);
        self.series.reset();
    }
}

/// A dense slot in use.
struct DenseLive {
    index: usize,
    key: Box<[u8]>,
    /// What `expire_after` remembers of the series between expositions.
    idle: Idle,
}

/// The series in export order, with their labels rendered (`a="x",b="y"`, the same text in
/// both formats): a scrape copies them instead of decoding and escaping every key again.
struct Export<S> {
    order: Vec<SeriesRef>,
    /// The series of a removable metric's open labels, as they were when the order was made;
    /// emptied when a series is removed, so that it holds none past its removal.
    leased: Vec<Arc<lease::Entry<S>>>,
    /// The rendered labels of every series, one after the other.
    labels: Vec<u8>,
    /// Where each series' labels end in `labels` (4 GiB of label text is far past what a
    /// process holds).
    ends: Vec<u32>,
}

impl<S> Default for Export<S> {
    fn default() -> Self {
        Self { order: Vec::new(), leased: Vec::new(), labels: Vec::new(), ends: Vec::new() }
    }
}

impl<S> Export<S> {
    /// Forgets the order, to be made again at the next exposition, and frees what it held.
    fn invalidate(&mut self) {
        *self = Self::default();
    }

    /// The series in order, each with its rendered labels.
    fn series(&self) -> impl Iterator<Item = (SeriesRef, &[u8])> {
        let starts = core::iter::once(0).chain(self.ends.iter().copied());
        self.order
            .iter()
            .zip(starts.zip(&self.ends))
            .map(|(&series, (start, &end))| (series, self.labels.get(start as usize..end as usize).unwrap_or_default()))
    }
}

/// Where an exported series lives.
#[derive(Clone, Copy)]
enum SeriesRef {
    /// Position in `Inner::dense_live`.
    Dense(u32),
    /// Number of an open entry.
    Open(u32),
    /// Position in `Export::leased`.
    Leased(u32),
    Overflow,
}

/// Where the keys and series that a [`SeriesRef`] points to are read from.
struct View<'a, S> {
    dense: &'a [DenseLive],
    leased: &'a [Arc<lease::Entry<S>>],
}

struct Inner<S> {
    meta: &'static MetricDesc,
    bounds: &'static [f64],
    /// The `le` pairs of the bounds in each format (Prometheus, OpenMetrics), as bucket lines
    /// write them ([`encode::bucket_bound`]).
    le: [Box<[String]>; 2],
    /// The declared positions of the labels, in the order of their names: labels are exported
    /// sorted by name, as `prometheus` exports them.
    name_order: Box<[usize]>,
    /// The dense slots in use, in the order they were first used.
    dense_live: Mutex<Vec<DenseLive>>,
    open: OpenIndex<S>,
    /// The open series of a removable metric (`#[metric(removable)]`, `expire_after`), which
    /// then never go into `open`.
    removable: Option<RemovableIndex<S>>,
    /// Set when an open series was removed since the export order was made (which may still
    /// hold it).
    removed: AtomicBool,
    overflow: OnceLock<S>,
    overflow_records: AtomicU64,
    /// The export order of the last exposition and the series' rendered labels; valid while
    /// the number of series is unchanged (a removal empties it).
    export: Mutex<Export<S>>,
    // Takes the records of a label tuple of another type than the family was built for: they
    // are lost and never exported, but the caller does not panic. Generated recorders always
    // pass the declared tuple, so this is not expected to be reached.
    detached: S,
    /// For registration in a `prometheus::Registry`.
    desc: Desc,
    /// `#[metric(collect = ..)]`: sets the one series' value before each exposition.
    collect: OnceLock<Box<Refresh<S>>>,
    /// The set's constant labels (`MetricsSet::register_with`), sorted by name.
    const_labels: OnceLock<Box<[(String, String)]>>,
    /// `#[metric(exemplars)]`: the series' exemplars, beside them; `None` without.
    exemplars: Option<ExemplarTable>,
}

impl<S: Series, const LABELLED: bool> Clone for Family<S, LABELLED> {
    fn clone(&self) -> Self {
        Self { pages: Arc::clone(&self.pages), dense_slots: self.dense_slots, inner: Arc::clone(&self.inner) }
    }
}

impl<S: Series, const LABELLED: bool> core::fmt::Debug for Family<S, LABELLED> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Family")
            .field("name", &self.inner.meta.name)
            .field("labels", &self.inner.meta.labels)
            .field("series", &self.series_count())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// Creates the family described by `meta`, with a dense table sized for the label tuple
    /// `L`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMetric`] when `meta` breaks a Prometheus rule the derive checks at
    /// compile time (names, reserved labels, buckets) or `L` does not match its labels.
    pub fn new<L: LabelSet>(meta: &'static MetricDesc) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidMetric { metric: meta.name.to_owned(), reason };
        if L::LEN != meta.labels.len() || LABELLED != (L::LEN > 0) {
            return Err(invalid(format!("declares {} labels, recorded with {}", meta.labels.len(), L::LEN)));
        }
        if L::LEN > key::MAX_LABELS {
            return Err(invalid(format!("has {} labels, more than the {} a series holds", L::LEN, key::MAX_LABELS)));
        }
        if !desc::is_metric_name(meta.name) {
            return Err(invalid("not a valid metric name".to_owned()));
        }
        for (i, &label) in meta.labels.iter().enumerate() {
            if !desc::is_label_name(label) || label == OVERFLOW_LABEL {
                return Err(invalid(format!("`{label}` cannot be a label name")));
            }
            if meta.labels[..i].contains(&label) {
                return Err(invalid(format!("label `{label}` is declared twice")));
            }
            if S::KIND == MetricKind::Histogram && label == desc::BUCKET_LABEL {
                return Err(invalid("a histogram cannot have a label `le`: it holds the bucket bound".to_owned()));
            }
        }
        if meta.exemplars && matches!(S::KIND, MetricKind::Gauge | MetricKind::Info) {
            return Err(invalid(
                "only counters and histograms have exemplars: OpenMetrics puts them on counters and histogram buckets"
                    .to_owned(),
            ));
        }
        let removable = meta.removable || meta.expire_after.is_some();
        if meta.exemplars && removable {
            // Exemplars are kept by the series' address, which a removed series gives back.
            return Err(invalid("a metric cannot have both exemplars and removable series".to_owned()));
        }
        if removable && !LABELLED {
            return Err(invalid("a metric without labels has one series, which cannot be removed".to_owned()));
        }
        if S::KIND == MetricKind::Info && meta.expire_after.is_some() {
            return Err(invalid(
                "an info metric's value never changes: `expire_after` would remove every series".to_owned(),
            ));
        }
        if meta.expire_after == Some(0) {
            return Err(invalid("`expire_after` counts expositions: at least 1".to_owned()));
        }
        let bounds = match S::KIND {
            MetricKind::Histogram => desc::histogram_bounds(meta.buckets)
                .ok_or_else(|| invalid("bucket bounds must be finite and strictly increasing".to_owned()))?,
            MetricKind::Counter | MetricKind::Gauge | MetricKind::Info => &[],
        };
        let desc = Desc::new(
            meta.name.to_owned(),
            meta.help.to_owned(),
            meta.labels.iter().map(|&label| label.to_owned()).collect(),
            Default::default(),
        )
        .map_err(|error| invalid(error.to_string()))?;
        let mut name_order: Vec<usize> = (0..meta.labels.len()).collect();
        name_order.sort_by_key(|&i| meta.labels[i]);
        let le = [Format::Prometheus, Format::OpenMetrics]
            .map(|format| bounds.iter().map(|&bound| encode::bucket_bound(format, bound)).collect());

        let family = Self {
            pages: (0..L::DENSE_SLOTS.div_ceil(PAGE)).map(|_| OnceLock::new()).collect(),
            dense_slots: L::DENSE_SLOTS,
            inner: Arc::new(Inner {
                meta,
                bounds,
                le,
                name_order: name_order.into(),
                dense_live: Mutex::new(Vec::new()),
                open: OpenIndex::default(),
                removable: removable.then(|| RemovableIndex::new(S::new(bounds))),
                removed: AtomicBool::new(false),
                overflow: OnceLock::new(),
                overflow_records: AtomicU64::new(0),
                export: Mutex::new(Export::default()),
                detached: S::new(bounds),
                desc,
                collect: OnceLock::new(),
                const_labels: OnceLock::new(),
                exemplars: meta.exemplars.then(ExemplarTable::default),
            }),
        };
        if !LABELLED {
            // A metric without labels is exported from registration on, as `prometheus` does.
            family.first_use(0, &());
        } else if meta.init {
            for index in 0..L::DENSE_SLOTS {
                if let Some(labels) = L::from_dense_index(index) {
                    family.first_use(index, &labels);
                }
            }
        }
        Ok(family)
    }

    /// The catalog entry of this family.
    pub fn meta(&self) -> &'static MetricDesc {
        self.inner.meta
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
        self.inner.overflow_records.load(Ordering::Relaxed)
    }

    /// The series for `labels`, created on first use.
    ///
    /// This is what the generated recorder methods call, with the tuple of their typed
    /// arguments; call those instead. A tuple whose length or dense table size differs from
    /// the declared labels' records into a series that is never exported.
    #[doc(hidden)]
    #[inline]
    pub fn with<L: LabelSet>(&self, labels: L) -> &S {
        // The whole fast path: index arithmetic, the page's pointer, the slot's flag. The rest
        // is out of line, so a recorder inlines to a handful of instructions.
        if L::DENSE_SLOTS > 0 && self.dense_slots == L::DENSE_SLOTS {
            if let Some(index) = labels.dense_index() {
                let page = self.pages.get(index / PAGE).and_then(OnceLock::get);
                if let Some(slot) = page.and_then(|page| page.get(index % PAGE)) {
                    if slot.live.load(Ordering::Relaxed) {
                        return &slot.series;
                    }
                }
            }
        }
        if L::DENSE_SLOTS == 0 && self.dense_slots == 0 && L::LEN == self.inner.meta.labels.len() {
            // A tuple with an open label: straight to the open index.
            return self.open_series(&labels);
        }
        // By value: a tuple of small labels travels in registers, not through the stack.
        self.with_slow(labels)
    }

    /// The series for `labels` (`()` without labels) with its exemplars: what the recorder
    /// method of a metric declared with `#[metric(exemplars)]` returns.
    #[doc(hidden)]
    #[inline]
    pub fn exemplar_series<L: LabelSet>(&self, labels: L) -> ExemplarSeries<'_, S> {
        ExemplarSeries::new(self.with(labels), &self.inner.exemplars)
    }

    #[inline(never)]
    fn with_slow<L: LabelSet>(&self, labels: L) -> &S {
        if L::LEN != self.inner.meta.labels.len() || L::DENSE_SLOTS != self.dense_slots {
            return &self.inner.detached;
        }
        if L::DENSE_SLOTS > 0 {
            if let Some(index) = labels.dense_index().filter(|&index| index < self.dense_slots) {
                return self.first_use(index, &labels);
            }
        }
        self.open_series(&labels)
    }

    /// The dense slot `index` (below `dense_slots`), made live with the key of `labels`.
    #[cold]
    #[inline(never)]
    fn first_use(&self, index: usize, labels: &impl LabelSet) -> &S {
        let page_number = index / PAGE;
        let Some(page) = self.pages.get(page_number) else { return &self.inner.detached };
        let page = page.get_or_init(|| {
            let len = (self.dense_slots - page_number * PAGE).min(PAGE);
            (0..len).map(|_| Slot { live: AtomicBool::new(false), series: S::new(self.inner.bounds) }).collect()
        });
        let Some(slot) = page.get(index % PAGE) else { return &self.inner.detached };
        let mut live = lock(&self.inner.dense_live);
        if !slot.live.load(Ordering::Relaxed) {
            let mut key = KeyBuf::default();
            labels.write_key(&mut key);
            live.push(DenseLive { index, key: key.as_bytes().into(), idle: Idle::default() });
            // A slot used before was reset when its series was removed (`Slot::retire`).
            slot.live.store(true, Ordering::Relaxed);
        }
        &slot.series
    }

    #[inline(never)]
    fn open_series<L: LabelSet>(&self, labels: &L) -> &S {
        let open = &self.inner.open;
        let hash = open.hash(labels);
        match open.find(hash, labels) {
            Some(series) => series,
            None => self.insert_open(hash, labels),
        }
    }

    #[cold]
    #[inline(never)]
    fn insert_open<L: LabelSet>(&self, hash: u64, labels: &L) -> &S {
        if self.inner.removable.is_some() {
            // A removable metric's open series are leased ([`Self::lease`]), never borrowed.
            return &self.inner.detached;
        }
        let open = &self.inner.open;
        let limit = self.inner.meta.max_series.unwrap_or(usize::MAX);
        // Once the limit is reached, a tuple without a series goes to the overflow series
        // without taking the writer lock: a flood of new tuples does not serialise recorders.
        // The count is read after the caller's lookup: a series another thread created in
        // between, and counted, is visible to a second lookup.
        if open.len() >= limit {
            return open.find(hash, labels).unwrap_or_else(|| self.overflow_series());
        }
        let bounds = self.inner.bounds;
        open.find_or_insert(hash, labels, limit, || S::new(bounds)).unwrap_or_else(|| self.overflow_series())
    }

    /// The series of the tuples past `max_series`, counting the record.
    fn overflow_series(&self) -> &S {
        self.inner.overflow_records.fetch_add(1, Ordering::Relaxed);
        self.inner.overflow.get_or_init(|| S::new(self.inner.bounds))
    }

    /// The series in export order: by their label values in the order of the label names, as
    /// `prometheus::Registry::gather` sorts them. Sorted and rendered again only when series
    /// were added or removed. Expires idle series first (`expire_after`).
    fn export_order(&self) -> MutexGuard<'_, Export<S>> {
        let mut export = lock(&self.inner.export);
        let mut dense = lock(&self.inner.dense_live);
        // Read first: the common case, no removal, writes nothing.
        if self.inner.removed.load(Ordering::Relaxed) && self.inner.removed.swap(false, Ordering::Relaxed) {
            export.invalidate();
        }
        if let Some(limit) = self.inner.meta.expire_after {
            if self.expire(&mut dense, limit) {
                export.invalidate();
            }
        }
        let count = dense.len() + self.open_count();
        if export.order.len() != count {
            let Export { order, leased, labels, ends } = &mut *export;
            order.clear();
            leased.clear();
            if let Some(index) = &self.inner.removable {
                index.snapshot(leased);
            }
            order.extend((0..dense.len()).map(|position| SeriesRef::Dense(position as u32)));
            order.extend(self.inner.open.iter().map(|(id, _)| SeriesRef::Open(id as u32)));
            order.extend((0..leased.len()).map(|position| SeriesRef::Leased(position as u32)));
            order.extend(self.inner.overflow.get().map(|_| SeriesRef::Overflow));
            let view = View { dense: &dense, leased };
            let values = |series: SeriesRef| {
                let key = self.key(&view, series).unwrap_or_default();
                key_values(key)
            };
            // The number of label pairs first, as `gather` compares them: the overflow series
            // has one.
            let pairs = |series: SeriesRef, len: usize| if matches!(series, SeriesRef::Overflow) { 1 } else { len };
            order.sort_by(|&a, &b| {
                let ((a_values, a_len), (b_values, b_len)) = (values(a), values(b));
                let (a_pairs, b_pairs) = (pairs(a, a_len), pairs(b, b_len));
                let a_values = self.in_name_order(&a_values, a_len, a);
                let b_values = self.in_name_order(&b_values, b_len, b);
                a_pairs.cmp(&b_pairs).then_with(|| {
                    for (a, b) in a_values.zip(b_values) {
                        let order = a.with_text(|a| b.with_text(|b| a.cmp(b)));
                        if order.is_ne() {
                            return order;
                        }
                    }
                    core::cmp::Ordering::Equal
                })
            });
            labels.clear();
            ends.clear();
            for &series in order.iter() {
                self.render_labels(labels, &view, series);
                ends.push(u32::try_from(labels.len()).unwrap_or(u32::MAX));
            }
            // Kept until series are added: no room for growth.
            order.shrink_to_fit();
            leased.shrink_to_fit();
            labels.shrink_to_fit();
            ends.shrink_to_fit();
        }
        export
    }

    /// Removes the series that `limit` expositions in a row found unchanged; whether it
    /// removed any. Runs at each exposition of a metric with `expire_after`, with the export
    /// and dense locks held.
    fn expire(&self, dense: &mut Vec<DenseLive>, limit: u32) -> bool {
        let before = dense.len();
        dense.retain(|live| {
            let Some(slot) = self.slot(live.index) else { return false };
            let expired = live.idle.unchanged_for(slot.series.fingerprint(), limit);
            if expired {
                slot.retire();
            }
            !expired
        });
        let removed = self.inner.removable.as_ref().map_or(0, |index| {
            index.remove_where(|entry| RemovableIndex::idle(entry, entry.series.fingerprint(), limit))
        });
        removed > 0 || dense.len() != before
    }

    /// The dense slot `index`, if its page exists.
    fn slot(&self, index: usize) -> Option<&Slot<S>> {
        self.pages.get(index / PAGE)?.get()?.get(index % PAGE)
    }

    /// The key of `series`; `None` for the overflow series.
    fn key<'a>(&'a self, view: &View<'a, S>, series: SeriesRef) -> Option<&'a [u8]> {
        match series {
            SeriesRef::Dense(position) => view.dense.get(position as usize).map(|live| &*live.key),
            SeriesRef::Open(id) => self.inner.open.get(id as usize).map(|entry| &*entry.key),
            SeriesRef::Leased(position) => view.leased.get(position as usize).map(|entry| &*entry.key),
            SeriesRef::Overflow => None,
        }
    }

    fn series<'a>(&'a self, view: &View<'a, S>, series: SeriesRef) -> Option<&'a S> {
        match series {
            SeriesRef::Dense(position) => self.slot(view.dense.get(position as usize)?.index).map(|slot| &slot.series),
            SeriesRef::Open(id) => self.inner.open.get(id as usize).map(|entry| &entry.series),
            SeriesRef::Leased(position) => view.leased.get(position as usize).map(|entry| &entry.series),
            SeriesRef::Overflow => self.inner.overflow.get(),
        }
    }

    /// The label values of a series (as read from its key) in the order of the label names;
    /// the overflow series has one value, `true`.
    fn in_name_order<'v>(
        &'v self,
        values: &'v [KeyValue<'v>],
        len: usize,
        series: SeriesRef,
    ) -> impl Iterator<Item = KeyValue<'v>> + 'v {
        let overflow = matches!(series, SeriesRef::Overflow);
        let declared = self
            .inner
            .name_order
            .iter()
            .filter(move |_| !overflow)
            .filter_map(move |&i| if i < len { values.get(i).copied() } else { None });
        let overflow_value = overflow.then_some(KeyValue::Str(b"true"));
        declared.chain(overflow_value)
    }

    /// The label names in the order they are exported.
    fn names_in_order(&self, series: SeriesRef) -> impl Iterator<Item = &'static str> + '_ {
        let overflow = matches!(series, SeriesRef::Overflow);
        let labels = self.inner.meta.labels;
        let declared =
            self.inner.name_order.iter().filter(move |_| !overflow).filter_map(move |&i| labels.get(i).copied());
        declared.chain(overflow.then_some(OVERFLOW_LABEL))
    }

    /// The label pairs of a series, its own and the set's constant labels, sorted by name (as
    /// `prometheus` sorts a metric's pairs).
    fn pairs<'v>(
        &'v self,
        values: &'v [KeyValue<'v>],
        len: usize,
        series: SeriesRef,
    ) -> impl Iterator<Item = (&'v str, KeyValue<'v>)> + 'v {
        let own = self.names_in_order(series).zip(self.in_name_order(values, len, series));
        let constant = self.inner.const_labels.get().into_iter().flat_map(|pairs| pairs.iter());
        let constant = constant.map(|(name, value)| (name.as_str(), KeyValue::Str(value.as_bytes())));
        let (mut own, mut constant) = (own.peekable(), constant.peekable());
        core::iter::from_fn(move || match (own.peek(), constant.peek()) {
            (Some(a), Some(b)) if b.0 < a.0 => constant.next(),
            (Some(_), _) => own.next(),
            (None, _) => constant.next(),
        })
    }

    /// Appends the labels of `series` to `out`, as `a="x",b="y"`.
    fn render_labels(&self, out: &mut Vec<u8>, view: &View<'_, S>, series: SeriesRef) {
        let (values, len) = key_values(self.key(view, series).unwrap_or_default());
        for (position, (name, value)) in self.pairs(&values, len, series).enumerate() {
            value.with_text(|text| encode::write_label_pair(out, position > 0, name, text));
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
        if L::LEN != self.inner.meta.labels.len() || L::DENSE_SLOTS != self.dense_slots {
            return None;
        }
        if let Some(index) = self.dense_index(&labels) {
            let slot = self.slot(index)?;
            return slot.live.load(Ordering::Relaxed).then_some(Lease::borrowed(&slot.series));
        }
        if let Some(index) = &self.inner.removable {
            return index.find(&labels);
        }
        let open = &self.inner.open;
        open.find(open.hash(&labels), &labels).map(Lease::borrowed)
    }

    /// The dense index of `labels`, when they have one in this family's table.
    #[inline]
    fn dense_index<L: LabelSet>(&self, labels: &L) -> Option<usize> {
        if L::DENSE_SLOTS == 0 || L::DENSE_SLOTS != self.dense_slots {
            return None;
        }
        labels.dense_index().filter(|&index| index < self.dense_slots)
    }

    /// The series for `labels`, created on first use, for a removable metric: what its
    /// generated recorder method calls. The lease keeps the series alive while it is held; on
    /// a metric that is not removable it only borrows the series, as [`with`](Self::with).
    #[doc(hidden)]
    #[inline]
    pub fn lease<L: LabelSet>(&self, labels: L) -> Lease<'_, S> {
        let Some(index) = &self.inner.removable else { return Lease::borrowed(self.with(labels)) };
        if L::LEN != self.inner.meta.labels.len() || L::DENSE_SLOTS != self.dense_slots {
            return Lease::borrowed(&self.inner.detached);
        }
        if self.dense_index(&labels).is_some() {
            return Lease::borrowed(self.with(labels));
        }
        match index.find(&labels) {
            Some(lease) => lease,
            None => self.insert_leased(index, &labels),
        }
    }

    #[cold]
    #[inline(never)]
    fn insert_leased<L: LabelSet>(&self, index: &RemovableIndex<S>, labels: &L) -> Lease<'_, S> {
        let limit = self.inner.meta.max_series.unwrap_or(usize::MAX);
        if index.len() >= limit {
            // At the limit a new tuple goes to the overflow series without a shard's write
            // lock, as in `insert_open`.
            return index.find(labels).unwrap_or_else(|| Lease::borrowed(self.overflow_series()));
        }
        let bounds = self.inner.bounds;
        match index.find_or_insert(labels, limit, || S::new(bounds)) {
            Some(entry) => Lease::shared(entry),
            None => Lease::borrowed(self.overflow_series()),
        }
    }

    /// Removes the series of `labels`; whether there was one. What the `remove_` method the
    /// derive generates for a removable metric calls; on a metric that is not removable it
    /// removes nothing and returns `false`.
    ///
    /// An open series' memory is freed once no [`Lease`] holds it and the next exposition
    /// has dropped the export order that names it; a series of fixed labels keeps its slot,
    /// set back to zero.
    #[doc(hidden)]
    pub fn remove<L: LabelSet>(&self, labels: L) -> bool {
        let Some(index) = &self.inner.removable else { return false };
        if L::LEN != self.inner.meta.labels.len() || L::DENSE_SLOTS != self.dense_slots {
            return false;
        }
        let Some(dense_index) = self.dense_index(&labels) else {
            // Without the export lock: a scrape in progress is not waited for. It may still
            // write the series; the next one makes the order afresh.
            let removed = index.remove(&labels);
            if removed {
                self.inner.removed.store(true, Ordering::Relaxed);
            }
            return removed;
        };
        // The export order names dense series by their position in `dense_live`, which this
        // changes: under the export lock, so that no scrape reads a stale position.
        let mut export = lock(&self.inner.export);
        let mut dense = lock(&self.inner.dense_live);
        let position = dense.iter().position(|live| live.index == dense_index);
        if let (Some(position), Some(slot)) = (position, self.slot(dense_index)) {
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
            if let Some(slot) = self.slot(live.index) {
                slot.retire();
            }
        }
        let removed = dense.len() + index.remove_where(|_| true);
        dense.clear();
        export.invalidate();
        removed
    }

    /// Not available: it only points the compiler's message at the recorder method.
    #[doc(hidden)]
    pub fn with_label_values(&self, _: &[&str]) -> &S
    where
        Self: UseTheRecorderMethod,
    {
        &self.inner.detached
    }
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// Runs the family's `collect` function, if it has one, on its one series.
    fn collect(&self) {
        if let Some(collect) = self.inner.collect.get() {
            let page = self.pages.first().and_then(OnceLock::get);
            if let Some(slot) = page.and_then(|page| page.first()) {
                collect(&slot.series);
            }
        }
    }
}

impl<S: Collected> Family<S, false> {
    /// Makes `value` the source of the series: each exposition calls it and exports what it
    /// returns (a queue's depth, the open files). What `#[metric(collect = path)]` generates;
    /// a family takes one function, the first it is given.
    #[doc(hidden)]
    pub fn collect_with(&self, value: impl Fn() -> S::Value + Send + Sync + 'static) {
        let _ = self.inner.collect.set(Box::new(move |series: &S| series.store(value())));
    }
}

impl<S: Series> core::ops::Deref for Family<S, false> {
    type Target = S;

    /// The family's one series.
    #[inline]
    fn deref(&self) -> &S {
        let page = self.pages.first().and_then(OnceLock::get);
        page.and_then(|page| page.first()).map_or(&self.inner.detached, |slot| &slot.series)
    }
}

/// A family whose series type is erased: what a set hands its registry.
#[doc(hidden)]
pub trait ErasedFamily: Send + Sync {
    /// The catalog entry.
    fn meta(&self) -> &'static MetricDesc;

    /// Identifies the family: clones share it, other families never do.
    fn id(&self) -> usize;

    /// For registration in a `prometheus::Registry`.
    fn desc(&self) -> &Desc;

    /// Writes the family (nothing when it has no series). `labels` is scratch space for
    /// rendering label pairs; `const_labels` are rendered pairs added to every series.
    fn encode(
        &self,
        out: &mut Vec<u8>,
        format: Format,
        prefix: Option<&str>,
        const_labels: &[u8],
        labels: &mut Vec<u8>,
    );

    /// The family as a `prometheus` protobuf family, series in gather order; `None` when it
    /// has no series.
    fn proto(&self) -> Option<MetricFamily>;

    /// Gives the family its set's constant labels (once, before it is registered).
    ///
    /// # Errors
    ///
    /// [`Error::ConstLabelClash`] for a name the metric declares as a label,
    /// [`Error::InvalidMetric`] for a name that cannot be a constant label or is given twice.
    fn set_const_labels(&self, labels: &[(&str, &str)]) -> Result<(), Error>;

    /// The names of the set's constant labels.
    fn const_label_names(&self) -> Vec<&str>;
}

impl<S: Series, const LABELLED: bool> ErasedFamily for Family<S, LABELLED> {
    fn meta(&self) -> &'static MetricDesc {
        self.inner.meta
    }

    fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as *const () as usize
    }

    fn desc(&self) -> &Desc {
        &self.inner.desc
    }

    fn encode(
        &self,
        out: &mut Vec<u8>,
        format: Format,
        prefix: Option<&str>,
        const_labels: &[u8],
        labels: &mut Vec<u8>,
    ) {
        self.collect();
        let export = self.export_order();
        if export.order.is_empty() {
            return;
        }
        let dense = lock(&self.inner.dense_live);
        let view = View { dense: &dense, leased: &export.leased };
        let meta = self.inner.meta;
        let mut writer = FamilyWriter { out, format, prefix, name: meta.name, kind: S::KIND };
        writer.header(meta.help, S::KIND.type_name(format), meta.unit);
        let bounds = match format {
            Format::Prometheus => &self.inner.le[0],
            Format::OpenMetrics => &self.inner.le[1],
        };
        // Exemplars are written in OpenMetrics only.
        let exemplars = self.inner.exemplars.as_ref().filter(|_| format == Format::OpenMetrics);
        for (series_ref, rendered) in export.series() {
            let Some(series) = self.series(&view, series_ref) else { continue };
            let pairs = if const_labels.is_empty() {
                rendered
            } else {
                labels.clear();
                labels.extend_from_slice(rendered);
                if !rendered.is_empty() {
                    labels.push(b',');
                }
                labels.extend_from_slice(const_labels);
                labels.as_slice()
            };
            match exemplars {
                Some(exemplars) => exemplars.with_slots(core::ptr::from_ref(series).addr(), |slots| {
                    series.encode(&mut writer.series(pairs, bounds, slots));
                }),
                None => series.encode(&mut writer.series(pairs, bounds, &[])),
            }
        }
    }

    fn set_const_labels(&self, labels: &[(&str, &str)]) -> Result<(), Error> {
        let meta = self.inner.meta;
        let invalid = |reason: String| Error::InvalidMetric { metric: meta.name.to_owned(), reason };
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(labels.len());
        for &(name, value) in labels {
            if meta.labels.contains(&name) {
                return Err(Error::ConstLabelClash { metric: meta.name.to_owned(), label: name.to_owned() });
            }
            if !desc::is_label_name(name) || desc::RESERVED_LABELS.contains(&name) {
                return Err(invalid(format!("`{name}` cannot be a constant label")));
            }
            if pairs.iter().any(|(seen, _)| seen == name) {
                return Err(invalid(format!("constant label `{name}` is given twice")));
            }
            pairs.push((name.to_owned(), value.to_owned()));
        }
        pairs.sort();
        // A family built for one set takes its labels once; `register_with` builds afresh.
        let _ = self.inner.const_labels.set(pairs.into());
        Ok(())
    }

    fn const_label_names(&self) -> Vec<&str> {
        self.inner
            .const_labels
            .get()
            .map(|pairs| pairs.iter().map(|(name, _)| name.as_str()).collect())
            .unwrap_or_default()
    }

    fn proto(&self) -> Option<MetricFamily> {
        self.collect();
        let export = self.export_order();
        if export.order.is_empty() {
            return None;
        }
        let dense = lock(&self.inner.dense_live);
        let view = View { dense: &dense, leased: &export.leased };
        let metrics = export
            .order
            .iter()
            .filter_map(|&series_ref| {
                let mut metric = self.series(&view, series_ref)?.proto();
                let (values, len) = key_values(self.key(&view, series_ref).unwrap_or_default());
                let pairs = self
                    .pairs(&values, len, series_ref)
                    .map(|(name, value)| value.with_text(|text| encode::proto_label(name, text)))
                    .collect();
                metric.set_label(pairs);
                Some(metric)
            })
            .collect();
        let mut family = MetricFamily::default();
        family.set_name(self.inner.meta.name.to_owned());
        family.set_help(self.inner.meta.help.to_owned());
        family.set_field_type(match S::KIND {
            MetricKind::Counter => MetricType::COUNTER,
            MetricKind::Gauge | MetricKind::Info => MetricType::GAUGE,
            MetricKind::Histogram => MetricType::HISTOGRAM,
        });
        family.set_metric(metrics);
        Some(family)
    }
}

#[cfg(test)]
mod tests {
    use prometheus::proto;

    use super::*;
    use crate::series::{Histogram, IntCounter};

    static META: MetricDesc = MetricDesc {
        name: "t_total",
        help: "A counter.",
        kind: MetricKind::Counter,
        labels: &["b", "a"],
        buckets: &[],
        max_series: None,
        unit: None,
        init: false,
        removable: false,
        expire_after: None,
        exemplars: false,
        field: "t_total",
    };

    fn text(family: &dyn ErasedFamily, format: Format) -> String {
        let mut out = Vec::new();
        family.encode(&mut out, format, None, b"", &mut Vec::new());
        String::from_utf8(out).unwrap()
    }

    /// A tuple of another type than the family's records nowhere visible and spoils nothing.
    #[test]
    fn mismatched_tuples_never_reach_a_series() {
        let dense = Family::<IntCounter, true>::new::<(bool, bool)>(&META).unwrap();
        dense.with((true,)).inc();
        dense.with((1u8, 2u8)).inc();
        dense.with(("x", "y", "z")).inc();
        dense.with((false, true)).inc_by(5);
        assert_eq!(dense.series_count(), 1);
        assert_eq!(dense.with((false, true)).get(), 5);
        assert_eq!(
            text(&dense, Format::Prometheus),
            "# HELP t_total A counter.\n# TYPE t_total counter\nt_total{a=\"true\",b=\"false\"} 5\n"
        );

        let open = Family::<IntCounter, true>::new::<(&str, &str)>(&META).unwrap();
        open.with(("a",)).inc();
        open.with((true, false)).inc();
        assert_eq!(open.series_count(), 0);
        assert_eq!(text(&open, Format::Prometheus), "");
        assert!(Family::<IntCounter, true>::new::<(&str,)>(&META).is_err());
        assert!(Family::<IntCounter, false>::new::<()>(&META).is_err());
    }

    /// `le` holds a histogram's bucket bound: a family that declares it is refused.
    #[test]
    fn histogram_with_le_label_is_refused() {
        static LE: MetricDesc = MetricDesc {
            name: "t_seconds",
            help: "A histogram.",
            kind: MetricKind::Histogram,
            labels: &["le"],
            buckets: &[1.0],
            max_series: None,
            unit: None,
            init: false,
            removable: false,
            expire_after: None,
            exemplars: false,
            field: "t_seconds",
        };
        assert!(Family::<Histogram, true>::new::<(&str,)>(&LE).is_err());
        assert!(Family::<IntCounter, true>::new::<(&str,)>(&LE).is_ok(), "`le` is an ordinary label elsewhere");
    }

    /// A hand-written catalog entry cannot give a gauge exemplars; a family without the
    /// opt-in drops what its `exemplar_series` is given.
    #[test]
    fn exemplars_only_where_declared() {
        static GAUGE: MetricDesc =
            MetricDesc { name: "t", kind: MetricKind::Gauge, labels: &[], exemplars: true, ..META };
        assert!(Family::<crate::series::Gauge, false>::new::<()>(&GAUGE).is_err());
        static PLAIN: MetricDesc = MetricDesc { labels: &[], ..META };
        let counter = Family::<IntCounter, false>::new::<()>(&PLAIN).unwrap();
        assert!(!counter.exemplar_series(()).inc_with_exemplar(&[("trace_id", "x")]));
        assert_eq!(counter.get(), 1);
        assert_eq!(text(&counter, Format::OpenMetrics), "# HELP t A counter.\n# TYPE t counter\nt_total 1\n");
    }

    /// Open series, across index growth and with tuples that split the same bytes differently,
    /// each keep their own count; the family exports each once, in gather order.
    #[test]
    fn open_series_stay_apart_and_sorted() {
        let family = Family::<IntCounter, true>::new::<(&str, &str)>(&META).unwrap();
        let tuples: Vec<(String, String)> = (0..1_000)
            .map(|i| match i % 3 {
                0 => (format!("ab{i}"), "c".to_owned()),
                1 => (format!("a{i}"), "bc".to_owned()),
                _ => (format!("a-rather-long-label-value-{i}"), String::new()),
            })
            .collect();
        let early = family.with(("ab0", "c"));
        for (n, (b, a)) in tuples.iter().enumerate() {
            family.with((b.as_str(), a.as_str())).inc_by(n as u64 + 1);
        }
        early.inc();
        for (n, (b, a)) in tuples.iter().enumerate() {
            let expected = n as u64 + 1 + u64::from(n == 0);
            assert_eq!(family.with((b.as_str(), a.as_str())).get(), expected, "{b:?} {a:?}");
        }
        assert_eq!(family.series_count(), tuples.len());
        let metrics = family.proto().unwrap().take_metric();
        assert_eq!(metrics.len(), tuples.len());
        let values = |metric: &proto::Metric| -> Vec<String> {
            metric.get_label().iter().map(|pair| pair.value().to_owned()).collect()
        };
        assert!(metrics.windows(2).all(|pair| values(&pair[0]) < values(&pair[1])));
        assert_eq!(metrics[0].get_label()[0].name(), "a", "labels sorted by name");
    }

    /// Threads that create series while others record into existing ones lose no record and
    /// create no series twice.
    #[test]
    fn concurrent_growth_keeps_every_record() {
        const THREADS: usize = 4;
        const TUPLES: usize = 2_000;
        let family = Family::<IntCounter, true>::new::<(&str, u16)>(&META).unwrap();
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let family = &family;
                scope.spawn(move || {
                    for i in 0..TUPLES {
                        let n = (i * 7 + thread * 499) % TUPLES;
                        family.with((format!("t{n}").as_str(), 7)).inc();
                        family.with(("shared", 7)).inc();
                    }
                });
            }
        });
        assert_eq!(family.series_count(), TUPLES + 1);
        for n in 0..TUPLES {
            assert_eq!(family.with((format!("t{n}").as_str(), 7)).get(), THREADS as u64, "t{n}");
        }
        assert_eq!(family.with(("shared", 7)).get(), (THREADS * TUPLES) as u64);
    }

    /// Integer labels sort as their text, as `prometheus` sorts them: `10` before `9`.
    #[test]
    fn dense_integer_labels_export_sorted_as_text() {
        static STATUS: MetricDesc = MetricDesc { labels: &["code"], ..META };
        let family = Family::<IntCounter, true>::new::<(u16,)>(&STATUS).unwrap();
        for code in [9u16, 500, 10, 65535, 200] {
            family.with((code,)).inc();
        }
        assert_eq!(family.pages.iter().filter(|page| page.get().is_some()).count(), 3, "pages 0, 1 and 255");
        let text = text(&family, Format::Prometheus);
        let codes: Vec<&str> =
            text.lines().skip(2).map(|line| &line[line.find('"').unwrap() + 1..line.rfind('"').unwrap()]).collect();
        assert_eq!(codes, ["10", "200", "500", "65535", "9"]);
    }

    /// A removed open series is held by nothing of the family's once removed: not the index,
    /// not the export order of the last exposition.
    #[test]
    fn removal_lets_go_of_the_series() {
        static REMOVABLE: MetricDesc = MetricDesc { labels: &["path"], removable: true, ..META };
        let family = Family::<IntCounter, true>::new::<(&str,)>(&REMOVABLE).unwrap();
        family.lease(("/a",)).inc();
        family.lease(("/b",)).inc();
        assert_eq!(text(&family, Format::Prometheus).lines().count(), 4);
        assert_eq!(lock(&family.inner.export).leased.len(), 2, "the export order holds both");
        assert!(family.remove(("/a",)));
        assert_eq!(lock(&family.inner.export).leased.len(), 2, "a removal does not wait for the export lock");
        assert_eq!(text(&family, Format::Prometheus).lines().count(), 3);
        assert_eq!(lock(&family.inner.export).leased.len(), 1, "the next exposition lets go of it");
        assert_eq!(family.inner.removable.as_ref().map(RemovableIndex::len), Some(1));
        assert_eq!(family.with(("/c",)).get(), 0, "a borrowed series of a removable metric is detached");
        assert_eq!(family.series_count(), 1);
        static PLAIN: MetricDesc = MetricDesc { labels: &[], ..REMOVABLE };
        assert!(Family::<IntCounter, false>::new::<()>(&PLAIN).is_err());
        static EXPIRE_ZERO: MetricDesc = MetricDesc { labels: &["path"], expire_after: Some(0), ..META };
        assert!(Family::<IntCounter, true>::new::<(&str,)>(&EXPIRE_ZERO).is_err());
    }

    #[test]
    fn the_overflow_series_takes_what_the_limit_refuses() {
        static LIMITED: MetricDesc = MetricDesc { labels: &["path"], max_series: Some(2), ..META };
        let family = Family::<IntCounter, true>::new::<(&str,)>(&LIMITED).unwrap();
        for path in ["/a", "/b", "/c", "/d", "/a"] {
            family.with((path,)).inc();
        }
        assert_eq!(family.overflow_records(), 2);
        assert_eq!(
            text(&family, Format::Prometheus),
            "# HELP t_total A counter.\n# TYPE t_total counter\nt_total{path=\"/a\"} 2\nt_total{path=\"/b\"} 1\nt_total{otel_metric_overflow=\"true\"} 2\n"
        );
    }

    #[test]
    fn openmetrics_counter_and_histogram() {
        static HIST: MetricDesc = MetricDesc {
            name: "t_seconds",
            help: "A \"histogram\".",
            kind: MetricKind::Histogram,
            labels: &[],
            buckets: &[0.5, 1.0],
            max_series: None,
            unit: None,
            init: false,
            removable: false,
            expire_after: None,
            exemplars: false,
            field: "t_seconds",
        };
        let histogram = Family::<Histogram, false>::new::<()>(&HIST).unwrap();
        histogram.observe(0.75);
        histogram.observe(3.0);
        assert_eq!(
            text(&histogram, Format::OpenMetrics),
            "# HELP t_seconds A \\\"histogram\\\".\n# TYPE t_seconds histogram\n\
             t_seconds_bucket{le=\"0.5\"} 0\nt_seconds_bucket{le=\"1.0\"} 1\nt_seconds_bucket{le=\"+Inf\"} 2\n\
             t_seconds_count 2\nt_seconds_sum 3.75\n"
        );
        assert_eq!(
            text(&histogram, Format::Prometheus),
            "# HELP t_seconds A \"histogram\".\n# TYPE t_seconds histogram\n\
             t_seconds_bucket{le=\"0.5\"} 0\nt_seconds_bucket{le=\"1\"} 1\nt_seconds_bucket{le=\"+Inf\"} 2\n\
             t_seconds_sum 3.75\nt_seconds_count 2\n"
        );
        static PLAIN: MetricDesc = MetricDesc { labels: &[], ..META };
        let counter = Family::<IntCounter, false>::new::<()>(&PLAIN).unwrap();
        assert_eq!(text(&counter, Format::OpenMetrics), "# HELP t A counter.\n# TYPE t counter\nt_total 0\n");
    }
}
