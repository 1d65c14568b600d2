//! A histogram's `_count` series clashes with a gauge of that name.

use solti_metrics::{Histogram, IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    request_seconds: Histogram,
    /// Not the histogram's count.
    request_seconds_count: IntGauge,
}

fn main() {}
