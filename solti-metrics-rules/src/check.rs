//! Every rule applied to one metric's whole declaration: what the runtime calls when a family
//! is built from a description, and what the agreement test feeds both crates.

use crate::names;
use crate::options::{self, Combinations};
use crate::{Kind, buckets, labels};

/// A metric as declared: what the rules read of it.
#[derive(Debug, Clone, Copy)]
pub struct Declaration<'a> {
    /// The full exported name, `namespace_subsystem_name`.
    pub name: &'a str,
    /// The help text.
    pub help: &'a str,
    /// The field that declares it (named in the message about missing help).
    pub field: &'a str,
    /// The kind.
    pub kind: Kind,
    /// Whether the metric type takes labels (`*Vec`, `Info`).
    pub labelled: bool,
    /// The variable label names, in declared order.
    pub labels: &'a [&'a str],
    /// The histogram's bucket bounds as declared; empty for the default buckets.
    pub buckets: &'a [f64],
    /// `max_series`.
    pub max_series: Option<u64>,
    /// `unit`.
    pub unit: Option<&'a str>,
    /// `init`.
    pub init: bool,
    /// What the label types allow `init` to create.
    pub combinations: Combinations,
    /// `removable` (or implied by `expire_after`).
    pub removable: bool,
    /// `expire_after`.
    pub expire_after: Option<u64>,
    /// `exemplars`.
    pub exemplars: bool,
    /// `collect`: the value is computed at each exposition.
    pub collect: bool,
    /// `native`: the histogram's native buckets.
    pub native: Option<options::NativeOptions>,
}

/// Which rule a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Metric name syntax, and a name that is not empty.
    MetricName,
    /// What a kind asks of its name: `_info` on info metrics, no sample suffix on histograms.
    KindName,
    /// Label name syntax and reserved label names.
    LabelName,
    /// A label declared twice.
    LabelTwice,
    /// At most [`labels::MAX_LABELS`] labels.
    TooManyLabels,
    /// `*Vec` and `Info` types take labels, the others none.
    LabelsOfType,
    /// Help present and not blank.
    Help,
    /// Buckets on histograms only.
    BucketsOnHistogram,
    /// Bucket bounds finite and strictly increasing.
    BucketBounds,
    /// `max_series` at least 1, on labelled metrics with an open label.
    MaxSeries,
    /// `unit` a name part, the name's last, not on info metrics.
    Unit,
    /// `init` on labelled metrics whose labels have few fixed values, not on info metrics.
    Init,
    /// `exemplars` on recorded counters and histograms that are not removable.
    Exemplars,
    /// `removable` on labelled metrics.
    Removable,
    /// `expire_after` at least 1, on labelled metrics, not on info metrics, not with `init`.
    ExpireAfter,
    /// `collect` on counters and gauges without labels.
    Collect,
    /// `native` on histograms, with at least one bucket and a zero bucket of a finite
    /// threshold of at least 0.
    Native,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 17] = [
        Rule::MetricName,
        Rule::KindName,
        Rule::LabelName,
        Rule::LabelTwice,
        Rule::TooManyLabels,
        Rule::LabelsOfType,
        Rule::Help,
        Rule::BucketsOnHistogram,
        Rule::BucketBounds,
        Rule::MaxSeries,
        Rule::Unit,
        Rule::Init,
        Rule::Exemplars,
        Rule::Removable,
        Rule::ExpireAfter,
        Rule::Collect,
        Rule::Native,
    ];
}

/// A rule a declaration breaks, and what to tell its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Every rule `declaration` breaks, in the order the derive reports them.
pub fn check(declaration: &Declaration<'_>) -> Vec<Violation> {
    let d = declaration;
    let mut found = Vec::new();
    let mut push = |rule: Rule, message: String| found.push(Violation { rule, message });
    if d.name.is_empty() {
        push(Rule::MetricName, names::EMPTY_NAME.to_owned());
    }
    if d.labelled && d.labels.is_empty() {
        push(Rule::LabelsOfType, labels::missing(d.kind).to_owned());
    } else if !d.labelled && !d.labels.is_empty() {
        push(Rule::LabelsOfType, labels::NOT_TAKEN.to_owned());
    }
    if let Some(extra) = d.labels.get(labels::MAX_LABELS) {
        push(Rule::TooManyLabels, labels::too_many(extra));
    }
    for (i, &label) in d.labels.iter().enumerate() {
        if d.labels[..i].contains(&label) {
            push(Rule::LabelTwice, labels::twice(label));
        } else if let Some(message) = names::label_name(label, d.kind == Kind::Histogram) {
            push(Rule::LabelName, message);
        }
    }
    if let Some((first, second, escaped, scheme)) = names::first_escaped_alike(d.labels, true) {
        push(Rule::LabelTwice, names::escaped_alike("label", first, second, &escaped, scheme));
    }
    if d.kind != Kind::Histogram && !d.buckets.is_empty() {
        push(Rule::BucketsOnHistogram, buckets::NOT_A_HISTOGRAM.to_owned());
    }
    for (_, message) in buckets::bounds(d.buckets) {
        push(Rule::BucketBounds, message);
    }
    if d.help.trim().is_empty() {
        push(Rule::Help, options::no_help(d.field));
    }
    if let Some(limit) = d.max_series {
        if let Some(message) = options::max_series(limit, d.labelled) {
            push(Rule::MaxSeries, message.to_owned());
        } else if matches!(d.combinations, Combinations::Fixed(_)) {
            push(Rule::MaxSeries, options::MAX_SERIES_ON_FIXED_LABELS.to_owned());
        }
    }
    if !d.name.is_empty() {
        if let Some(message) = names::kind_name(d.kind, d.name, d.name) {
            push(Rule::KindName, message);
        }
    }
    if let Some(unit) = d.unit {
        if let Some(message) = options::unit(Some(d.kind), d.name, unit) {
            push(Rule::Unit, message);
        }
    }
    if d.init {
        if let Some(message) = options::init(d.labelled, Some(d.kind), d.labels, d.combinations) {
            push(Rule::Init, message);
        }
    }
    if d.exemplars {
        for message in options::exemplars(Some(d.kind), d.collect, d.removable || d.expire_after.is_some()) {
            push(Rule::Exemplars, message.to_owned());
        }
    }
    if d.collect {
        if let Some(message) = options::collect(d.labelled, Some(d.kind)) {
            push(Rule::Collect, message.to_owned());
        }
    }
    if d.removable && !d.labelled && d.expire_after.is_none() {
        push(Rule::Removable, options::REMOVABLE_WITHOUT_LABELS.to_owned());
    }
    if let Some(count) = d.expire_after {
        if let Some(message) = options::expire_after(count, d.labelled, Some(d.kind), d.init) {
            push(Rule::ExpireAfter, message);
        }
    }
    if let Some(native) = d.native {
        for message in options::native(Some(d.kind), native) {
            push(Rule::Native, message.to_owned());
        }
    }
    found
}
