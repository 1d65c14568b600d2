//! A `.` in a per-field subsystem.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
struct Metrics {
    /// Requests.
    #[metric(subsystem = "http.v2")]
    requests_total: IntCounter,
}

fn main() {}
