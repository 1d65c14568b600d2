//! `inc_with_exemplar` on a metric declared without `#[metric(exemplars)]`.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(labels(path))]
    requests_total: IntCounterVec,
}

fn main() {
    let metrics = Metrics::register(&solti_metrics::Registry::new()).unwrap();
    metrics.requests_total("/users").inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]);
}
