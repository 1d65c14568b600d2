//! A type alias hides a `*Vec`: the check runs on the type itself.

use solti_metrics::{IntCounterVec, MetricsSet};

type Requests = IntCounterVec;

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    requests_total: Requests,
}

fn main() {}
