//! The series types: a few atomics each, with the recording API of the `prometheus` crate's
//! types of the same names.
//!
//! A series is what a recorder method returns: `metrics.requests_total(Method::Get).inc()`.
//! Recording never panics and never allocates. A counter never decreases: a negative or `NaN`
//! increment is ignored.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use prometheus::proto;

use crate::desc::MetricKind;
use crate::encode::{Number, SeriesWriter};
pub use crate::exemplar::{EXEMPLAR_MAX_CHARS, ExemplarSeries};

/// The series type of a metric: [`Counter`], [`IntCounter`], [`Gauge`], [`IntGauge`] or
/// [`Histogram`]. Sealed: the exposition knows each of them.
pub trait Series: Send + Sync + Sized + 'static + sealed::Sealed {
    /// The kind of metric this series type makes.
    const KIND: MetricKind;

    /// A series at zero; `bounds` are a histogram's bucket upper bounds (ignored by the others).
    #[doc(hidden)]
    fn new(bounds: &'static [f64]) -> Self;

    /// Writes the series' samples.
    #[doc(hidden)]
    fn encode(&self, writer: &mut SeriesWriter<'_, '_>);

    /// The series' value as a `prometheus` protobuf metric, without labels.
    #[doc(hidden)]
    fn proto(&self) -> proto::Metric;

    /// Sets the series back to zero: a removed series of fixed labels that is used again
    /// starts afresh.
    #[doc(hidden)]
    fn reset(&self);

    /// A number that changes whenever a record changes the series (a counter's or gauge's
    /// value, a histogram's count): what `#[metric(expire_after = ..)]` compares between
    /// expositions to find idle series.
    #[doc(hidden)]
    fn fingerprint(&self) -> u64;
}

mod sealed {
    pub trait Sealed {}
}

/// A series whose value a function can compute at each exposition
/// (`#[metric(collect = path)]`): counters and gauges, not histograms.
#[diagnostic::on_unimplemented(
    message = "`collect` computes one number, and a `{Self}` series holds more",
    label = "`collect` needs a counter or a gauge",
    note = "`collect = path` works on `Counter`, `IntCounter`, `Gauge` and `IntGauge`"
)]
pub trait Collected: Series {
    /// What the function returns: `f64` for `Counter` and `Gauge`, `u64` for `IntCounter`,
    /// `i64` for `IntGauge`.
    type Value;

    /// Stores a computed value.
    #[doc(hidden)]
    fn store(&self, value: Self::Value);
}

/// What a call of `inc_with_exemplar`, `inc_by_with_exemplar` or `observe_with_exemplar` on
/// the series of a metric without `#[metric(exemplars)]` is told. Implemented for nothing.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this series records no exemplars: its metric is declared without `#[metric(exemplars)]`",
    label = "exemplars need `#[metric(exemplars)]` on the metric",
    note = "with `#[metric(exemplars)]` on a counter or a histogram, its recorder method returns a series with `inc_with_exemplar`, `inc_by_with_exemplar` (counters) or `observe_with_exemplar` (histograms)"
)]
pub trait DeclareExemplars<Labels: ?Sized> {}

// The `*_with_exemplar` methods of the series below exist only to point the compiler's message
// at `#[metric(exemplars)]`; `ExemplarSeries` has the real ones. Each is generic over its
// labels' type: a bound without a type parameter that no type meets would not compile.
// Written out per type, not by a macro: the compiler quotes these lines in its message.

impl Counter {
    #[doc(hidden)]
    pub fn inc_with_exemplar<Labels: ?Sized>(&self, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }

    #[doc(hidden)]
    pub fn inc_by_with_exemplar<Labels: ?Sized>(&self, _: f64, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }
}

impl IntCounter {
    #[doc(hidden)]
    pub fn inc_with_exemplar<Labels: ?Sized>(&self, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }

    #[doc(hidden)]
    pub fn inc_by_with_exemplar<Labels: ?Sized>(&self, _: u64, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }
}

impl Histogram {
    #[doc(hidden)]
    pub fn observe_with_exemplar<Labels: ?Sized>(&self, _: f64, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }
}

/// Adds `value` to the `f64` stored as bits in `cell`.
#[inline]
fn add_f64(cell: &AtomicU64, value: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + value).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

fn proto_counter(value: f64) -> proto::Metric {
    let mut counter = proto::Counter::default();
    counter.set_value(value);
    let mut metric = proto::Metric::default();
    metric.set_counter(counter);
    metric
}

fn proto_gauge(value: f64) -> proto::Metric {
    let mut gauge = proto::Gauge::default();
    gauge.set_value(value);
    let mut metric = proto::Metric::default();
    metric.set_gauge(gauge);
    metric
}

/// A counter of `f64` values: it only goes up.
///
/// [`inc_by`](Self::inc_by) ignores a negative, zero or `NaN` increment, in debug and release
/// builds alike (`prometheus::Counter` panics in debug builds and decreases in release builds).
#[derive(Debug, Default)]
pub struct Counter {
    bits: AtomicU64,
}

impl Counter {
    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        add_f64(&self.bits, 1.0);
    }

    /// Adds `value`; a negative or `NaN` `value` is ignored, so the counter never decreases.
    #[inline]
    pub fn inc_by(&self, value: f64) {
        // `!(value > 0.0)` is also true for `NaN`.
        if value > 0.0 {
            add_f64(&self.bits, value);
        }
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

/// A counter of whole numbers: it only goes up (it wraps after `u64::MAX`).
#[derive(Debug, Default)]
pub struct IntCounter {
    value: AtomicU64,
}

impl IntCounter {
    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `value`.
    #[inline]
    pub fn inc_by(&self, value: u64) {
        self.value.fetch_add(value, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// A gauge of `f64` values: it goes up and down.
#[derive(Debug, Default)]
pub struct Gauge {
    bits: AtomicU64,
}

impl Gauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: f64) {
        self.bits.store(value.to_bits(), Ordering::Relaxed);
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        add_f64(&self.bits, 1.0);
    }

    /// Subtracts 1.
    #[inline]
    pub fn dec(&self) {
        add_f64(&self.bits, -1.0);
    }

    /// Adds `value`.
    #[inline]
    pub fn add(&self, value: f64) {
        add_f64(&self.bits, value);
    }

    /// Subtracts `value`.
    #[inline]
    pub fn sub(&self, value: f64) {
        add_f64(&self.bits, -value);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

/// A gauge of whole numbers: it goes up and down (wrapping at the ends of `i64`).
#[derive(Debug, Default)]
pub struct IntGauge {
    value: AtomicI64,
}

impl IntGauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: i64) {
        self.value.store(value, Ordering::Relaxed);
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Subtracts 1.
    #[inline]
    pub fn dec(&self) {
        self.value.fetch_sub(1, Ordering::Relaxed);
    }

    /// Adds `value`.
    #[inline]
    pub fn add(&self, value: i64) {
        self.value.fetch_add(value, Ordering::Relaxed);
    }

    /// Subtracts `value`.
    #[inline]
    pub fn sub(&self, value: i64) {
        self.value.fetch_sub(value, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }
}

// The series holding one number: a counter or a gauge, of `f64` values or whole numbers.
macro_rules! scalar_series {
    ($($ty:ident => $kind:ident, $write:ident, $number:ident, $proto:ident, $cell:ident;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl Series for $ty {
            const KIND: MetricKind = MetricKind::$kind;

            fn new(_: &'static [f64]) -> Self {
                Self::default()
            }

            fn encode(&self, writer: &mut SeriesWriter<'_, '_>) {
                writer.$write(Number::$number(self.get()));
            }

            fn proto(&self) -> proto::Metric {
                $proto(Number::$number(self.get()).as_f64())
            }

            fn reset(&self) {
                self.$cell.store(0, Ordering::Relaxed);
            }

            fn fingerprint(&self) -> u64 {
                // The bits of the value: a record that changes it changes them.
                u64::from_ne_bytes(self.$cell.load(Ordering::Relaxed).to_ne_bytes())
            }
        }
    )*};
}

scalar_series! {
    Counter => Counter, counter, F64, proto_counter, bits;
    IntCounter => Counter, counter, U64, proto_counter, value;
    Gauge => Gauge, gauge, F64, proto_gauge, bits;
    IntGauge => Gauge, gauge, I64, proto_gauge, value;
}

impl Collected for Counter {
    type Value = f64;

    fn store(&self, value: f64) {
        self.bits.store(value.to_bits(), Ordering::Relaxed);
    }
}

impl Collected for IntCounter {
    type Value = u64;

    fn store(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
    }
}

impl Collected for Gauge {
    type Value = f64;

    fn store(&self, value: f64) {
        self.set(value);
    }
}

impl Collected for IntGauge {
    type Value = i64;

    fn store(&self, value: i64) {
        self.set(value);
    }
}

/// A histogram: counts observations into buckets and keeps their sum.
///
/// An observation is a search in the bucket bounds (one comparison with the middle bound,
/// then a short linear scan), one atomic add to the bucket and one atomic update of the sum.
/// The count is not stored: it is the sum of the buckets, one of which takes the observations
/// above the last bound (and `NaN`). So an exposition written while observations are recorded
/// always has a count equal to the `+Inf` bucket; its sum may include an observation whose
/// bucket it has not seen yet, or miss one it has.
///
/// ```
/// use solti_metrics::{HistogramVec, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Jobs {
///     /// Job duration.
///     #[metric(labels(queue), buckets(0.1, 1.0, 10.0))]
///     job_duration_seconds: HistogramVec,
/// }
///
/// let jobs = Jobs::register(&Registry::new())?;
/// jobs.job_duration_seconds("mail").observe(0.25);
/// jobs.job_duration_seconds("mail").start_timer().observe_duration();
///
/// let series = jobs.job_duration_seconds("mail");
/// assert_eq!(series.get_sample_count(), 2);
/// assert!(series.get_sample_sum() >= 0.25);
/// # Ok::<(), solti_metrics::Error>(())
/// ```
pub struct Histogram {
    bounds: &'static [f64],
    // `cells[0]` holds the sum's bits, `cells[1 + i]` the observations in bucket `i` (those not
    // above `bounds[i]` and above `bounds[i - 1]`), the last cell those above every bound.
    cells: Box<[AtomicU64]>,
}

const SUM: usize = 0;

impl Histogram {
    /// Adds one observation.
    #[inline]
    pub fn observe(&self, value: f64) {
        self.observe_in_bucket(value);
    }

    /// Adds one observation and returns the index of its bucket (`bounds().len()` for the
    /// observations above every bound).
    #[inline]
    pub(crate) fn observe_in_bucket(&self, value: f64) -> usize {
        let bucket = bucket_of(self.bounds, value);
        if let Some((sum, buckets)) = self.cells.split_first() {
            if let Some(cell) = buckets.get(bucket) {
                cell.fetch_add(1, Ordering::Relaxed);
            }
            add_f64(sum, value);
        }
        bucket
    }

    /// Observes `duration` in seconds.
    #[inline]
    pub fn observe_duration(&self, duration: Duration) {
        self.observe(duration.as_secs_f64());
    }

    /// Starts a timer that observes the seconds elapsed when it is stopped or dropped.
    #[must_use = "a timer observes when it is stopped or dropped; dropping it at once observes ~0"]
    pub fn start_timer(&self) -> HistogramTimer<'_> {
        HistogramTimer { series: self, start: Instant::now(), observed: false }
    }

    /// Runs `f` and observes the seconds it took.
    pub fn observe_closure_duration<T>(&self, f: impl FnOnce() -> T) -> T {
        self.time(f).0
    }

    /// Runs `f`, observes the time it took, and returns `f`'s result and that time.
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> (T, Duration) {
        let timer = self.start_timer();
        let result = f();
        (result, timer.stop())
    }

    /// The number of observations.
    pub fn get_sample_count(&self) -> u64 {
        self.cells.iter().skip(1).map(|cell| cell.load(Ordering::Relaxed)).sum()
    }

    /// The sum of the observations.
    pub fn get_sample_sum(&self) -> f64 {
        self.cells.get(SUM).map_or(0.0, |sum| f64::from_bits(sum.load(Ordering::Relaxed)))
    }

    /// The upper bounds of the buckets, without `+Inf`.
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// The observations per bucket, not cumulative; the last one counts those above every bound.
    fn buckets(&self) -> impl Iterator<Item = u64> + '_ {
        self.cells.iter().skip(1).map(|cell| cell.load(Ordering::Relaxed))
    }
}

impl core::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Histogram")
            .field("bounds", &self.bounds)
            .field("count", &self.get_sample_count())
            .field("sum", &self.get_sample_sum())
            .finish()
    }
}

/// The index of the first bound not below `value`: `bounds.len()` for a value above every
/// bound and for `NaN`, which prometheus counts in no finite bucket either.
///
/// One comparison with the middle bound picks a half, then a linear scan: about a quarter of
/// the bounds compared on average. On the 9 and 15 bounds of `benches/hot_path.rs` this took
/// fewer instructions than `partition_point`'s binary search, whose steps each wait for the
/// previous comparison, and than a branch-free count of the bounds below the value.
#[inline]
fn bucket_of(bounds: &[f64], value: f64) -> usize {
    let middle = bounds.len() / 2;
    let mut index = match bounds.get(middle) {
        // Also for `NaN`, which then goes past every bound.
        Some(&bound) if value.partial_cmp(&bound).is_none_or(|order| order.is_gt()) => middle + 1,
        _ => 0,
    };
    // One induction variable: a load, a compare and a branch per bound.
    while let Some(&bound) = bounds.get(index) {
        if value <= bound {
            break;
        }
        index += 1;
    }
    index
}

impl sealed::Sealed for Histogram {}
impl Series for Histogram {
    const KIND: MetricKind = MetricKind::Histogram;

    fn new(bounds: &'static [f64]) -> Self {
        Self { bounds, cells: (0..bounds.len() + 2).map(|_| AtomicU64::new(0)).collect() }
    }

    fn encode(&self, writer: &mut SeriesWriter<'_, '_>) {
        writer.histogram(self.buckets(), self.get_sample_sum());
    }

    fn proto(&self) -> proto::Metric {
        let mut histogram = proto::Histogram::default();
        let mut cumulative = 0;
        let mut buckets = Vec::with_capacity(self.bounds.len());
        let mut counts = self.buckets();
        for &bound in self.bounds {
            cumulative += counts.next().unwrap_or(0);
            let mut bucket = proto::Bucket::default();
            bucket.set_cumulative_count(cumulative);
            bucket.set_upper_bound(bound);
            buckets.push(bucket);
        }
        histogram.set_sample_count(cumulative + counts.next().unwrap_or(0));
        histogram.set_sample_sum(self.get_sample_sum());
        histogram.set_bucket(buckets);
        let mut metric = proto::Metric::default();
        metric.set_histogram(histogram);
        metric
    }

    fn reset(&self) {
        for cell in &self.cells {
            cell.store(0, Ordering::Relaxed);
        }
    }

    fn fingerprint(&self) -> u64 {
        // Every observation adds one to a bucket.
        self.get_sample_count()
    }
}

/// A series of an info metric ([`Info`](crate::Info)): its labels are the facts it states,
/// its value is always 1. Recording its labels through the recorder method creates it.
///
/// ```
/// use solti_metrics::{Format, Info, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Build {
///     /// The version and commit of the running program.
///     #[metric(labels(version, commit))]
///     build_info: Info,
/// }
///
/// let registry = Registry::new();
/// let build = Build::register(&registry)?;
/// build.build_info(env!("CARGO_PKG_VERSION"), "9f3c2e1");
///
/// let mut text = Vec::new();
/// registry.encode(&mut text, Format::OpenMetrics)?;
/// let text = String::from_utf8(text).unwrap();
/// assert!(text.contains("# TYPE build info\n"));
/// assert!(text.contains(&format!("build_info{{commit=\"9f3c2e1\",version=\"{}\"}} 1\n", env!("CARGO_PKG_VERSION"))));
/// # Ok::<(), solti_metrics::Error>(())
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Info;

impl sealed::Sealed for Info {}
impl Series for Info {
    const KIND: MetricKind = MetricKind::Info;

    fn new(_: &'static [f64]) -> Self {
        Self
    }

    fn encode(&self, writer: &mut SeriesWriter<'_, '_>) {
        writer.gauge(Number::U64(1));
    }

    fn proto(&self) -> proto::Metric {
        proto_gauge(1.0)
    }

    fn reset(&self) {}

    fn fingerprint(&self) -> u64 {
        // Never changes (the derive refuses `expire_after` on an info metric).
        0
    }
}

/// Measures the time from [`Histogram::start_timer`] and observes it, in seconds, when stopped
/// or dropped, at most once (the API of prometheus' `HistogramTimer`).
#[must_use = "a timer observes when it is stopped or dropped"]
#[derive(Debug)]
pub struct HistogramTimer<'a> {
    series: &'a Histogram,
    start: Instant,
    observed: bool,
}

impl HistogramTimer<'_> {
    /// Observes the seconds elapsed since the timer started.
    pub fn observe_duration(self) {
        self.stop();
    }

    /// Observes the time elapsed since the timer started and returns it.
    pub fn stop(mut self) -> Duration {
        self.finish(true)
    }

    /// Observes and returns the seconds elapsed since the timer started.
    pub fn stop_and_record(mut self) -> f64 {
        self.finish(true).as_secs_f64()
    }

    /// Returns the seconds elapsed since the timer started, without observing them.
    pub fn stop_and_discard(mut self) -> f64 {
        self.finish(false).as_secs_f64()
    }

    fn finish(&mut self, record: bool) -> Duration {
        let elapsed = self.start.elapsed();
        self.observed = true;
        if record {
            self.series.observe_duration(elapsed);
        }
        elapsed
    }
}

impl Drop for HistogramTimer<'_> {
    fn drop(&mut self) {
        if !self.observed {
            self.finish(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ignored increments are ignored in every build profile: this test runs in both.
    #[test]
    fn counters_never_decrease() {
        let counter = Counter::default();
        counter.inc_by(2.5);
        for ignored in [-1.0, -0.0, 0.0, f64::NAN, -f64::INFINITY, f64::MIN] {
            counter.inc_by(ignored);
        }
        assert_eq!(counter.get(), 2.5);
        counter.inc();
        assert_eq!(counter.get(), 3.5);
    }

    #[test]
    fn gauges_go_both_ways() {
        let gauge = Gauge::default();
        gauge.add(2.5);
        gauge.dec();
        gauge.sub(0.5);
        gauge.inc();
        assert_eq!(gauge.get(), 2.0);
        gauge.set(-7.0);
        assert_eq!(gauge.get(), -7.0);

        let gauge = IntGauge::default();
        gauge.add(5);
        gauge.sub(7);
        gauge.inc();
        gauge.dec();
        assert_eq!(gauge.get(), -2);
        gauge.set(i64::MAX);
        gauge.inc();
        assert_eq!(gauge.get(), i64::MIN, "wraps instead of panicking");
    }

    #[test]
    fn histogram_counts_into_buckets() {
        static BOUNDS: [f64; 3] = [0.1, 1.0, 10.0];
        let histogram = Histogram::new(&BOUNDS);
        for value in [0.1, 0.5, 1.0, 11.0, f64::NAN, -3.0] {
            histogram.observe(value);
        }
        assert_eq!(histogram.buckets().collect::<Vec<_>>(), [2, 2, 0, 2]);
        assert_eq!(histogram.get_sample_count(), 6);
        histogram.observe_duration(Duration::from_millis(1500));
        assert_eq!(histogram.buckets().collect::<Vec<_>>(), [2, 2, 1, 2]);
    }

    #[test]
    fn timers_observe_once() {
        let histogram = Histogram::new(&[1.0]);
        histogram.start_timer().observe_duration();
        assert!(histogram.start_timer().stop_and_record() >= 0.0);
        let _ = histogram.start_timer().stop_and_discard();
        drop(histogram.start_timer());
        assert_eq!(histogram.observe_closure_duration(|| 7), 7);
        assert_eq!(histogram.get_sample_count(), 4);
    }

    /// The durations a timer returns are the ones it observed.
    #[test]
    fn timers_return_what_they_observe() {
        let histogram = Histogram::new(&[10.0]);
        let slept = histogram.start_timer();
        std::thread::sleep(Duration::from_millis(20));
        let observed = slept.stop();
        let ((), timed) = histogram.time(|| std::thread::sleep(Duration::from_millis(5)));
        assert!(observed >= Duration::from_millis(20) && timed >= Duration::from_millis(5));
        assert_eq!(histogram.get_sample_sum(), observed.as_secs_f64() + timed.as_secs_f64());
        assert_eq!(histogram.get_sample_count(), 2);
    }
}
