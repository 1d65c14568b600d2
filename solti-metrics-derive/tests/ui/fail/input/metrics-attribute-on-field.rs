//! `#[metrics(..)]` on a field instead of `#[metric(..)]`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metrics(name = "requests_total")]
    requests: IntCounter,
}

fn main() {}
