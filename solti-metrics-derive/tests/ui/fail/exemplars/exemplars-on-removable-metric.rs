//! Exemplars are kept by the series they belong to; a removable metric's series can go.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests per tenant.
    #[metric(labels(tenant), removable, exemplars)]
    requests_total: IntCounterVec,
}

fn main() {}
