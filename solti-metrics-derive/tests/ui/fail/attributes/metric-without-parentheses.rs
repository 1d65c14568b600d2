//! `#[metric = ".."]` instead of `#[metric(..)]`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric = "requests_total"]
    requests_total: IntCounter,
}

fn main() {}
