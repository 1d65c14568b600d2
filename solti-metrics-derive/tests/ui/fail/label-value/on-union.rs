//! `LabelValue` derived on a union.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
union Code {
    number: u16,
}

fn main() {}
