//! `_kb` is not a base unit.

use solti_metrics::{Gauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Payload size.
    payload_kb: Gauge,
}

fn main() {}
