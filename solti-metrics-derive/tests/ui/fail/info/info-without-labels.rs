//! An info metric states its facts as labels: it needs some.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    build_info: Info,
}

fn main() {}
