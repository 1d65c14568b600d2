//! `_h` is an abbreviated unit, which `promtool check metrics` also reports.

use solti_metrics::{Gauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Time since the last backup.
    backup_age_h: Gauge,
}

fn main() {}
