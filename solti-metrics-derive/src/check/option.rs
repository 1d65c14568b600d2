//! The options beside a metric's name and labels, and which of them combine: `removable`,
//! `expire_after`, `exemplars`, `init`, `unit`, `native`. The rules are the rules crate's; this turns
//! their verdicts into errors at the option, or into assertions the compiler checks.

use proc_macro2::Span;
use solti_metrics_rules::options;

use crate::ast::Metric;
use crate::attr::{MetricAttrs, NativeAttrs};
use crate::check::{Assertion, Condition, Kind, MetricLabels, MetricType};
use crate::ctxt::Errors;

/// `removable` and `expire_after = n`: only on labelled metrics; `n` is at least 1 and fits a
/// `u32`; expiry would undo `init`. Returns the number of expositions.
pub(super) fn lifecycle(
    attrs: &MetricAttrs,
    metric_type: Option<MetricType<'_>>,
    labelled: bool,
    errors: &mut Errors,
) -> Option<u32> {
    if let Some(span) = attrs.removable.filter(|_| !labelled) {
        errors.error(span, options::REMOVABLE_WITHOUT_LABELS);
    }
    let (count, span) = attrs.expire_after?;
    let kind = metric_type.map(|metric_type| metric_type.kind);
    match options::expire_after(count, labelled, kind, attrs.init.is_some()) {
        Some(message) => {
            errors.error(span, message);
            None
        }
        None => u32::try_from(count).ok(),
    }
}

/// `exemplars`: on counters and histograms whose values are recorded, not computed.
pub(super) fn exemplars<'a>(
    span: Span,
    metric: &'a Metric<'a>,
    kind: Option<Kind>,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) {
    if kind.is_none() {
        assertions.push(Assertion {
            span,
            condition: Condition::NotGauge(metric.ty),
            message: options::EXEMPLARS_ON_GAUGE.to_owned(),
        });
    }
    let attrs = &metric.attrs;
    let removable = attrs.removable.is_some() || attrs.expire_after.is_some();
    for message in options::exemplars(kind, attrs.collect.is_some(), removable) {
        errors.error(span, message);
    }
}

/// `init`: only on labelled metrics whose labels all have a fixed, small set of values.
pub(super) fn init<'a>(
    span: Span,
    metric_type: Option<MetricType<'_>>,
    labels: MetricLabels<'a>,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) {
    if labels.is_empty() && metric_type.is_some_and(|metric_type| !metric_type.labelled) {
        errors.error(span, options::INIT_WITHOUT_LABELS);
        return;
    }
    if metric_type.is_some_and(|metric_type| metric_type.kind == Kind::Info) {
        errors.error(span, options::INIT_ON_INFO);
        return;
    }
    let untyped = match labels {
        MetricLabels::List(list) => list.iter().find(|label| label.ty.is_none()),
        MetricLabels::Struct(_) => None,
    };
    if let Some(label) = untyped {
        errors.error(span, options::init_open_label(&label.exported()));
        return;
    }
    if let MetricLabels::List(list) = labels {
        // Each label's type is known to the compiler only: each is asserted on its own, so
        // the message names the label, as the runtime's does.
        for label in list {
            if let Some(ty) = &label.ty {
                assertions.push(Assertion {
                    span,
                    condition: Condition::FixedValues(ty),
                    message: options::init_open_label(&label.exported()),
                });
            }
        }
    }
    assertions.push(Assertion {
        span,
        condition: Condition::FewFixedLabels(labels, options::MAX_INIT_SERIES),
        message: options::init_too_many(),
    });
}

/// `unit = ".."`: letters, digits and `_`, and the name's last part (before a counter's
/// `_total`), as OpenMetrics requires of a family with a unit. A unit that is not a base unit
/// is then in the name, where the naming conventions report it.
///
/// Behind a type alias the kind is unknown: a name that ends in the unit only before `_total`
/// is right for a counter alone, so that is asserted instead of refused.
pub(super) fn unit<'a>(
    metric: &'a Metric<'a>,
    kind: Option<Kind>,
    full: &str,
    unit: &syn::LitStr,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) -> Option<String> {
    let value = unit.value();
    let message = match options::unit(kind, full, &value) {
        None => return Some(value),
        Some(message) => message,
    };
    if kind.is_none() && options::unit(Some(Kind::Counter), full, &value).is_none() {
        assertions.push(Assertion { span: unit.span(), condition: Condition::Counter(metric.ty), message });
        return Some(value);
    }
    errors.error(unit.span(), message);
    None
}

/// `native`'s options as the generated catalog entry states them.
pub struct LoweredNative {
    pub schema: i8,
    pub max_buckets: u32,
    pub zero_threshold: f64,
}

/// `native` and its options: on histograms, a bucket factor above 1 (read as its schema), at
/// least one bucket, a zero bucket of a finite threshold of at least 0. `None` when one is
/// wrong.
pub(super) fn native<'a>(
    native: &NativeAttrs,
    metric: &'a Metric<'a>,
    kind: Option<Kind>,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) -> Option<LoweredNative> {
    if kind.is_none() {
        assertions.push(Assertion {
            span: native.span,
            condition: Condition::Histogram(metric.ty),
            message: options::NATIVE_NOT_A_HISTOGRAM.to_owned(),
        });
    }
    let max_buckets = native.max_buckets.map_or(u64::from(options::NATIVE_MAX_BUCKETS), |(limit, _)| limit);
    let zero_threshold = native.zero_threshold.as_ref().map_or(options::NATIVE_ZERO_THRESHOLD, |number| number.value);
    let mut valid = true;
    let declared = options::NativeOptions { max_buckets, zero_threshold };
    for message in options::native(kind, declared) {
        // Each at the option it is about.
        let span = if message == options::NATIVE_NOT_A_HISTOGRAM {
            native.span
        } else if options::native_max_buckets(max_buckets) == Some(message) {
            native.max_buckets.map_or(native.span, |(_, span)| span)
        } else {
            native.zero_threshold.as_ref().map_or(native.span, |number| number.span)
        };
        errors.error(span, message);
        valid = false;
    }
    let schema = match &native.factor {
        None => options::native_schema(options::NATIVE_FACTOR).ok()?,
        Some(factor) => match options::native_schema(factor.value) {
            Ok(schema) => schema,
            Err(message) => {
                errors.error(factor.span, message);
                return None;
            }
        },
    };
    let max_buckets = u32::try_from(max_buckets).ok()?;
    valid.then_some(LoweredNative { schema, max_buckets, zero_threshold })
}
