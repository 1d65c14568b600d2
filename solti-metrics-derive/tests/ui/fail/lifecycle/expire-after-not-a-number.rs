//! `expire_after` takes a number of expositions, not a duration.

use solti_metrics::{IntGaugeVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Sessions open per tenant.
    #[metric(labels(tenant), expire_after = "5m")]
    sessions: IntGaugeVec,
}

fn main() {}
