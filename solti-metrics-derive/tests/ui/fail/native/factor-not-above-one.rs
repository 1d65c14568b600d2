//! A bucket factor is the ratio between consecutive bounds: 1 or less makes no buckets.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(native(factor = 1.0))]
    latency_seconds: Histogram,
}

fn main() {}
