//! `_ms` is not a base unit.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    request_duration_ms: Histogram,
}

fn main() {}
