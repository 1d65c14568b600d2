//! `removable` is a flag: it takes no value.

use solti_metrics::{IntGaugeVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Sessions open per tenant.
    #[metric(labels(tenant), removable = true)]
    sessions: IntGaugeVec,
}

fn main() {}
