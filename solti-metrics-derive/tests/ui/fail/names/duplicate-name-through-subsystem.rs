//! A per-field subsystem makes two fields export the same name.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "app", subsystem = "sv")]
struct Metrics {
    /// Ticks of the supervisor.
    ticks_total: IntCounter,
    /// Ticks, declared again.
    #[metric(subsystem = "", name = "sv_ticks_total")]
    other_ticks_total: IntCounter,
}

fn main() {}
