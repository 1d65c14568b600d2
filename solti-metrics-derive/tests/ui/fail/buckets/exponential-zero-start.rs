//! `exponential` must start above zero.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = exponential(0, 2, 5))]
    latency_seconds: Histogram,
}

fn main() {}
