//! `#[label = ".."]` on the enum instead of on a variant.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
#[label = "region"]
enum Region {
    Eu,
}

fn main() {}
