//! `quantile` is reserved for summaries.

use solti_metrics::{IntGaugeVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Temperature.
    #[metric(labels(quantile))]
    temperature_celsius: IntGaugeVec,
}

fn main() {}
