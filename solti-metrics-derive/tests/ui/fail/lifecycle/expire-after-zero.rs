//! `expire_after` counts expositions: 0 would remove every series at once.

use solti_metrics::{IntGaugeVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Sessions open per tenant.
    #[metric(labels(tenant), expire_after = 0)]
    sessions: IntGaugeVec,
}

fn main() {}
