//! The histogram series and its timer. The classic cells' operations are relaxed
//! (`series/mod.rs` says why); the native buckets' are not (`native.rs`).

use crate::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::metric::MetricKind;
use crate::series::native::NativeBuckets;
use crate::series::{DeclareExemplars, Reading, Series, Shape, add_f64, sealed};

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
    /// `#[metric(native)]`: the native buckets, beside the classic ones.
    native: Option<Box<NativeBuckets>>,
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
        // After the classic count: an exposition reads the native buckets first, so that the
        // count it writes is never below what they hold (`NativeBuckets::observe` releases).
        if let Some(native) = &self.native {
            observe_native(native, value);
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

    /// The native buckets, if the metric declares them.
    pub(crate) fn native(&self) -> Option<&NativeBuckets> {
        self.native.as_deref()
    }

    /// The observations per bucket, not cumulative; the last one counts those above every bound
    /// (all of them for a histogram of native buckets alone).
    pub(crate) fn buckets(&self) -> impl Iterator<Item = u64> + '_ {
        self.cells.iter().skip(1).map(|cell| cell.load(Ordering::Relaxed))
    }
}

// Points the compiler's message at `#[metric(exemplars)]`, as the counters' do (`scalar.rs`).
impl Histogram {
    #[doc(hidden)]
    pub fn observe_with_exemplar<Labels: ?Sized>(&self, _: f64, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
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

/// A native histogram's observation, out of line. The branch that calls it costs a classic
/// histogram's `observe` 10 instructions in `typed_histogram` (78.6 -> 89.6 per record; in a
/// function of its own, a load, a test and a branch), the same inlined, cold or not.
#[inline(never)]
fn observe_native(native: &NativeBuckets, value: f64) {
    native.observe(value);
}

/// The index of the first bound not below `value`: `bounds.len()` for a value above every
/// bound and for `NaN`, which prometheus counts in no finite bucket either.
///
/// One comparison with the middle bound picks a half, then a linear scan: about a quarter of
/// the bounds compared on average. On the 9 and 15 bounds of `solti-metrics-bench/benches/hot_path.rs` this took
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
    // Its cells are allocated as it is built: built as its entry is pushed.
    type Open = std::sync::OnceLock<Self>;

    fn new(shape: Shape) -> Self {
        let bounds = shape.bounds;
        let cells = (0..bounds.len() + 2).map(|_| AtomicU64::new(0)).collect();
        Self { bounds, cells, native: shape.native.map(|native| Box::new(NativeBuckets::new(native))) }
    }

    #[inline]
    fn read(&self) -> Reading<'_> {
        Reading::Histogram(self)
    }

    fn reset(&self) {
        for cell in &self.cells {
            cell.store(0, Ordering::Relaxed);
        }
        if let Some(native) = &self.native {
            native.reset();
        }
    }

    fn fingerprint(&self) -> u64 {
        // Every observation adds one to a bucket.
        self.get_sample_count()
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

    #[test]
    fn histogram_counts_into_buckets() {
        static BOUNDS: [f64; 3] = [0.1, 1.0, 10.0];
        let histogram = Histogram::new(Shape { bounds: &BOUNDS, native: None });
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
        let histogram = Histogram::new(Shape { bounds: &[1.0], native: None });
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
        let histogram = Histogram::new(Shape { bounds: &[10.0], native: None });
        let slept = histogram.start_timer();
        std::thread::sleep(Duration::from_millis(20));
        let observed = slept.stop();
        let ((), timed) = histogram.time(|| std::thread::sleep(Duration::from_millis(5)));
        assert!(observed >= Duration::from_millis(20) && timed >= Duration::from_millis(5));
        assert_eq!(histogram.get_sample_sum(), observed.as_secs_f64() + timed.as_secs_f64());
        assert_eq!(histogram.get_sample_count(), 2);
    }
}
