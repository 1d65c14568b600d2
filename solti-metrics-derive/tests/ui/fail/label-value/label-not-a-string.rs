//! `#[label = ..]` takes a string.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Status {
    #[label = 200]
    Ok,
}

fn main() {}
