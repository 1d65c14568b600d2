//! A field renamed to `http.route` beside a field `http_route`: one label to a scraper without
//! UTF-8 names.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Route<'a> {
    #[label(name = "http.route")]
    route: &'a str,
    http_route: &'a str,
}

fn main() {}
