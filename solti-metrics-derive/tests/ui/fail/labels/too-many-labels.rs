//! Thirteen labels: a metric takes at most twelve.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(a, b, c, d, e, f, g, h, i, j, k, l, m))]
    requests_total: IntCounterVec,
}

fn main() {}
