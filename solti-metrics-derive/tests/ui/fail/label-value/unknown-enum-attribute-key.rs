//! An unknown key in the enum's `#[label(..)]`.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
#[label(crat = solti_metrics)]
enum Region {
    Eu,
}

fn main() {}
