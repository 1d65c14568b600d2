//! `init` cannot list the values of a label that takes any string.

use solti_metrics::{IntCounterVec, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(init, labels(method: Method, path))]
    requests_total: IntCounterVec,
}

fn main() {}
