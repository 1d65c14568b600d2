//! `max_series` on a label struct whose fields all have a fixed set of values would do nothing.

use solti_metrics::{IntCounterVec, LabelSet, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(LabelSet)]
struct Call {
    method: Method,
    cached: bool,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Calls made.
    #[metric(labels = Call, max_series = 10)]
    calls_total: IntCounterVec,
}

fn main() {}
