//! The naming conventions' opt-outs: `allow(missing_total)`, `allow(unexpected_total)` and
//! `allow(non_base_unit)`, alone and together. Base-unit names need none.

use solti_metrics::{Gauge, Histogram, IntCounter, IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Legacy {
    /// A counter kept under its historical name.
    #[metric(allow(missing_total))]
    requests: IntCounter,

    /// A gauge mirroring an external counter's total.
    #[metric(allow(unexpected_total))]
    upstream_total: IntGauge,

    /// A latency recorded in milliseconds for a dashboard that expects them.
    #[metric(allow(non_base_unit))]
    latency_ms: Histogram,

    /// Everything at once.
    #[metric(allow(missing_total, non_base_unit))]
    payload_kb: IntCounter,

    /// Base units need no opt-out.
    temperature_celsius: Gauge,
}

pub fn main() {
    let names: Vec<&str> = Legacy::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(names, ["requests", "upstream_total", "latency_ms", "payload_kb", "temperature_celsius"]);
}
