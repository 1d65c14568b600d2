//! Every bucket form: a list (integers, negatives and exponents included), `linear`,
//! `exponential`, and the default; the bounds equal prometheus' own helpers' where their
//! arithmetic is exact, and every generated bound is exported as a person would write it.

use solti_metrics::prometheus;
use solti_metrics::prometheus::{Encoder as _, TextEncoder};
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

    /// Linear bounds whose `f64` sums are not the decimals written: 0.05 + 0.05 * 2 is
    /// 0.15000000000000002.
    #[metric(buckets = linear(0.05, 0.05, 10))]
    decimal_linear_seconds: Histogram,

    /// Exponential bounds with a factor that is not a power of two.
    #[metric(buckets = exponential(0.1, 1.5, 5))]
    decimal_exponential_seconds: Histogram,
}

/// The `le` of every bucket of `name`, as exported.
fn exported_bounds(text: &str, name: &str) -> Vec<String> {
    let prefix = format!("{name}_bucket{{le=\"");
    text.lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

pub fn main() {
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

    latency.decimal_linear_seconds().observe(0.15);
    latency.decimal_exponential_seconds().observe(0.15);
    let mut text = Vec::new();
    TextEncoder::new().encode(&registry.gather(), &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert_eq!(
        exported_bounds(&text, "decimal_linear_seconds"),
        ["0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5", "+Inf"]
    );
    assert_eq!(
        exported_bounds(&text, "decimal_exponential_seconds"),
        ["0.1", "0.15", "0.225", "0.3375", "0.50625", "+Inf"]
    );
    // An observation of 0.15 falls in the bucket written 0.15.
    assert!(text.contains("decimal_linear_seconds_bucket{le=\"0.15\"} 1\n"), "{text}");
}
