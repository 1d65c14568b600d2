//! `native` given twice.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(native, native(factor = 2.0))]
    latency_seconds: Histogram,
}

fn main() {}
