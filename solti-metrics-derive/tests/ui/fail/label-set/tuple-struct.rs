//! A tuple struct has no field names to name its labels.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a>(&'a str, &'a str);

fn main() {}
