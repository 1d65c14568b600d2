//! A misspelt bucket function gets a "did you mean" hint.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = exponental(0.1, 2, 5))]
    latency_seconds: Histogram,
}

fn main() {}
