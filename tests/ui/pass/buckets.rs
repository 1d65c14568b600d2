//! Every bucket form: a list (integers, negatives and exponents included), `linear`,
//! `exponential`, and the default; the bounds equal prometheus' own helpers'.

use solti_metrics::prometheus;
use solti_metrics::{Histogram, HistogramVec, MetricsSet};

#[derive(MetricsSet)]
struct Latency {
    /// Listed bounds.
    #[metric(buckets(-1, 0, 2.5e-1, 1, 10))]
    listed_seconds: Histogram,

    /// Evenly spaced bounds.
    #[metric(buckets = linear(0.5, 0.25, 4))]
    linear_seconds: Histogram,

    /// Exponentially growing bounds, with labels.
    #[metric(labels(route), buckets = exponential(0.001, 2, 12))]
    exponential_seconds: HistogramVec,

    /// Prometheus' default bounds.
    default_seconds: Histogram,

    /// A single bound.
    #[metric(buckets(1))]
    single_bound_bytes: Histogram,
}

fn main() {
    let buckets: Vec<&[f64]> = Latency::METRICS.iter().map(|m| m.buckets).collect();
    assert_eq!(buckets[0], [-1.0, 0.0, 0.25, 1.0, 10.0]);
    assert_eq!(buckets[1], prometheus::linear_buckets(0.5, 0.25, 4).unwrap().as_slice());
    assert_eq!(buckets[2], prometheus::exponential_buckets(0.001, 2.0, 12).unwrap().as_slice());
    assert_eq!(buckets[3], prometheus::DEFAULT_BUCKETS);
    assert_eq!(buckets[4], [1.0]);

    let registry = prometheus::Registry::new();
    let latency = Latency::register(&registry).unwrap();
    latency.linear_seconds().observe(0.6);
    latency.exponential_seconds("/").observe(0.003);
    assert_eq!(latency.linear_seconds().get_sample_count(), 1);
    assert_eq!(latency.exponential_seconds("/").get_sample_sum(), 0.003);
}
