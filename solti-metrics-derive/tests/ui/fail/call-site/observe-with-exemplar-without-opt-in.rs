//! `observe_with_exemplar` on a histogram declared without `#[metric(exemplars)]`.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    latency_seconds: Histogram,
}

fn main() {
    let metrics = Metrics::register(&solti_metrics::Registry::new()).unwrap();
    metrics.latency_seconds().observe_with_exemplar(0.25, &[("trace_id", "4bf92f3577b34da6")]);
}
