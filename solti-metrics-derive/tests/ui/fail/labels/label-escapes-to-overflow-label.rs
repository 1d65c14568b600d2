//! `otel.metric.overflow` is `otel_metric_overflow` to a scraper without UTF-8 names: the label
//! that marks the overflow series.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Things.
    #[metric(labels("otel.metric.overflow"), max_series = 10)]
    things_total: IntCounterVec,
}

fn main() {}
