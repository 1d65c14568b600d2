//! A Rust field name that is no Prometheus label name.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Request<'a> {
    método: &'a str,
}

fn main() {}
