//! A field is renamed with `#[label(name = "..")]`, not `#[label = ".."]` (a variant's form).

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a> {
    #[label = "tenant_id"]
    tenant: &'a str,
}

fn main() {}
