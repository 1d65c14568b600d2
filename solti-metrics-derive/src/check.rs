//! Every rule a declaration must follow, checked on the ast with all errors collected; and the
//! one lowering of the ast into what `expand` writes: exported names, help texts, bucket
//! bounds, and the assertions left to the compiler where a type alias hides a field's kind.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Ident, LitStr, Path, Type, Visibility};

use crate::ast::{LabelEnum, LabelStruct, Metric, Set};
use crate::attr::{self, BucketForm, Buckets, Label, LabelForm, MetricAttrs, Number};
use crate::buckets;
use crate::ctxt::Errors;
use crate::names;

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

/// The metric kinds the derive recognizes by the field type's name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
    Info,
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
    /// The type is not a gauge.
    NotGauge(&'a Type),
    /// Some of the labels has no fixed set of values.
    OpenLabels(MetricLabels<'a>),
    /// Every label has a fixed set of values, and they make at most this many combinations.
    FewFixedLabels(MetricLabels<'a>, usize),
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

/// The most buckets `linear` and `exponential` may generate.
const MAX_GENERATED_BUCKETS: f64 = 1000.0;

/// Names of `MetricsSet` items a recorder method of the same name would hide.
const RESERVED_FIELDS: &[&str] = &["register", "register_with", "collector", "unregister"];

/// The series a histogram exports beside its name.
const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// The label of the series that takes the records over `max_series` (the OpenTelemetry SDK's
/// convention); solti-metrics exports the same name as `OVERFLOW_LABEL`.
const OVERFLOW_LABEL: &str = "otel_metric_overflow";

const BUCKETS_ON_NON_HISTOGRAM: &str =
    "`buckets` only apply to `Histogram` and `HistogramVec`; remove them, or make the field a histogram";

/// The label that holds a histogram bucket's bound; solti-metrics checks its own copy at
/// registration, and the assertions of label structs call it.
const BUCKET_LABEL: &str = "le";

const EXEMPLARS_ON_GAUGE: &str =
    "a gauge has no exemplars: OpenMetrics puts them on counters and histogram buckets only; remove `exemplars`";

const LE_ON_HISTOGRAM: &str =
    "label name `le` is reserved on histograms: it holds the bucket bound; choose another name";

const LE_ON_HISTOGRAM_FIELD: &str =
    "label name `le` is reserved on histograms: it holds the bucket bound; rename the label struct's field `le`";

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

/// The most labels a metric can have: `LabelSet` is implemented for tuples up to this length,
/// and a series' key holds at most this many values.
const MAX_LABELS: usize = 12;

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
    let valid_name = self::name(set, metric, errors);
    labels(metric, metric_type, errors);
    let buckets = match (&attrs.buckets, kind) {
        (Some(buckets), Some(Kind::Counter | Kind::Gauge | Kind::Info)) => {
            errors.error(buckets.span, BUCKETS_ON_NON_HISTOGRAM);
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
        if metric_type.is_some_and(|metric_type| !metric_type.labelled) {
            errors.error(span, "`max_series` limits the series of a labelled metric; this metric has no labels");
        } else if limit == 0 {
            errors.error(span, "`max_series` must be at least 1; remove it for no limit");
        }
    }
    // A name that is invalid, or that may come from a key lost to a mistake, gets no advice on
    // conventions: it would only repeat the first error.
    if valid_name && !attrs.broken {
        conventions(metric, kind, &name, errors);
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
                message: BUCKETS_ON_NON_HISTOGRAM.to_owned(),
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
            message: "`max_series` has no effect here: every label of this metric has a fixed set of values, so its series are bounded already; remove it".to_owned(),
        });
    }

    let unit = attrs.unit.as_ref().filter(|_| valid_name).and_then(|unit| self::unit(kind, &name, unit, errors));
    if let Some(span) = attrs.init {
        init(span, metric_type, labels, assertions, errors);
    }
    if let Some(span) = attrs.exemplars {
        exemplars(span, metric, kind, assertions, errors);
    }
    let labelled = attrs.labels.is_some() || metric_type.is_some_and(|metric_type| metric_type.labelled);
    if let Some(path) = &attrs.collect {
        if labelled {
            errors.error(
                path.span(),
                "`collect` computes the one series of a metric without labels; drop the labels, or record the series instead",
            );
        } else if kind == Some(Kind::Histogram) {
            errors.error(path.span(), "`collect` computes one number: use it on a counter or a gauge, not a histogram");
        }
    }
    let expire_after = lifecycle(attrs, metric_type, labelled, errors);
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
    }
}

/// `removable` and `expire_after = n`: only on labelled metrics; `n` is at least 1 and fits a
/// `u32`; expiry would undo `init`. Returns the number of expositions.
fn lifecycle(
    attrs: &MetricAttrs,
    metric_type: Option<MetricType<'_>>,
    labelled: bool,
    errors: &mut Errors,
) -> Option<u32> {
    let plain = !labelled;
    if let Some(span) = attrs.removable.filter(|_| plain) {
        errors.error(span, "a metric without labels has one series, which cannot be removed; remove `removable`");
    }
    let (count, span) = attrs.expire_after?;
    if plain {
        errors.error(span, "a metric without labels has one series, which cannot expire; remove `expire_after`");
        return None;
    }
    if metric_type.is_some_and(|metric_type| metric_type.kind == Kind::Info) {
        errors.error(
            span,
            "an info metric's value never changes, so `expire_after` would remove every series; use `removable` and remove them",
        );
        return None;
    }
    if attrs.init.is_some() {
        errors.error(
            span,
            "`init` exports every series at 0 from registration, and `expire_after` would remove them while they stay at 0; keep one of the two",
        );
    }
    match u32::try_from(count) {
        Ok(0) => errors.error(span, "`expire_after` counts expositions that find a series unchanged: at least 1"),
        Ok(count) => return Some(count),
        Err(_) => errors.error(span, format_args!("`expire_after` is at most {}", u32::MAX)),
    }
    None
}

/// `exemplars`: on counters and histograms whose values are recorded, not computed.
fn exemplars<'a>(
    span: Span,
    metric: &'a Metric<'a>,
    kind: Option<Kind>,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) {
    match kind {
        Some(Kind::Gauge) => errors.error(span, EXEMPLARS_ON_GAUGE),
        Some(Kind::Info) => errors.error(
            span,
            "an info metric has no exemplars: OpenMetrics puts them on counters and histogram buckets only; remove `exemplars`",
        ),
        Some(Kind::Counter | Kind::Histogram) => {}
        None => assertions.push(Assertion {
            span,
            condition: Condition::NotGauge(metric.ty),
            message: EXEMPLARS_ON_GAUGE.to_owned(),
        }),
    }
    if metric.attrs.collect.is_some() && kind != Some(Kind::Gauge) {
        errors.error(
            span,
            "an exemplar belongs to a recorded value, and `collect` computes the value at each exposition; remove `exemplars` or `collect`",
        );
    }
    if metric.attrs.removable.is_some() || metric.attrs.expire_after.is_some() {
        // Exemplars are kept beside the series, by its address, which a removed series gives
        // back for another to take.
        errors.error(
            span,
            "a metric cannot have both exemplars and removable series (`removable`, `expire_after`) yet; keep one of the two",
        );
    }
}

/// The most series `#[metric(init)]` may create.
const MAX_INIT_SERIES: usize = 4096;

/// `init`: only on labelled metrics whose labels all have a fixed, small set of values.
fn init<'a>(
    span: Span,
    metric_type: Option<MetricType<'_>>,
    labels: MetricLabels<'a>,
    assertions: &mut Vec<Assertion<'a>>,
    errors: &mut Errors,
) {
    if labels.is_empty() && metric_type.is_some_and(|metric_type| !metric_type.labelled) {
        errors.error(span, "a metric without labels is exported at 0 from registration already; remove `init`");
        return;
    }
    if metric_type.is_some_and(|metric_type| metric_type.kind == Kind::Info) {
        errors.error(span, "an info metric exports the label values it is given, not every combination; remove `init`");
        return;
    }
    let untyped = match labels {
        MetricLabels::List(list) => list.iter().find(|label| label.ty.is_none()),
        MetricLabels::Struct(_) => None,
    };
    if let Some(label) = untyped {
        errors.error(
            span,
            format_args!(
                "`init` exports every combination of label values, and label `{}` takes any string; give it a type with a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`), or remove `init`",
                label.exported()
            ),
        );
        return;
    }
    assertions.push(Assertion {
        span,
        condition: Condition::FewFixedLabels(labels, MAX_INIT_SERIES),
        message: format!(
            "`init` exports every combination of label values: each label needs a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`, an integer up to 16 bits), and together at most {MAX_INIT_SERIES} combinations; remove `init` or narrow the label types"
        ),
    });
}

/// `unit = ".."`: letters, digits and `_`, and the name's last part (before a counter's
/// `_total`), as OpenMetrics requires of a family with a unit. A unit that is not a base unit
/// is then in the name, where the naming conventions report it.
fn unit(kind: Option<Kind>, full: &str, unit: &syn::LitStr, errors: &mut Errors) -> Option<String> {
    let value = unit.value();
    if kind == Some(Kind::Info) {
        errors.error(unit.span(), "an info metric states facts as label values, which have no unit; remove `unit`");
        return None;
    }
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_') {
        errors.error(
            unit.span(),
            format_args!(
                "unit `{value}` is not a name part: write it with letters, digits and `_`, as in `unit = \"seconds\"`"
            ),
        );
        return None;
    }
    let stem = match kind {
        Some(Kind::Counter) => full.strip_suffix("_total").unwrap_or(full),
        _ => full,
    };
    if !stem.ends_with(&format!("_{value}")) {
        let total = if stem.len() < full.len() { "_total" } else { "" };
        errors.error(
            unit.span(),
            format_args!(
                "`{full}` does not end in `_{value}{total}`: OpenMetrics names a metric after its unit; make the name end in `_{value}{total}`, or give the unit its name ends in"
            ),
        );
        return None;
    }
    Some(value)
}

/// Reads the last segment of a field type's path: `IntCounterVec`, `solti_metrics::Gauge`, ...
fn metric_type(ty: &Type) -> Option<MetricType<'_>> {
    let Type::Path(path) = ty else { return None };
    let segments = &path.path.segments;
    let last = segments.last()?;
    if !last.arguments.is_none() {
        return None;
    }
    let (kind, labelled) = match last.ident.to_string().as_str() {
        "Counter" | "IntCounter" => (Kind::Counter, false),
        "Gauge" | "IntGauge" => (Kind::Gauge, false),
        "Histogram" => (Kind::Histogram, false),
        "CounterVec" | "IntCounterVec" => (Kind::Counter, true),
        "GaugeVec" | "IntGaugeVec" => (Kind::Gauge, true),
        "HistogramVec" => (Kind::Histogram, true),
        "Info" => (Kind::Info, true),
        _ => return None,
    };
    let from_prometheus = segments.iter().take(segments.len() - 1).any(|segment| segment.ident == "prometheus");
    Some(MetricType { kind, labelled, name: &last.ident, from_prometheus })
}

/// Refuses a prometheus metric type, the likely slip when moving a hand-written set to the
/// derive, and gives the solti-metrics type of the same name in its place.
fn prometheus_type(ty: &Type, metric_type: MetricType<'_>, krate: &TokenStream, errors: &mut Errors) -> Type {
    let name = metric_type.name;
    let written = path_text(ty);
    let krate_text = path_text(krate);
    // The whole path, not its first segment, is what to replace.
    errors.push(syn::Error::new_spanned(
        ty,
        format_args!(
            "`{written}` is prometheus' type; a field takes solti-metrics' type of the same name: write `{krate_text}::{name}`"
        ),
    ));
    let span = ty.span();
    let name = Ident::new(&name.to_string(), span);
    syn::parse_quote_spanned!(span=> #krate::#name)
}

/// A path as written, without spaces or generic arguments: `::solti_metrics`, `prometheus::Gauge`.
fn path_text(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string().replace(' ', "");
    text.strip_prefix("::").map_or_else(|| text.clone(), str::to_owned)
}

/// The metric's own name and the span to blame for it: `name = ".."` or the field's name.
fn base_name(metric: &Metric<'_>) -> (String, Span) {
    match &metric.attrs.name {
        Some(name) => (name.value(), name.span()),
        None => (metric.field.unraw().to_string(), metric.field.span()),
    }
}

/// The help text: `help = ".."`, else the doc comment.
fn help_text(metric: &Metric<'_>) -> String {
    match (&metric.attrs.help, &metric.attrs.doc) {
        (Some(help), _) => help.value(),
        (None, Some((doc, _))) => doc.clone(),
        (None, None) => String::new(),
    }
}

/// The subsystem in force for a metric: its own, else the set's.
fn subsystem_in_force<'s>(set: &'s Set<'_>, metric: &'s Metric<'_>) -> Option<&'s LitStr> {
    metric.attrs.subsystem.as_ref().or(set.attrs.subsystem.as_ref())
}

/// The exported name, `namespace_subsystem_name` without the absent parts.
fn full_name(set: &Set<'_>, metric: &Metric<'_>) -> String {
    let parts = [set.attrs.namespace.as_ref().map(LitStr::value), subsystem_in_force(set, metric).map(LitStr::value)];
    let mut name: Vec<String> = parts.into_iter().flatten().filter(|part| !part.is_empty()).collect();
    name.push(base_name(metric).0);
    name.join("_")
}

/// The exported name, part by part, so the error points at the literal at fault; whether it
/// is valid.
fn name(set: &Set<'_>, metric: &Metric<'_>, errors: &mut Errors) -> bool {
    let (base, base_span) = base_name(metric);
    if base.is_empty() {
        errors.error(base_span, "a metric name cannot be empty: remove `name = \"\"` to use the field's name");
        return false;
    }
    let mut valid = true;
    let parts = [
        set.attrs.namespace.as_ref().map(|lit| (lit.value(), lit.span(), "namespace")),
        subsystem_in_force(set, metric).map(|lit| (lit.value(), lit.span(), "subsystem")),
        Some((base, base_span, "metric name")),
    ];
    let mut first = true;
    for (value, span, what) in parts.into_iter().flatten() {
        if value.is_empty() {
            continue;
        }
        if let Some(bad) = value.chars().find(|&c| !names::is_metric_name_char(c)) {
            let fixed: String = value.chars().map(|c| if names::is_metric_name_char(c) { c } else { '_' }).collect();
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

fn labels(metric: &Metric<'_>, metric_type: Option<MetricType<'_>>, errors: &mut Errors) {
    let Some(labels) = &metric.attrs.labels else {
        match metric_type {
            _ if metric.attrs.broken => {}
            Some(MetricType { kind: Kind::Info, .. }) => errors.error(
                metric.ty.span(),
                "an info metric states its facts as labels: add `#[metric(labels(..))]`, as in `labels(version, commit)`",
            ),
            Some(MetricType { labelled: true, .. }) => errors.error(
                metric.ty.span(),
                "a `*Vec` metric needs labels: add `#[metric(labels(..))]`, or use the type without `Vec`",
            ),
            _ => {}
        }
        return;
    };
    if metric_type.is_some_and(|metric_type| !metric_type.labelled) {
        errors.error(
            labels.span,
            "this metric type takes no labels; use its `*Vec` type (`IntCounterVec`, ...) for labelled series",
        );
        return;
    }
    // A label struct's names are checked where it derives `LabelSet`, `le` by an assertion.
    let LabelForm::List(list) = &labels.form else { return };
    if list.is_empty() {
        errors.error(labels.span, "`labels()` is empty; name at least one label, or use the type without `Vec`");
    }
    if let Some(extra) = list.get(MAX_LABELS) {
        errors.error(
            extra.name.span(),
            format_args!(
                "a metric takes at most {MAX_LABELS} labels; `{}` is label {}",
                extra.exported(),
                MAX_LABELS + 1
            ),
        );
    }
    let histogram = metric_type.is_some_and(|metric_type| metric_type.kind == Kind::Histogram);
    let mut seen: Vec<String> = Vec::new();
    for label in list {
        let name = label.exported();
        let span = label.name.span();
        if seen.contains(&name) {
            errors.error(span, format_args!("label `{name}` is declared twice; remove this one"));
            continue;
        }
        seen.push(name.clone());
        if let Some(message) = label_name_error(&name, histogram) {
            errors.error(span, message);
        }
    }
}

/// What is wrong with `name` as the name of a variable label, if anything: its syntax, or a
/// name Prometheus or solti-metrics reserves; `histogram` when the label is a histogram's,
/// where `le` is taken.
fn label_name_error(name: &str, histogram: bool) -> Option<String> {
    if !names::is_label_name(name) {
        Some(format!(
            "invalid label name `{name}`: label names match `[a-zA-Z_][a-zA-Z0-9_]*`; use ASCII letters, digits and `_`"
        ))
    } else if name.starts_with("__") {
        Some(format!(
            "label name `{name}` is reserved: names starting with `__` belong to Prometheus; write `{}`",
            name.trim_start_matches('_')
        ))
    } else if name == "quantile" {
        Some("label name `quantile` is reserved for summaries; choose another name".to_owned())
    } else if name == OVERFLOW_LABEL {
        Some(format!(
            "label name `{OVERFLOW_LABEL}` is reserved: it marks the series that takes the records over `max_series`; choose another name"
        ))
    } else if name == BUCKET_LABEL && histogram {
        Some(LE_ON_HISTOGRAM.to_owned())
    } else {
        None
    }
}

fn help(metric: &Metric<'_>, errors: &mut Errors) {
    match (&metric.attrs.help, &metric.attrs.doc) {
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

fn conventions(metric: &Metric<'_>, kind: Option<Kind>, full: &str, errors: &mut Errors) {
    let allowed = |key: &str| metric.attrs.allow.iter().any(|ident| ident == key);
    let (base, span) = base_name(metric);
    match kind {
        Some(Kind::Counter) if !full.ends_with("_total") && !allowed("missing_total") => errors.error(
            span,
            format_args!(
                "counter `{full}` should end in `_total`: name it `{base}_total`, or opt out with `#[metric(allow(missing_total))]`"
            ),
        ),
        Some(Kind::Info) if !full.ends_with("_info") => errors.error(
            span,
            format_args!(
                "info metric `{full}` must end in `_info`, the name OpenMetrics gives its samples: name it `{}_info`",
                base.strip_suffix("_total").unwrap_or(&base)
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

/// The series a metric exports: its name, and a histogram's `_bucket`, `_sum` and `_count`.
fn series_names(full: &str, kind: Option<Kind>) -> Vec<String> {
    let mut names = vec![full.to_owned()];
    if kind == Some(Kind::Histogram) {
        names.extend(HISTOGRAM_SUFFIXES.iter().map(|suffix| format!("{full}{suffix}")));
    }
    names
}

fn duplicate_names(set: &Set<'_>, lowered: &[LoweredMetric<'_>], errors: &mut Errors) {
    let mut owners: HashMap<String, &syn::Ident> = HashMap::new();
    for (metric, lowered) in set.metrics.iter().zip(lowered) {
        let names = series_names(&lowered.name, lowered.kind);
        if let Some((series, owner)) = names.iter().find_map(|name| owners.get(name).map(|owner| (name, owner))) {
            let (_, span) = base_name(metric);
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

/// Computes a histogram's bounds, recording what is wrong with them. The bounds of `linear`
/// and `exponential` are computed in decimal, so each prints as written (see `buckets`).
fn bucket_values(buckets: &Buckets, errors: &mut Errors) -> Vec<f64> {
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
            buckets::linear(&start.digits, &width.digits, count.value as usize)
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
            buckets::exponential(&start.digits, &factor.digits, count.value as usize)
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

/// A `LabelSet` struct as `expand` writes it.
pub struct LoweredLabelStruct<'a> {
    pub input: &'a LabelStruct<'a>,
    /// The path to solti-metrics: `#[label(crate = path)]`, default `::solti_metrics`.
    pub krate: TokenStream,
    /// The label names, one per field in order: the field's name (a raw identifier loses its
    /// `r#`).
    pub names: Vec<String>,
}

/// Checks a `LabelSet` struct: at least one field, each named as a label may be. Whether `le`
/// is free is the histogram's business, asserted where a metric takes the struct.
pub fn label_struct<'a>(input: &'a LabelStruct<'a>, errors: &mut Errors) -> LoweredLabelStruct<'a> {
    if input.fields.is_empty() {
        errors.error(input.ident.span(), "`LabelSet` needs at least one field: each field is a label");
    }
    if let Some(extra) = input.fields.get(MAX_LABELS) {
        errors.error(
            extra.ident.span(),
            format_args!("a metric takes at most {MAX_LABELS} labels; `{}` is field {}", extra.ident, MAX_LABELS + 1),
        );
    }
    let names = input
        .fields
        .iter()
        .map(|field| {
            let name = field.ident.unraw().to_string();
            if let Some(message) = label_name_error(&name, false) {
                errors.error(field.ident.span(), message);
            }
            name
        })
        .collect();
    let krate = match &input.krate {
        Some(krate) => krate.to_token_stream(),
        None => attr::default_crate().to_token_stream(),
    };
    LoweredLabelStruct { input, krate, names }
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
        let (linear, errors) =
            buckets(BucketForm::Linear { start: number(0.5), width: number(0.25), count: number(4.0) });
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
}
