//! A bound that overflows `f64`.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets(0.1, 1e999))]
    latency_seconds: Histogram,
}

fn main() {}
