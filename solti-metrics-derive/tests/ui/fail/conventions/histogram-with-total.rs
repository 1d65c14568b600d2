//! A histogram named like a counter.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    latency_total: Histogram,
}

fn main() {}
