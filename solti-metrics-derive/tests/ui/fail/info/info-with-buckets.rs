//! Buckets are for histograms.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    #[metric(labels(version), buckets(1.0))]
    build_info: Info,
}

fn main() {}
