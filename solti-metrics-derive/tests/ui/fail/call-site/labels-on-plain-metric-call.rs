//! A label passed to the recorder of a metric without labels.

use solti_metrics::{IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Connections open.
    connections: IntGauge,
}

fn record(metrics: &Metrics) {
    metrics.connections("eu").inc();
}

fn main() {}
