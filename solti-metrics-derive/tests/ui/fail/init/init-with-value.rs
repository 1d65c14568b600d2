//! `init` is a flag.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests by success.
    #[metric(init = true, labels(ok: bool))]
    requests_total: IntCounterVec,
}

fn main() {}
