//! `collect` names a function.

use solti_metrics::{IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Jobs waiting.
    #[metric(collect = "depth")]
    queue_depth: IntGauge,
}

fn main() {}
