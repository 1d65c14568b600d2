//! Label names are ASCII.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(método))]
    requests_total: IntCounterVec,
}

fn main() {}
