//! A field's `#[label(..)]` takes `name` alone.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a> {
    #[label(rename = "tenant_id")]
    tenant: &'a str,
}

fn main() {}
