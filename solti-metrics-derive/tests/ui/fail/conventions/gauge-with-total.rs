//! A gauge named like a counter.

use solti_metrics::{IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Connections open.
    connections_total: IntGauge,
}

fn main() {}
