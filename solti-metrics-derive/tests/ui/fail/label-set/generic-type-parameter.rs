//! A type parameter could be anything, not necessarily a label value.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a, T> {
    route: &'a str,
    tenant: T,
}

fn main() {}
