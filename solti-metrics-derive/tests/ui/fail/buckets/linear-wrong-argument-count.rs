//! `linear` with two arguments instead of three.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = linear(0.1, 0.1))]
    latency_seconds: Histogram,
}

fn main() {}
