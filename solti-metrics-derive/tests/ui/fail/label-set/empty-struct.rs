//! A label struct without fields has no labels.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Nothing {}

fn main() {}
