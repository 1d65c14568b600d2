//! An enum is one label value, not a set of labels.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
enum Method {
    Get,
    Post,
}

fn main() {}
