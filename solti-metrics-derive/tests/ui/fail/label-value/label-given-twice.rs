//! Two `#[label]` attributes on one variant.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Status {
    #[label = "ok"]
    #[label = "fine"]
    Ok,
}

fn main() {}
