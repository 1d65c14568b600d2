//! The rules a metric's description must follow, applied where a family is built: those of
//! `solti-metrics-rules`, which the derive applies at compile time with the same words, and
//! what ties a description to the family's types.

use solti_metrics_rules::options::{self, Combinations, combinations};
use solti_metrics_rules::{Declaration, check as check_rules, names};

use crate::error::Error;
use crate::metric::names::histogram_bounds;
use crate::metric::{MetricDesc, MetricKind};

/// What a family is built for, besides its description: the series type's kind, whether the
/// family takes labels, and the label tuple type it is recorded with.
pub(crate) struct Built {
    pub(crate) kind: MetricKind,
    pub(crate) labelled: bool,
    pub(crate) label_count: usize,
    /// The number of values of each label, `0` for a label without a fixed set; empty when
    /// the label type does not say (a struct of named labels).
    pub(crate) cardinalities: &'static [usize],
    /// The number of combinations of the label tuple's values, `0` when a label is open.
    pub(crate) dense_slots: usize,
}

impl Built {
    /// What the label types allow `#[metric(init)]` to create.
    fn combinations(&self) -> Combinations {
        match self.cardinalities.iter().position(|&cardinality| cardinality == 0) {
            Some(label) => Combinations::Open { label: Some(label) },
            None if !self.cardinalities.is_empty() => Combinations::Fixed(combinations(self.cardinalities)),
            None if self.dense_slots > 0 => Combinations::Fixed(self.dense_slots),
            None => Combinations::Open { label: None },
        }
    }
}

/// Checks `desc` for a family built as `built`; the bucket bounds its histograms record into
/// (empty for other kinds).
///
/// # Errors
///
/// [`Error::InvalidMetric`] naming the first rule `desc` breaks, in the derive's words.
pub(crate) fn check(desc: &'static MetricDesc, built: &Built) -> Result<&'static [f64], Error> {
    let invalid = |reason: String| Error::InvalidMetric { metric: desc.name.to_owned(), reason };
    let declaration = Declaration {
        name: desc.name,
        help: desc.help,
        field: desc.field,
        kind: built.kind.rules_kind(),
        labelled: built.labelled,
        labels: desc.labels,
        buckets: desc.buckets,
        max_series: desc.max_series.map(|limit| limit as u64),
        unit: desc.unit,
        init: desc.init,
        combinations: built.combinations(),
        removable: desc.removable || desc.expire_after.is_some(),
        expire_after: desc.expire_after.map(u64::from),
        exemplars: desc.exemplars,
        // `collect` is given after the family is built, and only to a family without labels
        // of a counter or gauge: the types apply its rule.
        collect: false,
        native: desc.native.map(|native| options::NativeOptions {
            max_buckets: u64::from(native.max_buckets),
            zero_threshold: native.zero_threshold,
        }),
    };
    if let Some(violation) = check_rules(&declaration).into_iter().next() {
        return Err(invalid(violation.message));
    }
    // What the derive makes agree by construction.
    if desc.kind != built.kind {
        return Err(invalid(format!("is described as a {}, built as a {}", desc.kind, built.kind)));
    }
    if built.label_count != desc.labels.len() {
        return Err(invalid(format!("declares {} labels, recorded with {}", desc.labels.len(), built.label_count)));
    }
    // The schema is the derive's reading of a factor: only a catalog written by hand can
    // state one out of range.
    if let Some(reason) = desc.native.and_then(|native| options::native_schema_range(native.schema)) {
        return Err(invalid(reason));
    }
    Ok(match built.kind {
        // Native buckets alone: the classic part is the `+Inf` bucket, count and sum.
        MetricKind::Histogram if desc.native.is_some() && desc.buckets.is_empty() => &[],
        MetricKind::Histogram => histogram_bounds(desc.buckets),
        MetricKind::Counter | MetricKind::Gauge | MetricKind::Info => &[],
    })
}

/// Checks the names a set's constant labels (`MetricsSet::register_with`) give a metric.
///
/// # Errors
///
/// [`Error::ConstLabelClash`] for a name the metric declares as a label,
/// [`Error::InvalidMetric`] for a name that cannot be a constant label or is given twice.
pub(crate) fn check_const_labels(desc: &MetricDesc, labels: &[(&str, &str)]) -> Result<(), Error> {
    let invalid = |reason: String| Error::InvalidMetric { metric: desc.name.to_owned(), reason };
    for (i, &(name, _)) in labels.iter().enumerate() {
        if desc.labels.iter().any(|label| names::escapes_to(label, name, true)) {
            return Err(Error::ConstLabelClash { metric: desc.name.to_owned(), label: name.to_owned() });
        }
        if let Some(reason) = names::const_label_name(name) {
            return Err(invalid(reason));
        }
        if labels[..i].iter().any(|&(seen, _)| seen == name) {
            return Err(invalid(format!("constant label `{name}` is given twice")));
        }
    }
    Ok(())
}
