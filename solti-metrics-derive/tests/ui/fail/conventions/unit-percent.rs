//! A percentage is exported as a ratio.

use solti_metrics::{Gauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// CPU use.
    cpu_percent: Gauge,
}

fn main() {}
