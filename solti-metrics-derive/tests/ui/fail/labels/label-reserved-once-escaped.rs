//! `_.internal` is `__internal` to a scraper without UTF-8 names: a prefix Prometheus reserves.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels("_.internal"))]
    requests_total: IntCounterVec,
}

fn main() {}
