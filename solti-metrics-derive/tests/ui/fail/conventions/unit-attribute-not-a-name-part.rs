//! A unit is a part of the metric's name: letters, digits and `_`.

use solti_metrics::{Gauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Temperature.
    #[metric(unit = "°C")]
    temperature_celsius: Gauge,
}

fn main() {}
