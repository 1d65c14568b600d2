//! An info metric states facts as labels: it has no unit.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    #[metric(labels(version), unit = "info")]
    build_info: Info,
}

fn main() {}
