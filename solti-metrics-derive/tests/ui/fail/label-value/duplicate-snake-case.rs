//! Two variant names that give the same snake_case label.

use solti_metrics::LabelValue;

#[allow(non_camel_case_types)]
#[derive(LabelValue)]
enum Kind {
    HttpGet,
    Http_Get,
}

fn main() {}
