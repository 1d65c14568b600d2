//! A field named `register` would hide `MetricsSet::register`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Registrations.
    #[metric(allow(missing_total))]
    register: IntCounter,
}

fn main() {}
