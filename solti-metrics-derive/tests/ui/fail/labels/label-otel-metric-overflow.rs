//! `otel_metric_overflow` is reserved: it marks the series that takes the records over
//! `max_series`, so a label of that name would export two identical series.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path, otel_metric_overflow), max_series = 100)]
    requests_total: IntCounterVec,
}

fn main() {}
