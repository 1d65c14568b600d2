//! A metric without labels has one series: there is nothing to remove.

use solti_metrics::{IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Sessions open.
    #[metric(removable)]
    sessions: IntGauge,
}

fn main() {}
