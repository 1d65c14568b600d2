//! `linear` with a width of zero.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = linear(0.1, 0, 5))]
    latency_seconds: Histogram,
}

fn main() {}
