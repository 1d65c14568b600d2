//! A gauge's series has no `*_with_exemplar` method at all.

use solti_metrics::{IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests in flight.
    in_flight: IntGauge,
}

fn main() {
    let metrics = Metrics::register(&solti_metrics::Registry::new()).unwrap();
    metrics.in_flight().inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]);
}
