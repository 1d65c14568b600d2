//! Only a metric declared `removable` (or with `expire_after`) has a `remove_` method.

use solti_metrics::{IntCounterVec, MetricsSet, Registry};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests per tenant.
    #[metric(labels(tenant))]
    requests_total: IntCounterVec,
}

fn main() {
    let metrics = Metrics::register(&Registry::new()).unwrap();
    metrics.remove_requests_total("acme");
}
