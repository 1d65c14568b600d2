//! A bound repeated: buckets must be strictly increasing.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets(0.1, 0.5, 0.5))]
    latency_seconds: Histogram,
}

fn main() {}
