//! `init` cannot list the values of a label struct with a string field.

use solti_metrics::{IntCounterVec, LabelSet, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(LabelSet)]
struct Route<'a> {
    method: Method,
    route: &'a str,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(init, labels = Route)]
    requests_total: IntCounterVec,
}

fn main() {}
