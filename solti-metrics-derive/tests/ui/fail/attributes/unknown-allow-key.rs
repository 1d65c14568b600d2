//! A misspelt convention in `allow(..)`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(allow(missing_totl))]
    requests: IntCounter,
}

fn main() {}
