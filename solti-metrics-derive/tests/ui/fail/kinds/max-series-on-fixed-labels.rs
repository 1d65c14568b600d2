//! `max_series` caps open labels; on labels with a fixed set of values it would do nothing.

use solti_metrics::{IntCounterVec, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(labels(method: Method, ok: bool), max_series = 10)]
    requests_total: IntCounterVec,
}

fn main() {}
