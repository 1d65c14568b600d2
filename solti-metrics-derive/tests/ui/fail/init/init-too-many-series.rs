//! `init` on a `u16` label would export 65536 series.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Responses by status.
    #[metric(init, labels(status: u16))]
    responses_total: IntCounterVec,
}

fn main() {}
