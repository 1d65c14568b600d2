//! A unit written before `_total` fits a counter's name only, also when a type alias hides
//! that the field is a gauge.

use solti_metrics::{IntGauge, MetricsSet};

type Sent = IntGauge;

#[derive(MetricsSet)]
struct Metrics {
    /// Bytes sent.
    #[metric(unit = "bytes")]
    sent_bytes_total: Sent,
}

fn main() {}
