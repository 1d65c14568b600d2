//! A step too small to change a bound this large: the bounds would repeat.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = linear(1e20, 1, 3))]
    latency_seconds: Histogram,
}

fn main() {}
