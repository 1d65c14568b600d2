//! Label names starting with `__` belong to Prometheus.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(__path))]
    requests_total: IntCounterVec,
}

fn main() {}
