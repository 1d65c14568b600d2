//! A field renamed to the name of another field.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a> {
    #[label(name = "tenant")]
    customer: &'a str,
    tenant: &'a str,
}

fn main() {}
