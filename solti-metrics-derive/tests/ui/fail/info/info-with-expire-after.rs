//! An info metric never changes: expiry would remove every series.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    #[metric(labels(version), expire_after = 3)]
    build_info: Info,
}

fn main() {}
