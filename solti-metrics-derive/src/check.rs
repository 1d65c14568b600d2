//! Every rule a declaration must follow, checked on the ast; all errors are collected.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned as _;

use crate::ast::{BucketForm, Buckets, Kind, LabelEnum, Metric, Number, Set};
use crate::ctxt::Errors;

/// The most buckets `linear` and `exponential` may generate.
const MAX_GENERATED_BUCKETS: f64 = 1000.0;

/// Names of `MetricsSet` items a recorder method of the same name would hide.
const RESERVED_FIELDS: &[&str] = &["register", "collector", "unregister"];

/// Name segments that are not base units, with the base unit to use instead.
pub(crate) const NON_BASE_UNITS: &[(&str, &str)] = &[
    ("ns", "seconds"),
    ("nsec", "seconds"),
    ("nanoseconds", "seconds"),
    ("us", "seconds"),
    ("usec", "seconds"),
    ("microseconds", "seconds"),
    ("ms", "seconds"),
    ("msec", "seconds"),
    ("millis", "seconds"),
    ("milliseconds", "seconds"),
    ("sec", "seconds"),
    ("secs", "seconds"),
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("kb", "bytes"),
    ("kilobytes", "bytes"),
    ("kib", "bytes"),
    ("mb", "bytes"),
    ("megabytes", "bytes"),
    ("mib", "bytes"),
    ("gb", "bytes"),
    ("gigabytes", "bytes"),
    ("gib", "bytes"),
    ("bits", "bytes"),
    ("percent", "ratio"),
    // The abbreviations `promtool check metrics` also reports.
    ("s", "seconds"),
    ("m", "seconds"),
    ("h", "seconds"),
    ("d", "seconds"),
    ("b", "bytes"),
    ("tb", "bytes"),
    ("pb", "bytes"),
];

/// The most labels a metric can have: `LabelSet` is implemented for tuples up to this length.
const MAX_LABELS: usize = 12;

/// Checks a whole set.
pub fn metrics_set(set: &Set<'_>, errors: &mut Errors) {
    for metric in &set.metrics {
        self::metric(set, metric, errors);
    }
    duplicate_names(set, errors);
}

fn metric(set: &Set<'_>, metric: &Metric<'_>, errors: &mut Errors) {
    let field = metric.field.to_string();
    if RESERVED_FIELDS.contains(&field.as_str()) {
        errors.error(
            metric.field.span(),
            format_args!(
                "a field named `{field}` would hide `MetricsSet::{field}`; rename the field and keep the metric's name with `#[metric(name = \"{field}\")]`"
            ),
        );
    }
    let valid_name = name(set, metric, errors);
    labels(metric, errors);
    if let Some(buckets) = &metric.buckets {
        if metric.kind().is_some_and(|kind| kind != Kind::Histogram) {
            errors.error(
                buckets.span,
                "`buckets` only apply to `Histogram` and `HistogramVec`; remove them, or make the field a histogram",
            );
        } else {
            bucket_values(buckets, errors);
        }
    }
    if !metric.broken {
        help(metric, errors);
    }
    if let Some((limit, span)) = metric.max_series {
        if metric.kind.is_some_and(|kind| !kind.labelled) {
            errors.error(span, "`max_series` limits the series of a labelled metric; this metric has no labels");
        } else if limit == 0 {
            errors.error(span, "`max_series` must be at least 1; remove it for no limit");
        }
    }
    // A name that is invalid, or that may come from a key lost to a mistake, gets no advice on
    // conventions: it would only repeat the first error.
    if valid_name && !metric.broken {
        conventions(set, metric, errors);
    }
}

/// The exported name, part by part, so the error points at the literal at fault; whether it
/// is valid.
fn name(set: &Set<'_>, metric: &Metric<'_>, errors: &mut Errors) -> bool {
    let (base, base_span) = metric.base_name();
    if base.is_empty() {
        errors.error(base_span, "a metric name cannot be empty: remove `name = \"\"` to use the field's name");
        return false;
    }
    let mut valid = true;
    let parts = [
        set.namespace.as_ref().map(|lit| (lit.value(), lit.span(), "namespace")),
        metric.subsystem(set).map(|lit| (lit.value(), lit.span(), "subsystem")),
        Some((base, base_span, "metric name")),
    ];
    let mut first = true;
    for (value, span, what) in parts.into_iter().flatten() {
        if value.is_empty() {
            continue;
        }
        if let Some(bad) = value.chars().find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
            let fixed: String = value
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == ':' { c } else { '_' })
                .collect();
            errors.error(
                span,
                format_args!(
                    "invalid {what} `{value}`: `{bad}` is not allowed; metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, so write `{fixed}`"
                ),
            );
            valid = false;
        } else if first && value.starts_with(|c: char| c.is_ascii_digit()) {
            errors.error(
                span,
                format_args!("invalid {what} `{value}`: a metric name cannot start with a digit; write `_{value}`"),
            );
            valid = false;
        }
        first = false;
    }
    valid
}

fn labels(metric: &Metric<'_>, errors: &mut Errors) {
    let Some(labels) = &metric.labels else {
        if metric.kind.is_some_and(|kind| kind.labelled) && !metric.broken {
            errors.error(
                metric.ty.span(),
                "a `*Vec` metric needs labels: add `#[metric(labels(..))]`, or use the type without `Vec`",
            );
        }
        return;
    };
    if metric.kind.is_some_and(|kind| !kind.labelled) {
        errors.error(
            labels.span,
            "this metric type takes no labels; use its `*Vec` type (`IntCounterVec`, ...) for labelled series",
        );
        return;
    }
    if labels.list.is_empty() {
        errors.error(labels.span, "`labels()` is empty; name at least one label, or use the type without `Vec`");
    }
    if let Some(extra) = labels.list.get(MAX_LABELS) {
        errors.error(
            extra.name.span(),
            format_args!(
                "a metric takes at most {MAX_LABELS} labels; `{}` is label {}",
                extra.exported(),
                MAX_LABELS + 1
            ),
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for label in &labels.list {
        let name = label.exported();
        let span = label.name.span();
        if seen.contains(&name) {
            errors.error(span, format_args!("label `{name}` is declared twice; remove this one"));
            continue;
        }
        seen.push(name.clone());
        if !is_label_name(&name) {
            errors.error(span, format_args!("invalid label name `{name}`: label names match `[a-zA-Z_][a-zA-Z0-9_]*`; use ASCII letters, digits and `_`"));
        } else if name.starts_with("__") {
            errors.error(
                span,
                format_args!(
                    "label name `{name}` is reserved: names starting with `__` belong to Prometheus; write `{}`",
                    name.trim_start_matches('_')
                ),
            );
        } else if name == "quantile" {
            errors.error(span, "label name `quantile` is reserved for summaries; choose another name");
        } else if name == "le" && metric.kind() == Some(Kind::Histogram) {
            errors.error(
                span,
                "label name `le` is reserved on histograms: it holds the bucket bound; choose another name",
            );
        }
    }
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn help(metric: &Metric<'_>, errors: &mut Errors) {
    match (&metric.help, &metric.doc) {
        (Some(help), _) if help.value().trim().is_empty() => {
            errors
                .error(help.span(), "`help` cannot be empty: describe the metric, `help = \"Total requests served\"`");
        }
        (Some(_), _) => {}
        (None, Some((doc, _))) if !doc.is_empty() => {}
        (None, Some((_, span))) => {
            errors.error(*span, "the doc comment is empty; write the help text there or in `#[metric(help = \"..\")]`");
        }
        (None, None) => errors.error(
            metric.field.span(),
            format_args!(
                "metric `{}` has no help text: add a doc comment (`/// ...`) or `#[metric(help = \"..\")]`",
                metric.field
            ),
        ),
    }
}

fn conventions(set: &Set<'_>, metric: &Metric<'_>, errors: &mut Errors) {
    let allowed = |key: &str| metric.allow.iter().any(|ident| ident == key);
    let (base, span) = metric.base_name();
    let full = metric.full_name(set);
    match metric.kind() {
        Some(Kind::Counter) if !full.ends_with("_total") && !allowed("missing_total") => errors.error(
            span,
            format_args!(
                "counter `{full}` should end in `_total`: name it `{base}_total`, or opt out with `#[metric(allow(missing_total))]`"
            ),
        ),
        Some(kind @ (Kind::Gauge | Kind::Histogram)) if full.ends_with("_total") && !allowed("unexpected_total") => {
            let kind = if kind == Kind::Gauge { "gauge" } else { "histogram" };
            errors.error(
                span,
                format_args!(
                    "`_total` is for counters, and `{full}` is a {kind}: drop the suffix, or opt out with `#[metric(allow(unexpected_total))]`"
                ),
            );
        }
        _ => {}
    }
    if allowed("non_base_unit") {
        return;
    }
    let segments: Vec<&str> = base.split('_').collect();
    let unit = segments.iter().enumerate().find_map(|(index, segment)| {
        NON_BASE_UNITS.iter().find(|(unit, _)| segment.eq_ignore_ascii_case(unit)).map(|unit| (index, unit))
    });
    if let Some((index, (_, base_unit))) = unit {
        let unit = segments[index];
        let mut renamed = segments.clone();
        renamed[index] = base_unit;
        errors.error(
            span,
            format_args!(
                "`_{unit}` in `{base}` is not a base unit: name it `{}` and record {}, or opt out with `#[metric(allow(non_base_unit))]`",
                renamed.join("_"),
                if *base_unit == "ratio" { "a ratio from 0 to 1" } else { base_unit }
            ),
        );
    }
}

/// The series a metric exports: its name, and a histogram's `_bucket`, `_sum` and `_count`.
pub fn series_names(full: &str, kind: Option<Kind>) -> Vec<String> {
    let mut names = vec![full.to_owned()];
    if kind == Some(Kind::Histogram) {
        names.extend(["_bucket", "_sum", "_count"].iter().map(|suffix| format!("{full}{suffix}")));
    }
    names
}

fn duplicate_names(set: &Set<'_>, errors: &mut Errors) {
    let mut owners: HashMap<String, &syn::Ident> = HashMap::new();
    for metric in &set.metrics {
        let full = metric.full_name(set);
        let names = series_names(&full, metric.kind());
        if let Some((series, owner)) = names.iter().find_map(|name| owners.get(name).map(|owner| (name, owner))) {
            let (_, span) = metric.base_name();
            errors.error(
                span,
                format_args!(
                    "`{series}` is exported twice: by field `{owner}` and by field `{}`; rename one with `#[metric(name = \"..\")]`",
                    metric.field
                ),
            );
            continue;
        }
        for name in names {
            owners.insert(name, metric.field);
        }
    }
}

/// Computes a histogram's bounds, recording what is wrong with them. Mirrors prometheus'
/// `linear_buckets` and `exponential_buckets`, so the bounds are the same `f64`s.
pub fn bucket_values(buckets: &Buckets, errors: &mut Errors) -> Vec<f64> {
    let values = match &buckets.form {
        BucketForm::List(list) => {
            if list.is_empty() {
                errors.error(buckets.span, "`buckets()` is empty; give at least one bound");
            }
            for pair in list.windows(2) {
                if pair[1].value <= pair[0].value {
                    errors.error(
                        pair[1].span,
                        format_args!(
                            "buckets must be strictly increasing: `{:?}` follows `{:?}`",
                            pair[1].value, pair[0].value
                        ),
                    );
                }
            }
            for bound in list {
                if !bound.value.is_finite() {
                    errors
                        .error(bound.span, "a bucket bound must be a finite number; the `+Inf` bucket is always added");
                }
            }
            return list.iter().map(|bound| bound.value).collect();
        }
        BucketForm::Linear { start, width, count } => {
            let valid = finite(start, "`start`", errors) & finite(width, "`width`", errors) & count_ok(count, errors);
            if width.value <= 0.0 {
                errors.error(width.span, format_args!("`linear` needs a positive width, found `{:?}`", width.value));
                return Vec::new();
            }
            if !valid {
                return Vec::new();
            }
            (0..count.value as usize).map(|step| start.value + width.value * step as f64).collect::<Vec<_>>()
        }
        BucketForm::Exponential { start, factor, count } => {
            let valid = finite(start, "`start`", errors) & finite(factor, "`factor`", errors) & count_ok(count, errors);
            if start.value <= 0.0 {
                errors
                    .error(start.span, format_args!("`exponential` needs a positive start, found `{:?}`", start.value));
                return Vec::new();
            }
            if factor.value <= 1.0 {
                errors.error(
                    factor.span,
                    format_args!("`exponential` needs a factor greater than 1, found `{:?}`", factor.value),
                );
                return Vec::new();
            }
            if !valid {
                return Vec::new();
            }
            let mut next = start.value;
            let mut values = Vec::with_capacity(count.value as usize);
            for _ in 0..count.value as usize {
                values.push(next);
                next *= factor.value;
            }
            values
        }
    };
    if let Some(last) = values.last().filter(|last| !last.is_finite()) {
        errors.error(
            buckets.span,
            format_args!("the generated buckets overflow to `{last:?}`; use fewer or smaller steps"),
        );
    } else if let Some(pair) = values.windows(2).find(|pair| pair[1] <= pair[0]) {
        errors.error(
            buckets.span,
            format_args!(
                "the generated buckets are not strictly increasing: `{:?}` follows `{:?}`; the step is too small for `f64` at this magnitude",
                pair[1], pair[0]
            ),
        );
    }
    values
}

fn finite(number: &Number, what: &str, errors: &mut Errors) -> bool {
    let ok = number.value.is_finite();
    if !ok {
        errors.error(number.span, format_args!("{what} must be a finite number"));
    }
    ok
}

fn count_ok(count: &Number, errors: &mut Errors) -> bool {
    let ok = count.value.fract() == 0.0 && count.value >= 1.0 && count.value <= MAX_GENERATED_BUCKETS;
    if !ok {
        errors.error(
            count.span,
            format_args!("`count` must be a whole number from 1 to {MAX_GENERATED_BUCKETS}, found `{}`", count.value),
        );
    }
    ok
}

/// Checks a `LabelValue` enum: no two variants may export the same label.
pub fn label_enum(input: &LabelEnum<'_>, errors: &mut Errors) {
    if input.variants.is_empty() {
        errors.error(input.ident.span(), "`LabelValue` needs at least one variant: an empty enum has no label value");
    }
    let mut seen: HashMap<&str, (&syn::Ident, Span)> = HashMap::new();
    for variant in &input.variants {
        let (label, span) = &variant.label;
        if label.is_empty() {
            errors.error(*span, "a label value cannot be empty: Prometheus treats an empty value as a missing label");
            continue;
        }
        if let Some((other, _)) = seen.get(label.as_str()) {
            errors.error(
                *span,
                format_args!(
                    "variants `{other}` and `{}` both have the label `{label}`; give one a `#[label = \"..\"]`",
                    variant.ident
                ),
            );
        } else {
            seen.insert(label, (variant.ident, *span));
        }
    }
}

#[cfg(test)]
mod tests {
    use syn::DeriveInput;

    use super::*;
    use crate::ast::Set;

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
        Number { value, span: Span::call_site() }
    }

    #[test]
    fn generated_buckets_match_prometheus_helpers() {
        // prometheus::linear_buckets(0.5, 0.25, 4) and exponential_buckets(0.001, 2.0, 4).
        let (linear, errors) =
            buckets(BucketForm::Linear { start: number(0.5), width: number(0.25), count: number(4.0) });
        assert_eq!((linear, errors), (vec![0.5, 0.75, 1.0, 1.25], vec![]));
        let (exponential, errors) =
            buckets(BucketForm::Exponential { start: number(0.001), factor: number(2.0), count: number(4.0) });
        assert_eq!((exponential, errors), (vec![0.001, 0.002, 0.004, 0.008], vec![]));
    }

    #[test]
    fn linear_buckets_may_start_below_zero() {
        let (values, errors) =
            buckets(BucketForm::Linear { start: number(-1.0), width: number(1.0), count: number(3.0) });
        assert_eq!((values, errors), (vec![-1.0, 0.0, 1.0], vec![]));
    }

    #[test]
    fn every_bad_parameter_is_reported() {
        let (_, errors) =
            buckets(BucketForm::Exponential { start: number(0.0), factor: number(1.0), count: number(0.0) });
        assert_eq!(
            errors,
            [
                "`count` must be a whole number from 1 to 1000, found `0`",
                "`exponential` needs a positive start, found `0.0`",
            ]
        );
    }

    #[test]
    fn only_the_first_name_part_may_not_start_with_a_digit() {
        let ok: DeriveInput = syn::parse_quote! {
            #[metrics(namespace = "app", subsystem = "2fa")]
            struct Set { /// Checks.
                checks_total: IntCounter }
        };
        assert_eq!(messages(ok), Vec::<String>::new());
        let bad: DeriveInput = syn::parse_quote! {
            #[metrics(subsystem = "2fa")]
            struct Set { /// Checks.
                checks_total: IntCounter }
        };
        assert_eq!(messages(bad), ["invalid subsystem `2fa`: a metric name cannot start with a digit; write `_2fa`"]);
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
        assert_eq!(set.metrics[0].full_name(&set), "app_up");
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
}
