//! `exponential` with a count that is not a whole number.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = exponential(0.1, 2, 2.5))]
    latency_seconds: Histogram,
}

fn main() {}
