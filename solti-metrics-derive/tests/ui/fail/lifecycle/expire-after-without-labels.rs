//! A metric without labels has one series, which cannot expire.

use solti_metrics::{MetricsSet, Gauge};

#[derive(MetricsSet)]
struct Metrics {
    /// Temperature.
    #[metric(expire_after = 3)]
    temperature_celsius: Gauge,
}

fn main() {}
