//! `labels = ..` names a struct that does not derive `LabelSet`.

use solti_metrics::{IntCounterVec, MetricsSet};

struct Route<'a> {
    tenant: &'a str,
    route: &'a str,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels = Route)]
    requests_total: IntCounterVec,
}

fn main() {}
