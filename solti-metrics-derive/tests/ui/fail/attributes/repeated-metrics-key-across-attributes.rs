//! A struct key given twice, in two attributes.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
#[metrics(subsystem = "http", namespace = "web")]
struct Metrics {
    /// Requests.
    requests_total: IntCounter,
}

fn main() {}
