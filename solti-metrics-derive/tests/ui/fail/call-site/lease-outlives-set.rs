//! A removable metric's series is leased from its set: it cannot outlive the set.

use solti_metrics::{IntGaugeVec, MetricsSet, Registry};

#[derive(MetricsSet)]
struct Metrics {
    /// Sessions open per tenant.
    #[metric(labels(tenant), removable)]
    sessions: IntGaugeVec,
}

fn main() {
    let series = {
        let metrics = Metrics::register(&Registry::new()).unwrap();
        metrics.sessions("acme")
    };
    series.inc();
}
