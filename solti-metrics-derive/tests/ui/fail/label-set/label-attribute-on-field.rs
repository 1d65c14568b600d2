//! A label is named after its field: `#[label]` does not rename it.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a> {
    #[label = "tenant_id"]
    tenant: &'a str,
}

fn main() {}
