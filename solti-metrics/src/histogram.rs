//! The series type of a [`HistogramVec`](crate::HistogramVec): a histogram recorded with one
//! bucket increment and one sum update, exported exactly as prometheus exports its own.

use std::collections::HashMap as StdHashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use prometheus::core::{Collector, Desc, Metric};
use prometheus::proto::{self, MetricFamily, MetricType};

use crate::MetricDesc;

/// One series of a [`HistogramVec`](crate::HistogramVec): counts observations into buckets and
/// keeps their sum.
///
/// It has the recording API of [`prometheus::Histogram`]: [`observe`](Self::observe),
/// [`start_timer`](Self::start_timer) (a [`HistogramTimer`] with `observe_duration`,
/// `stop_and_record` and `stop_and_discard`), [`observe_closure_duration`](Self::observe_closure_duration),
/// [`get_sample_count`](Self::get_sample_count) and [`get_sample_sum`](Self::get_sample_sum),
/// and exports the same `_bucket`, `_sum` and `_count` series, byte for byte.
///
/// It is solti-metrics' own type rather than `prometheus::Histogram` for speed: an observation
/// is a search in the bucket bounds (one comparison with the middle bound, then a short linear
/// scan), one atomic add to the bucket and one atomic update of the sum, where `prometheus::Histogram` also counts into a shard selector and a
/// total (four atomic operations, reached through one more pointer). The count is not stored:
/// it is the sum of the buckets, one of which takes the observations above the last bound
/// (and `NaN`). So a gather that runs while observations are recorded always exports a count
/// equal to the `+Inf` bucket; the sum may then include an observation whose bucket it has not
/// seen yet, or miss one it has, which prometheus' two-shard scheme rules out at the price of
/// the extra atomic operations.
///
/// ```
/// use solti_metrics::{HistogramVec, MetricsSet};
///
/// #[derive(MetricsSet)]
/// struct Jobs {
///     /// Job duration.
///     #[metric(labels(queue), buckets(0.1, 1.0, 10.0))]
///     job_duration_seconds: HistogramVec,
/// }
///
/// let jobs = Jobs::register(&solti_metrics::prometheus::Registry::new())?;
/// jobs.job_duration_seconds("mail").observe(0.25);
/// let timer = jobs.job_duration_seconds("mail").start_timer();
/// timer.observe_duration();
///
/// let series = jobs.job_duration_seconds("mail");
/// assert_eq!(series.get_sample_count(), 2);
/// assert!(series.get_sample_sum() >= 0.25);
/// # Ok::<(), solti_metrics::prometheus::Error>(())
/// ```
#[derive(Clone)]
pub struct HistogramSeries {
    // `cells[0]` holds the sum's bits, `cells[1 + i]` the observations in bucket `i` (those not
    // above `bounds[i]` and above `bounds[i - 1]`), the last cell those above every bound.
    cells: Arc<[AtomicU64]>,
    bounds: &'static [f64],
    desc: Arc<Desc>,
}

const SUM: usize = 0;

impl HistogramSeries {
    /// A series of the histogram `meta`, carrying `labels` as its label pairs.
    pub(crate) fn create(meta: &'static MetricDesc, labels: StdHashMap<String, String>) -> prometheus::Result<Self> {
        let bounds = checked_bounds(meta.buckets)?;
        if labels.contains_key("le") {
            return Err(prometheus::Error::Msg("`le` is not allowed as label name in histograms".to_owned()));
        }
        // `Desc::new` checks the names and sorts the label pairs as prometheus does.
        let desc = Desc::new(meta.name.to_owned(), meta.help.to_owned(), Vec::new(), labels)?;
        Ok(Self { cells: (0..bounds.len() + 2).map(|_| AtomicU64::new(0)).collect(), bounds, desc: Arc::new(desc) })
    }

    /// Adds one observation.
    #[inline]
    pub fn observe(&self, value: f64) {
        let bucket = bucket_of(self.bounds, value);
        if let Some((sum, buckets)) = self.cells.split_first() {
            if let Some(cell) = buckets.get(bucket) {
                cell.fetch_add(1, Ordering::Relaxed);
            }
            add_f64(sum, value);
        }
    }

    /// Starts a timer that observes the seconds elapsed when it is stopped or dropped.
    #[must_use = "a timer observes when it is stopped or dropped; dropping it at once observes ~0"]
    pub fn start_timer(&self) -> HistogramTimer {
        HistogramTimer { series: self.clone(), start: Instant::now(), observed: false }
    }

    /// Runs `f` and observes the seconds it took.
    pub fn observe_closure_duration<T>(&self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = f();
        self.observe(start.elapsed().as_secs_f64());
        result
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
}

/// The bucket bounds as prometheus adjusts them: the default buckets when empty, a trailing
/// `+Inf` dropped, and an error unless strictly increasing.
fn checked_bounds(buckets: &'static [f64]) -> prometheus::Result<&'static [f64]> {
    let buckets = if buckets.is_empty() { prometheus::DEFAULT_BUCKETS } else { buckets };
    let buckets = match buckets.split_last() {
        Some((last, rest)) if *last == f64::INFINITY => rest,
        _ => buckets,
    };
    if buckets.windows(2).any(|pair| pair[0].partial_cmp(&pair[1]) != Some(core::cmp::Ordering::Less)) {
        return Err(prometheus::Error::Msg(format!("histogram buckets must be in increasing order: {buckets:?}")));
    }
    Ok(buckets)
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

impl Metric for HistogramSeries {
    fn metric(&self) -> proto::Metric {
        let mut histogram = proto::Histogram::default();
        let mut cumulative = 0;
        let mut buckets = Vec::with_capacity(self.bounds.len());
        for (&bound, cell) in self.bounds.iter().zip(self.cells.iter().skip(1)) {
            cumulative += cell.load(Ordering::Relaxed);
            let mut bucket = proto::Bucket::default();
            bucket.set_cumulative_count(cumulative);
            bucket.set_upper_bound(bound);
            buckets.push(bucket);
        }
        let above = self.cells.last().map_or(0, |cell| cell.load(Ordering::Relaxed));
        histogram.set_sample_count(cumulative + above);
        histogram.set_sample_sum(self.get_sample_sum());
        histogram.set_bucket(buckets);

        let mut metric = proto::Metric::from_label(self.desc.const_label_pairs.clone());
        metric.set_histogram(histogram);
        metric
    }
}

impl Collector for HistogramSeries {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.desc]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut family = MetricFamily::default();
        family.set_name(self.desc.fq_name.clone());
        family.set_help(self.desc.help.clone());
        family.set_field_type(MetricType::HISTOGRAM);
        family.set_metric(vec![self.metric()]);
        vec![family]
    }
}

impl core::fmt::Debug for HistogramSeries {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HistogramSeries")
            .field("name", &self.desc.fq_name)
            .field("labels", &self.desc.const_label_pairs)
            .field("count", &self.get_sample_count())
            .field("sum", &self.get_sample_sum())
            .finish()
    }
}

/// Measures the time from [`HistogramSeries::start_timer`] and observes it, in seconds, when
/// stopped or dropped, at most once (the API of prometheus' `HistogramTimer`).
#[must_use = "a timer observes when it is stopped or dropped"]
#[derive(Debug)]
pub struct HistogramTimer {
    series: HistogramSeries,
    start: Instant,
    observed: bool,
}

impl HistogramTimer {
    /// Observes the seconds elapsed since the timer started.
    pub fn observe_duration(self) {
        self.stop_and_record();
    }

    /// Observes and returns the seconds elapsed since the timer started.
    pub fn stop_and_record(mut self) -> f64 {
        self.stop(true)
    }

    /// Returns the seconds elapsed since the timer started, without observing them.
    pub fn stop_and_discard(mut self) -> f64 {
        self.stop(false)
    }

    fn stop(&mut self, record: bool) -> f64 {
        let seconds = self.start.elapsed().as_secs_f64();
        self.observed = true;
        if record {
            self.series.observe(seconds);
        }
        seconds
    }
}

impl Drop for HistogramTimer {
    fn drop(&mut self) {
        if !self.observed {
            self.stop(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use prometheus::{HistogramOpts, Registry, TextEncoder};

    use super::*;
    use crate::MetricKind;

    static META: MetricDesc = MetricDesc {
        name: "h_seconds",
        help: "A histogram.",
        kind: MetricKind::Histogram,
        labels: &[],
        buckets: &[0.1, 0.5, 1.0, 5.0],
        max_series: None,
        field: "h_seconds",
    };

    fn text(collector: impl Collector + 'static) -> String {
        let registry = Registry::new();
        registry.register(Box::new(collector)).unwrap();
        TextEncoder::new().encode_to_string(&registry.gather()).unwrap()
    }

    /// The same observations in ours and in prometheus' histogram export the same text, edge
    /// values included: on a bound, below the first, above the last, infinities, `NaN`, `-0.0`.
    #[test]
    fn exports_what_prometheus_exports() {
        let cases: &[&[f64]] = &[
            &[],
            &[0.1, 0.5, 1.0, 5.0],
            &[-3.0, 0.0, -0.0, 0.1 + f64::EPSILON, 0.3, 7.0, 1e300],
            &[f64::INFINITY, f64::NEG_INFINITY],
            &[f64::NAN, 0.2],
            &[0.1, 0.2, 0.3, 0.7, 1.1, 2.9, 4.999],
        ];
        for values in cases {
            let labels = StdHashMap::from([("zone".to_owned(), "b".to_owned()), ("app".to_owned(), "x".to_owned())]);
            let ours = HistogramSeries::create(&META, labels.clone()).unwrap();
            let opts = HistogramOpts::new(META.name, META.help).const_labels(labels).buckets(META.buckets.to_vec());
            let theirs = prometheus::Histogram::with_opts(opts).unwrap();
            for &value in *values {
                ours.observe(value);
                theirs.observe(value);
            }
            assert_eq!(ours.get_sample_count(), theirs.get_sample_count(), "{values:?}");
            assert_eq!(ours.get_sample_sum().to_bits(), theirs.get_sample_sum().to_bits(), "{values:?}");
            assert_eq!(text(ours), text(theirs), "{values:?}");
        }
    }

    #[test]
    fn buckets_are_adjusted_or_refused_as_prometheus_does() {
        static DEFAULT: [f64; 0] = [];
        static WITH_INF: [f64; 2] = [1.0, f64::INFINITY];
        static UNORDERED: [f64; 2] = [1.0, 0.5];
        assert_eq!(checked_bounds(&DEFAULT).unwrap(), prometheus::DEFAULT_BUCKETS);
        assert_eq!(checked_bounds(&WITH_INF).unwrap(), &[1.0]);
        assert!(checked_bounds(&UNORDERED).is_err());
    }

    #[test]
    fn timers_observe_once() {
        let series = HistogramSeries::create(&META, StdHashMap::new()).unwrap();
        series.start_timer().observe_duration();
        let seconds = series.start_timer().stop_and_record();
        assert!(seconds >= 0.0);
        let _ = series.start_timer().stop_and_discard();
        drop(series.start_timer());
        assert_eq!(series.observe_closure_duration(|| 7), 7);
        assert_eq!(series.get_sample_count(), 4);
    }
}
