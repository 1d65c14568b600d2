//! A series holds at most 12 label values.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Wide {
    a: bool,
    b: bool,
    c: bool,
    d: bool,
    e: bool,
    f: bool,
    g: bool,
    h: bool,
    i: bool,
    j: bool,
    k: bool,
    l: bool,
    m: bool,
}

fn main() {}
