//! A prometheus metric type without labels, by its full path: refused like the `*Vec` types,
//! with the solti-metrics type to write.

use solti_metrics::MetricsSet;

#[derive(MetricsSet)]
struct Metrics {
    /// Connections.
    connections: solti_metrics::prometheus::IntGauge,
}

fn main() {
    let registry = solti_metrics::prometheus::Registry::new();
    let metrics = Metrics::register(&registry).unwrap();
    metrics.connections().set(3);
}
