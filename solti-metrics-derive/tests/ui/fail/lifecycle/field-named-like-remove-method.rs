//! A removable metric `sessions` gets `remove_sessions`: a field of that name would clash.

use solti_metrics::{IntCounter, IntGaugeVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Sessions open per tenant.
    #[metric(labels(tenant), removable)]
    sessions: IntGaugeVec,

    /// Sessions removed.
    #[metric(allow(missing_total))]
    remove_sessions: IntCounter,
}

fn main() {}
