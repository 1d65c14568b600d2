//! `#[metric(native)]` and its options: the catalog entry states the schema the factor gives,
//! the bucket limit and the zero threshold exactly as declared; a native histogram alone has
//! the `+Inf` bucket as its only classic one.

use solti_metrics::{Format, Histogram, HistogramVec, MetricsSet, Native, Registry};

#[derive(MetricsSet)]
struct Latency {
    /// Defaults: factor 1.1, 160 buckets, zero bucket up to 2^-128.
    #[metric(native)]
    plain_seconds: Histogram,
    /// Both kinds of buckets.
    #[metric(labels(path), buckets(0.1, 1.0), native(factor = 2, max_buckets = 20, zero_threshold = 1e-9))]
    both_seconds: HistogramVec,
    /// The finest resolution.
    #[metric(native(factor = 1.0001))]
    fine_seconds: Histogram,
}

pub fn main() {
    let native = |field: &str| Latency::METRICS.iter().find(|metric| metric.field == field).unwrap().native;
    assert_eq!(native("plain_seconds"), Some(Native::DEFAULT));
    assert_eq!(native("both_seconds"), Some(Native { schema: 0, max_buckets: 20, zero_threshold: 1e-9 }));
    assert_eq!(native("fine_seconds").map(|native| native.schema), Some(8));

    let registry = Registry::new();
    let latency = Latency::register(&registry).unwrap();
    latency.plain_seconds().observe(0.25);
    latency.both_seconds("/").observe(0.25);
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus).unwrap();
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("plain_seconds_bucket{le=\"+Inf\"} 1\nplain_seconds_sum 0.25\nplain_seconds_count 1\n"), "{text}");
    assert!(text.contains("both_seconds_bucket{path=\"/\",le=\"1\"} 1\n"), "{text}");
}
