//! An exported name cannot start with a digit.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(name = "5xx_responses_total")]
    server_errors_total: IntCounter,
}

fn main() {}
