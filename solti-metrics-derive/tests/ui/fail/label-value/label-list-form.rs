//! `#[label("..")]` instead of `#[label = ".."]`.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Status {
    #[label("ok")]
    Ok,
}

fn main() {}
