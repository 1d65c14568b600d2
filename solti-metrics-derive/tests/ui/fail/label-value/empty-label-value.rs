//! `#[label = ""]`: an empty value is a missing label to Prometheus.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Region {
    Eu,
    #[label = ""]
    Unknown,
}

fn main() {}
