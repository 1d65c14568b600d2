//! An unknown bucket function lists the two there are.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets = expo(0.1, 2, 5))]
    latency_seconds: Histogram,
}

fn main() {}
