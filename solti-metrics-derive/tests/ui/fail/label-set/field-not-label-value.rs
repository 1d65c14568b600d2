//! A field whose type is no label value.

use solti_metrics::LabelSet;

struct Tenant {
    id: u64,
}

#[derive(LabelSet)]
struct Route<'a> {
    route: &'a str,
    tenant: Tenant,
}

fn main() {}
