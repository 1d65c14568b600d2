//! `buckets()` with no bound.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets())]
    latency_seconds: Histogram,
}

fn main() {}
