//! An info metric's samples are named `name_info`: the name must end in it.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    #[metric(labels(version))]
    build: Info,
}

fn main() {}
