//! `LabelValue` derived on a struct.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
struct Region {
    name: String,
}

fn main() {}
