//! A type alias hides a label-less counter that is given labels.

use solti_metrics::{IntCounter, MetricsSet};

type Requests = IntCounter;

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path))]
    requests_total: Requests,
}

fn main() {}
