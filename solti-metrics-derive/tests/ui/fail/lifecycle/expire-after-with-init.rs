//! `init` exports every series at 0 and `expire_after` would remove them again.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests by success.
    #[metric(labels(ok: bool), init, expire_after = 3)]
    requests_total: IntCounterVec,
}

fn main() {}
