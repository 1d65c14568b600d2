//! An enum without variants has no label value.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Never {}

fn main() {}
