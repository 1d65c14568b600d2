//! `exponential` needs a factor greater than 1.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = exponential(0.1, 1, 5))]
    latency_seconds: Histogram,
}

fn main() {}
