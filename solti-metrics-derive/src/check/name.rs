//! A metric's name, part by part, its help text, and the naming conventions.

use proc_macro2::Span;
use solti_metrics_rules::names;
use solti_metrics_rules::options;
use syn::LitStr;
use syn::ext::IdentExt as _;

use crate::ast::{Metric, Set};
use crate::check::{Assertion, Condition, Kind};
use crate::ctxt::Errors;

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

/// The metric's own name and the span to blame for it: `name = ".."` or the field's name.
pub(super) fn base_name(metric: &Metric<'_>) -> (String, Span) {
    match &metric.attrs.name {
        Some(name) => (name.value(), name.span()),
        None => (metric.field.unraw().to_string(), metric.field.span()),
    }
}

/// A histogram named for its own samples, for a field whose type the derive does not know by
/// name (an alias): asserted in the generated code, so that an alias of `Histogram` named
/// `..._sum` fails the build as `Histogram` would. An alias of `Info` named without `_info` is
/// left to the runtime's check at registration: asserting it would put a second error on every
/// field whose type is no metric at all.
pub(super) fn histogram_name_assertion<'a>(metric: &'a Metric<'a>, full: &str, assertions: &mut Vec<Assertion<'a>>) {
    let (base, span) = base_name(metric);
    if let Some(message) = names::kind_name(Kind::Histogram, full, &base) {
        assertions.push(Assertion { span, condition: Condition::NotHistogram(metric.ty), message });
    }
}

/// The help text: `help = ".."`, else the doc comment.
pub(super) fn help_text(metric: &Metric<'_>) -> String {
    match (&metric.attrs.help, &metric.attrs.doc) {
        (Some(help), _) => help.value(),
        (None, Some((doc, _))) => doc.clone(),
        (None, None) => String::new(),
    }
}

/// The subsystem in force for a metric: its own, else the set's.
pub(super) fn subsystem_in_force<'s>(set: &'s Set<'_>, metric: &'s Metric<'_>) -> Option<&'s LitStr> {
    metric.attrs.subsystem.as_ref().or(set.attrs.subsystem.as_ref())
}

/// The exported name, `namespace_subsystem_name` without the absent parts.
pub(super) fn full_name(set: &Set<'_>, metric: &Metric<'_>) -> String {
    let parts = [set.attrs.namespace.as_ref().map(LitStr::value), subsystem_in_force(set, metric).map(LitStr::value)];
    let mut name: Vec<String> = parts.into_iter().flatten().filter(|part| !part.is_empty()).collect();
    name.push(base_name(metric).0);
    name.join("_")
}

/// Whether the exported name is valid: any UTF-8 text but an empty name of the metric's own
/// (a UTF-8 name is written in quotes or escaped, as the scraper asks).
pub(super) fn name(metric: &Metric<'_>, errors: &mut Errors) -> bool {
    let (base, base_span) = base_name(metric);
    if base.is_empty() {
        errors.error(base_span, names::EMPTY_NAME);
        return false;
    }
    true
}

pub(super) fn help(metric: &Metric<'_>, errors: &mut Errors) {
    match (&metric.attrs.help, &metric.attrs.doc) {
        (Some(help), _) if help.value().trim().is_empty() => errors.error(help.span(), options::EMPTY_HELP),
        (Some(_), _) => {}
        (None, Some((doc, _))) if !doc.is_empty() => {}
        (None, Some((_, span))) => errors.error(*span, options::EMPTY_DOC),
        (None, None) => errors.error(metric.field.span(), options::no_help(&metric.field.to_string())),
    }
}

/// What the metric's kind asks of its name (a shared rule), then the naming conventions,
/// which `#[metric(allow(..))]` switches off (the derive's alone).
pub(super) fn kind_and_conventions(metric: &Metric<'_>, kind: Option<Kind>, full: &str, errors: &mut Errors) {
    let (base, span) = base_name(metric);
    if let Some(message) = kind.and_then(|kind| names::kind_name(kind, full, &base)) {
        errors.error(span, message);
        return;
    }
    let allowed = |key: &str| metric.attrs.allow.iter().any(|ident| ident == key);
    match kind {
        Some(Kind::Counter) if !full.ends_with("_total") && !allowed("missing_total") => errors.error(
            span,
            format_args!(
                "counter `{full}` should end in `_total`: name it `{base}_total`, or opt out with `#[metric(allow(missing_total))]`"
            ),
        ),
        Some(kind @ (Kind::Gauge | Kind::Histogram | Kind::Info))
            if full.ends_with("_total") && !allowed("unexpected_total") =>
        {
            let kind = match kind {
                Kind::Gauge => "gauge",
                Kind::Info => "info metric",
                _ => "histogram",
            };
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
