//! A label given a value in the declaration: labels are declared by name and valued at the
//! call; a fixed value belongs in the registry's constant labels.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(region = "eu"))]
    requests_total: IntCounterVec,
}

fn main() {}
