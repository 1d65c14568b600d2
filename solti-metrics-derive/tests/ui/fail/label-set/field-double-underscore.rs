//! Label names starting with `__` belong to Prometheus.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a> {
    __tenant: &'a str,
    route: &'a str,
}

fn main() {}
