//! A gauge named as the counter's `_created` sample: OpenMetrics with created samples would
//! write `jobs_created` twice.

use solti_metrics::{IntCounter, IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Jobs done.
    jobs_total: IntCounter,
    /// When the jobs were created.
    jobs_created: IntGauge,
}

fn main() {}
