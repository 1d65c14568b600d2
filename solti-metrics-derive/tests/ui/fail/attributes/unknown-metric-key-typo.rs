//! A misspelt field key gets a "did you mean" hint.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    #[metric(hlep = "Requests.")]
    requests_total: IntCounter,
}

fn main() {}
