//! `init` would export every combination of label values, not the facts given.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    #[metric(labels(tls: bool), init)]
    feature_info: Info,
}

fn main() {}
