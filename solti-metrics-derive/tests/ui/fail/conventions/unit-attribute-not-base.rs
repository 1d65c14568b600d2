//! `unit = "milliseconds"` is not a base unit, whatever the name says.

use solti_metrics::{Gauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Time since the last run.
    #[metric(unit = "milliseconds", name = "since_last_run_milliseconds")]
    since_last_run: Gauge,
}

fn main() {}
