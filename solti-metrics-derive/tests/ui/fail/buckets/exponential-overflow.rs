//! Bounds that grow past `f64::MAX`.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = exponential(1e300, 1e10, 10))]
    latency_seconds: Histogram,
}

fn main() {}
