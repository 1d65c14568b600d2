//! A `#[label = ".."]` rename collides with another variant's label.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Method {
    Get,
    #[label = "get"]
    Head,
}

fn main() {}
