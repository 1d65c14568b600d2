//! A variant with fields: the error points at the fields.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Outcome {
    Success,
    Failed(String),
}

fn main() {}
