//! A counter's unit comes before `_total`: `sent_total` has no unit part.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Bytes sent.
    #[metric(unit = "bytes")]
    sent_total: IntCounter,
}

fn main() {}
