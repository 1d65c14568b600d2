//! One mistake in a set: the only error is that mistake, not a wave of errors at the places
//! that use the set's methods and `register`.

use solti_metrics::{IntCounter, IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    requests: IntCounter,
    /// Connections.
    connections: IntGauge,
}

fn main() {
    let registry = solti_metrics::prometheus::Registry::new();
    let metrics = Metrics::register(&registry).unwrap();
    metrics.requests().inc();
    metrics.connections().set(3);
}
