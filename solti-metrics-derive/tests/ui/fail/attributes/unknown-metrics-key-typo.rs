//! A misspelt struct key gets a "did you mean" hint.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namepsace = "app")]
struct Metrics {
    /// Requests.
    requests_total: IntCounter,
}

fn main() {}
