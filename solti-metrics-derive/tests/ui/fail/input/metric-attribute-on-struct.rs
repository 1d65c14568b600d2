//! `#[metric(..)]` on the struct instead of `#[metrics(..)]`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metric(namespace = "app")]
struct Metrics {
    /// Requests.
    requests_total: IntCounter,
}

fn main() {}
