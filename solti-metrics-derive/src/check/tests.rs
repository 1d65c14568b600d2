//! The checks' unit tests: messages for whole sets, and bucket bounds.

use proc_macro2::Span;
use syn::DeriveInput;

use crate::ast::Set;
use crate::attr::{BucketForm, Buckets, Number};
use crate::check::bucket::bucket_values;
use crate::check::metrics_set;
use crate::check::name::full_name;
use crate::ctxt::Errors;

/// The messages `check` gives for a struct, in order.
fn messages(input: DeriveInput) -> Vec<String> {
    let mut errors = Errors::default();
    if let Some(set) = Set::from_syn(&input, &mut errors) {
        metrics_set(&set, &mut errors);
    }
    errors.finish().err().map_or_else(Vec::new, |error| error.into_iter().map(|e| e.to_string()).collect())
}

fn buckets(form: BucketForm) -> (Vec<f64>, Vec<String>) {
    let mut errors = Errors::default();
    let values = bucket_values(&Buckets { span: Span::call_site(), form }, &mut errors);
    let messages =
        errors.finish().err().map_or_else(Vec::new, |error| error.into_iter().map(|e| e.to_string()).collect());
    (values, messages)
}

fn number(value: f64) -> Number {
    Number { value, digits: value.to_string(), span: Span::call_site() }
}

#[test]
fn generated_buckets_print_as_written() {
    let (linear, errors) =
        buckets(BucketForm::Linear { start: number(0.05), width: number(0.05), count: number(10.0) });
    assert_eq!(errors, Vec::<String>::new());
    let text: Vec<String> = linear.iter().map(ToString::to_string).collect();
    assert_eq!(text, ["0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5"]);
    // Where the arithmetic of prometheus' `linear_buckets` and `exponential_buckets` is
    // exact, the same bounds.
    let (linear, errors) = buckets(BucketForm::Linear { start: number(0.5), width: number(0.25), count: number(4.0) });
    assert_eq!((linear, errors), (vec![0.5, 0.75, 1.0, 1.25], vec![]));
    let (exponential, errors) =
        buckets(BucketForm::Exponential { start: number(0.001), factor: number(2.0), count: number(4.0) });
    assert_eq!((exponential, errors), (vec![0.001, 0.002, 0.004, 0.008], vec![]));
}

#[test]
fn the_overflow_label_is_reserved() {
    let input: DeriveInput = syn::parse_quote! {
        struct Set { /// Requests.
            #[metric(labels(otel_metric_overflow), max_series = 10)] requests_total: IntCounterVec }
    };
    assert_eq!(
        messages(input),
        [
            "label name `otel_metric_overflow` is reserved: it marks the series that takes the records over `max_series`; choose another name"
        ]
    );
}

#[test]
fn a_prometheus_type_is_one_error_naming_the_type_to_write() {
    let input: DeriveInput = syn::parse_quote! {
        #[metrics(crate = my::metrics)]
        struct Set {
            /// Requests.
            #[metric(labels(path))]
            requests_total: prometheus::IntCounterVec,
            /// Up.
            up: ::solti_metrics::prometheus::IntGauge,
        }
    };
    assert_eq!(
        messages(input),
        [
            "`prometheus::IntCounterVec` is prometheus' type; a field takes solti-metrics' type of the same name: write `my::metrics::IntCounterVec`",
            "`solti_metrics::prometheus::IntGauge` is prometheus' type; a field takes solti-metrics' type of the same name: write `my::metrics::IntGauge`",
        ]
    );
}

#[test]
fn linear_buckets_may_start_below_zero() {
    let (values, errors) = buckets(BucketForm::Linear { start: number(-1.0), width: number(1.0), count: number(3.0) });
    assert_eq!((values, errors), (vec![-1.0, 0.0, 1.0], vec![]));
}

#[test]
fn every_bad_parameter_is_reported() {
    let (_, errors) = buckets(BucketForm::Exponential { start: number(0.0), factor: number(1.0), count: number(0.0) });
    assert_eq!(
        errors,
        [
            "`count` must be a whole number from 1 to 1000, found `0`",
            "`exponential` needs a positive start, found `0.0`",
        ]
    );
}

#[test]
fn any_utf8_name_but_names_a_legacy_scraper_sees_as_one() {
    let ok: DeriveInput = syn::parse_quote! {
        #[metrics(namespace = "app", subsystem = "2fa")]
        struct Set {
            /// Checks.
            checks_total: IntCounter,
            /// Requests.
            #[metric(name = "http.server.request.duration", labels("http.request.method", "url.scheme"), native)]
            duration: HistogramVec,
        }
    };
    assert_eq!(messages(ok), Vec::<String>::new());
    let bad: DeriveInput = syn::parse_quote! {
        struct Set {
            /// Requests.
            #[metric(name = "http.requests_total", labels("http.method", http_method, "http-method"))]
            dotted: IntCounterVec,
            /// Requests.
            #[metric(name = "http_requests_total", labels(a))]
            plain: IntCounterVec,
            /// A label struct.
            #[metric(labels(""))]
            empty_total: IntCounterVec,
        }
    };
    assert_eq!(
        messages(bad),
        [
            "labels `http.method` and `http_method` are both `http_method` to a scraper without UTF-8 names (escaping `underscores`): rename one",
            "labels `http.method` and `http-method` are both `http_method` to a scraper without UTF-8 names (escaping `underscores`): rename one",
            "a label name cannot be empty: write a name such as `\"path\"`",
            "metrics `http.requests_total` and `http_requests_total` are both `http_requests_total` to a scraper without UTF-8 names (escaping `underscores`): rename one",
        ]
    );
}

#[test]
fn an_empty_field_subsystem_drops_the_sets_subsystem() {
    let input: DeriveInput = syn::parse_quote! {
        #[metrics(namespace = "app", subsystem = "sv")]
        struct Set { /// Up.
            #[metric(subsystem = "")] up: IntGauge }
    };
    let mut errors = Errors::default();
    let set = Set::from_syn(&input, &mut errors).unwrap();
    assert_eq!(full_name(&set, &set.metrics[0]), "app_up");
}

#[test]
fn units_are_found_in_any_segment_and_case() {
    let input: DeriveInput = syn::parse_quote! {
        struct Set {
            /// A.
            request_MS_total: IntCounter,
            /// B.
            disk_kib_read_total: IntCounter,
            /// Base units pass.
            temperature_celsius: Gauge,
            /// So do words that merely contain a unit.
            items_total: IntCounter,
        }
    };
    assert_eq!(
        messages(input),
        [
            "`_MS` in `request_MS_total` is not a base unit: name it `request_seconds_total` and record seconds, or opt out with `#[metric(allow(non_base_unit))]`",
            "`_kib` in `disk_kib_read_total` is not a base unit: name it `disk_bytes_read_total` and record bytes, or opt out with `#[metric(allow(non_base_unit))]`",
        ]
    );
}

#[test]
fn a_broken_attribute_silences_the_rules_about_missing_keys_only() {
    // `hlep` hides the help and `nmae` the name: no "no help" or "_total" advice follows,
    // but the bad bucket order is still reported.
    let input: DeriveInput = syn::parse_quote! {
        struct Set {
            #[metric(hlep = "x", nmae = "requests_total", buckets(2, 1))]
            requests: Histogram,
        }
    };
    assert_eq!(
        messages(input),
        [
            "unknown metric attribute `hlep`; did you mean `help`?",
            "unknown metric attribute `nmae`; did you mean `name`?",
            "buckets must be strictly increasing: `1.0` follows `2.0`",
        ]
    );
}

#[test]
fn histogram_series_clash_in_either_order() {
    let histogram_first: DeriveInput = syn::parse_quote! {
        struct Set { /// A.
            x_seconds: Histogram, /// B.
            x_seconds_sum: Gauge }
    };
    assert_eq!(
        messages(histogram_first),
        [
            "`x_seconds_sum` is exported twice: by field `x_seconds` and by field `x_seconds_sum`; rename one with `#[metric(name = \"..\")]`"
        ]
    );
    let histogram_last: DeriveInput = syn::parse_quote! {
        struct Set { /// B.
            x_seconds_sum: Gauge, /// A.
            x_seconds: Histogram }
    };
    assert_eq!(
        messages(histogram_last),
        [
            "`x_seconds_sum` is exported twice: by field `x_seconds_sum` and by field `x_seconds`; rename one with `#[metric(name = \"..\")]`"
        ]
    );
}

#[test]
fn a_unit_before_total_behind_an_alias_is_asserted_not_refused() {
    let input: DeriveInput = syn::parse_quote! {
        struct Set { /// Bytes sent.
            #[metric(unit = "bytes")] sent_bytes_total: Sent }
    };
    let mut errors = Errors::default();
    let set = Set::from_syn(&input, &mut errors).unwrap();
    let lowered = metrics_set(&set, &mut errors);
    assert!(errors.finish().is_ok(), "a counter may end in `_bytes_total`");
    let asserted: Vec<&str> = lowered.assertions.iter().map(|assertion| assertion.message.as_str()).collect();
    assert_eq!(
        asserted,
        [
            "`sent_bytes_total` does not end in `_bytes`: OpenMetrics names a metric after its unit; make the name end in `_bytes`, or give the unit its name ends in"
        ]
    );
    assert_eq!(lowered.metrics[0].unit.as_deref(), Some("bytes"));
}
