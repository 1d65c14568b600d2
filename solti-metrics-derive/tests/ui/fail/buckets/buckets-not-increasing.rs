//! Bounds out of order; the error points at the bound that breaks the order.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(buckets(0.1, 1.0, 0.5, 2.0))]
    latency_seconds: Histogram,
}

fn main() {}
