//! `LabelValue` derived on a generic enum.

use solti_metrics::LabelValue;

#[derive(LabelValue)]
enum Shard<const N: usize> {
    Primary,
    Replica,
}

fn main() {}
