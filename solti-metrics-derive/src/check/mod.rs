//! Every rule a declaration must follow, checked on the ast with all errors collected; and the
//! one lowering of the ast into what `expand` writes: exported names, help texts, bucket
//! bounds, and the assertions left to the compiler where a type alias hides a field's kind.

#[cfg(test)]
mod agree;
mod bucket;
mod field_type;
mod label;
mod name;
mod option;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use solti_metrics_rules::names::{BUCKET_LABEL, HISTOGRAM_SUFFIXES, LE_ON_HISTOGRAM, LE_ON_HISTOGRAM_FIELD};
use solti_metrics_rules::options::MAX_SERIES_ON_FIXED_LABELS;
use solti_metrics_rules::{buckets, names, options};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Ident, Path, Type, Visibility};

pub use label::{LoweredLabelStruct, label_enum, label_struct};
#[cfg(test)]
pub(crate) use name::NON_BASE_UNITS;
pub use solti_metrics_rules::Kind;

use crate::ast::{Metric, Set};
use crate::attr::{self, Label, LabelForm};
use crate::ctxt::Errors;
use bucket::bucket_values;
use field_type::{metric_type, prometheus_type};
use name::{base_name, full_name, help, help_text};

/// A set as `expand` writes it.
pub struct LoweredSet<'a> {
    pub ident: &'a Ident,
    /// The path to solti-metrics: `crate = path`, default `::solti_metrics`.
    pub krate: TokenStream,
    pub metrics: Vec<LoweredMetric<'a>>,
    /// What the derive cannot tell from the fields' type names, left to the compiler.
    pub assertions: Vec<Assertion<'a>>,
}

/// A metric as `expand` writes it.
pub struct LoweredMetric<'a> {
    pub field: &'a Ident,
    /// The field's visibility, which its recorder method takes.
    pub vis: &'a Visibility,
    pub ty: FieldType<'a>,
    /// What the type's name says; `None` for a name the derive does not know (a type alias).
    pub kind: Option<Kind>,
    /// For a type name the derive does not know: the trait the generated code requires of it.
    pub bound: Option<MetricBound>,
    /// Whether the recorder method takes labels.
    pub labelled: bool,
    pub labels: MetricLabels<'a>,
    /// The exported name, `namespace_subsystem_name` without the absent parts.
    pub name: String,
    pub help: String,
    pub buckets: Bounds,
    pub max_series: Option<u64>,
    /// The unit of `#[metric(unit = "..")]`, checked against the name.
    pub unit: Option<String>,
    /// `#[metric(init)]`: every series of the fixed label values exported from registration.
    pub init: bool,
    /// `#[metric(exemplars)]`: the recorder method returns a series that records exemplars.
    pub exemplars: bool,
    /// `#[metric(collect = path)]`: the function that computes the value at each exposition.
    pub collect: Option<&'a syn::Path>,
    /// `#[metric(removable)]` or `expire_after`: the recorder leases the series, and a
    /// `remove_` method removes one.
    pub removable: bool,
    /// `#[metric(expire_after = n)]`.
    pub expire_after: Option<u32>,
    /// `#[metric(native)]`.
    pub native: Option<option::LoweredNative>,
}

/// A metric's labels as the generated code takes them.
#[derive(Clone, Copy)]
pub enum MetricLabels<'a> {
    /// `labels(..)`, each label a parameter of the recorder method; empty without labels.
    List(&'a [Label]),
    /// `labels = Route`: a struct deriving `LabelSet`, the one parameter of the recorder.
    Struct(&'a Path),
}

impl MetricLabels<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, MetricLabels::List([]))
    }
}

/// A field's type as the generated code names it.
pub enum FieldType<'a> {
    AsWritten(&'a Type),
    /// For a prometheus type, which `check` refuses, the solti-metrics type of the same name,
    /// so that code calling the recorder meets no second error.
    Replaced(Box<Type>),
}

impl ToTokens for FieldType<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            FieldType::AsWritten(ty) => ty.to_tokens(tokens),
            FieldType::Replaced(ty) => ty.to_tokens(tokens),
        }
    }
}

/// The trait required of a field type the derive does not know by name.
pub enum MetricBound {
    /// A metric without labels.
    Plain,
    /// A metric with labels.
    Labelled,
}

/// A histogram's bucket bounds.
pub enum Bounds {
    /// Not a histogram, or a type alias the derive cannot tell is one.
    None,
    /// prometheus' default buckets.
    Default,
    Given(Vec<f64>),
}

/// A rule the derive cannot check because a type alias hides the field's kind: the generated
/// code asserts `condition` in a constant, so a broken rule fails the build with `message` at
/// `span`.
pub struct Assertion<'a> {
    pub span: Span,
    pub condition: Condition<'a>,
    pub message: String,
}

pub enum Condition<'a> {
    /// The type is a histogram.
    Histogram(&'a Type),
    /// The type is not a histogram.
    NotHistogram(&'a Type),
    /// The type is a counter.
    Counter(&'a Type),
    /// The type is not a gauge.
    NotGauge(&'a Type),
    /// Some of the labels has no fixed set of values.
    OpenLabels(MetricLabels<'a>),
    /// Every label has a fixed set of values, and they make at most this many combinations
    /// (a label of a list without a fixed set counts once: [`Condition::FixedValues`] reports
    /// it).
    FewFixedLabels(MetricLabels<'a>, usize),
    /// The label type has a fixed set of values.
    FixedValues(&'a Type),
    /// The metric type is not a histogram, or the label struct has no field named `le`.
    NoBucketLabel(&'a Type, &'a Path),
}

/// What a field type's name says: its kind, whether it takes labels, and whether the path goes
/// through `prometheus`, whose types the derive refuses.
#[derive(Clone, Copy)]
struct MetricType<'a> {
    kind: Kind,
    labelled: bool,
    name: &'a Ident,
    from_prometheus: bool,
}

/// Names of `MetricsSet` items a recorder method of the same name would hide.
const RESERVED_FIELDS: &[&str] = &["register", "register_with", "collector", "unregister"];

/// Checks a whole set and lowers it; the lowering is complete even when there are errors, for
/// the stub `expand` writes beside them.
pub fn metrics_set<'a>(set: &'a Set<'a>, errors: &mut Errors) -> LoweredSet<'a> {
    let krate = match &set.attrs.krate {
        Some(krate) => krate.to_token_stream(),
        None => attr::default_crate().to_token_stream(),
    };
    let mut lowered = LoweredSet { ident: set.ident, krate, metrics: Vec::new(), assertions: Vec::new() };
    for metric in &set.metrics {
        let lowered_metric = self::metric(set, metric, &lowered.krate, &mut lowered.assertions, errors);
        lowered.metrics.push(lowered_metric);
    }
    duplicate_names(set, &lowered.metrics, errors);
    clash_assertions(set, &lowered.metrics, &mut lowered.assertions);
    removal_methods(&mut lowered.metrics, errors);
    lowered
}

/// A removable metric `x` gets a method `remove_x`: no other field may have that name. On a
/// clash the metric is lowered as not removable, so the stub beside the error defines the
/// method once.
fn removal_methods(metrics: &mut [LoweredMetric<'_>], errors: &mut Errors) {
    for index in 0..metrics.len() {
        let removable = &metrics[index];
        if !removable.removable {
            continue;
        }
        let method = format!("remove_{}", removable.field.unraw());
        if let Some(other) = metrics.iter().find(|metric| metric.field.unraw() == method) {
            errors.error(
                other.field.span(),
                format_args!(
                    "a field named `{method}` would clash with the method that removes series of the removable metric `{}`; rename the field and keep the metric's name with `#[metric(name = \"{method}\")]`",
                    removable.field.unraw()
                ),
            );
            metrics[index].removable = false;
        }
    }
}

fn metric<'a>(
    set: &Set<'_>,
    metric: &'a Metric<'a>,
    krate: &TokenStream,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) -> LoweredMetric<'a> {
    let attrs = &metric.attrs;
    let field = metric.field.to_string();
    if RESERVED_FIELDS.contains(&field.as_str()) {
        errors.error(
            metric.field.span(),
            format_args!(
                "a field named `{field}` would hide `MetricsSet::{field}`; rename the field and keep the metric's name with `#[metric(name = \"{field}\")]`"
            ),
        );
    }
    let metric_type = metric_type(metric.ty);
    let ty = match metric_type {
        Some(metric_type @ MetricType { from_prometheus: true, .. }) => {
            FieldType::Replaced(Box::new(prometheus_type(metric.ty, metric_type, krate, errors)))
        }
        _ => FieldType::AsWritten(metric.ty),
    };
    let kind = metric_type.map(|metric_type| metric_type.kind);
    let name = full_name(set, metric);
    let valid_name = name::name(metric, errors);
    label::labels(metric, metric_type, errors);
    let buckets = match (&attrs.buckets, kind) {
        (Some(buckets), Some(Kind::Counter | Kind::Gauge | Kind::Info)) => {
            errors.error(buckets.span, buckets::NOT_A_HISTOGRAM);
            Bounds::None
        }
        (Some(buckets), _) => Bounds::Given(bucket_values(buckets, errors)),
        (None, Some(Kind::Histogram)) => Bounds::Default,
        (None, _) => Bounds::None,
    };
    if !attrs.broken {
        help(metric, errors);
    }
    if let Some((limit, span)) = attrs.max_series {
        let labelled = metric_type.is_none_or(|metric_type| metric_type.labelled);
        if let Some(message) = options::max_series(limit, labelled) {
            errors.error(span, message);
        }
    }
    // A name that is invalid, or that may come from a key lost to a mistake, gets no advice on
    // conventions: it would only repeat the first error.
    if valid_name && !attrs.broken {
        name::kind_and_conventions(metric, kind, &name, errors);
        if kind.is_none() {
            name::histogram_name_assertion(metric, &name, assertions);
        }
    }

    let labels = match attrs.labels.as_ref().map(|labels| &labels.form) {
        None => MetricLabels::List(&[]),
        Some(LabelForm::List(list)) => MetricLabels::List(list),
        Some(LabelForm::Struct(path)) => MetricLabels::Struct(path),
    };
    if let (MetricLabels::Struct(path), None | Some(Kind::Histogram)) = (labels, kind) {
        // The struct's field names are known to the compiler only.
        assertions.push(Assertion {
            span: path.span(),
            condition: Condition::NoBucketLabel(metric.ty, path),
            message: LE_ON_HISTOGRAM_FIELD.to_owned(),
        });
    }
    if let (MetricLabels::List(labels), None) = (labels, kind) {
        if let Some(buckets) = &attrs.buckets {
            assertions.push(Assertion {
                span: buckets.span,
                condition: Condition::Histogram(metric.ty),
                message: buckets::NOT_A_HISTOGRAM.to_owned(),
            });
        }
        if let Some(label) = labels.iter().find(|label| label.exported() == BUCKET_LABEL) {
            assertions.push(Assertion {
                span: label.name.span(),
                condition: Condition::NotHistogram(metric.ty),
                message: LE_ON_HISTOGRAM.to_owned(),
            });
        }
    }
    if let Some((_, span)) = attrs.max_series.filter(|_| !labels.is_empty()) {
        assertions.push(Assertion {
            span,
            condition: Condition::OpenLabels(labels),
            message: MAX_SERIES_ON_FIXED_LABELS.to_owned(),
        });
    }

    let unit = attrs
        .unit
        .as_ref()
        .filter(|_| valid_name)
        .and_then(|unit| option::unit(metric, kind, &name, unit, assertions, errors));
    if let Some(span) = attrs.init {
        option::init(span, metric_type, labels, assertions, errors);
    }
    if let Some(span) = attrs.exemplars {
        option::exemplars(span, metric, kind, assertions, errors);
    }
    let labelled = attrs.labels.is_some() || metric_type.is_some_and(|metric_type| metric_type.labelled);
    if let Some(path) = &attrs.collect {
        if let Some(message) = options::collect(labelled, kind) {
            errors.error(path.span(), message);
        }
    }
    let expire_after = option::lifecycle(attrs, metric_type, labelled, errors);
    let native = attrs.native.as_ref().and_then(|native| option::native(native, metric, kind, assertions, errors));
    LoweredMetric {
        field: metric.field,
        vis: metric.vis,
        ty,
        kind,
        bound: metric_type
            .is_none()
            .then(|| if attrs.labels.is_some() { MetricBound::Labelled } else { MetricBound::Plain }),
        labelled,
        labels,
        name,
        help: help_text(metric),
        buckets,
        max_series: attrs.max_series.map(|(limit, _)| limit),
        unit,
        init: attrs.init.is_some(),
        exemplars: attrs.exemplars.is_some(),
        collect: attrs.collect.as_ref(),
        removable: attrs.removable.is_some() || attrs.expire_after.is_some(),
        expire_after,
        native,
    }
}

/// The series a metric exports: its name, a histogram's `_bucket`, `_sum` and `_count`, and
/// the `_created` sample of a counter (its name without `_total`) or a histogram.
fn series_names(full: &str, kind: Option<Kind>) -> Vec<String> {
    let mut names = vec![full.to_owned()];
    match kind {
        Some(Kind::Histogram) => {
            names.extend(HISTOGRAM_SUFFIXES.iter().map(|suffix| format!("{full}{suffix}")));
            names.push(format!("{full}_created"));
        }
        Some(Kind::Counter) => names.push(format!("{}_created", full.strip_suffix("_total").unwrap_or(full))),
        _ => {}
    }
    names
}

/// Two fields exporting one series, as declared or as a scraper without UTF-8 names sees them
/// under any escaping.
fn duplicate_names(set: &Set<'_>, lowered: &[LoweredMetric<'_>], errors: &mut Errors) {
    let mut owners: HashMap<(usize, String), (&syn::Ident, &str)> = HashMap::new();
    for (metric, lowered) in set.metrics.iter().zip(lowered) {
        let (_, span) = base_name(metric);
        let mut clash = None;
        let mut claims = Vec::new();
        for (scheme_index, &scheme) in names::LEGACY_SCHEMES.iter().enumerate() {
            let escaped = names::escaped_name(&lowered.name, scheme, false);
            for series in series_names(&escaped, lowered.kind) {
                if clash.is_none() {
                    if let Some(&(owner, name)) = owners.get(&(scheme_index, series.clone())) {
                        clash = Some((series.clone(), owner, name, escaped.clone(), scheme));
                    }
                }
                claims.push(((scheme_index, series), (metric.field, lowered.name.as_str())));
            }
        }
        match clash {
            Some((_, _, name, escaped, scheme))
                if name != lowered.name && names::escaped_name(name, scheme, false) == escaped =>
            {
                errors.error(span, names::escaped_alike("metric", name, &lowered.name, &escaped, scheme));
            }
            Some((series, owner, ..)) => errors.error(
                span,
                format_args!(
                    "`{series}` is exported twice: by field `{owner}` and by field `{}`; rename one with `#[metric(name = \"..\")]`",
                    metric.field
                ),
            ),
            None => owners.extend(claims),
        }
    }
}

/// When a type alias hides a field's kind, the derive cannot tell whether its `_bucket`,
/// `_sum` and `_count` series clash with another metric's name: for each name that would, the
/// generated code asserts that the alias is not a histogram.
fn clash_assertions<'a>(set: &'a Set<'a>, lowered: &[LoweredMetric<'a>], assertions: &mut Vec<Assertion<'a>>) {
    let metrics = || set.metrics.iter().zip(lowered);
    for (hidden, hidden_lowered) in metrics().filter(|(_, lowered)| lowered.kind.is_none()) {
        for (other, other_lowered) in metrics() {
            let clashes = HISTOGRAM_SUFFIXES
                .iter()
                .any(|suffix| other_lowered.name == format!("{}{suffix}", hidden_lowered.name));
            if clashes {
                assertions.push(Assertion {
                    span: base_name(other).1,
                    condition: Condition::NotHistogram(hidden.ty),
                    message: format!(
                        "series `{}` is exported by both `{}`, a histogram, and `{}`; rename one with `#[metric(name = \"..\")]`",
                        other_lowered.name, hidden.field, other.field
                    ),
                });
            }
        }
    }
}
