//! More generated buckets than the limit.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = linear(0, 1, 5000))]
    latency_seconds: Histogram,
}

fn main() {}
