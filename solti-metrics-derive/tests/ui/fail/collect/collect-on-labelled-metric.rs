//! `collect` computes one series; a labelled metric has many.

use solti_metrics::{IntGaugeVec, MetricsSet};

fn depth() -> i64 {
    0
}

#[derive(MetricsSet)]
struct Metrics {
    /// Jobs waiting, by queue.
    #[metric(labels(queue), collect = depth)]
    queue_depth: IntGaugeVec,
}

fn main() {}
