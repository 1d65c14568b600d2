//! The rules a metric's description must follow, applied where a family is built.

use crate::error::Error;
use crate::metric::names::{self, BUCKET_LABEL, OVERFLOW_LABEL};
use crate::metric::{MetricDesc, MetricKind};

/// The most series `#[metric(init)]` may create.
const MAX_INIT_SERIES: usize = 4096;

/// What a family is built for, besides its description: the series type's kind, whether the
/// family takes labels, and the label tuple type it is recorded with.
pub(crate) struct Built {
    pub(crate) kind: MetricKind,
    pub(crate) labelled: bool,
    pub(crate) label_count: usize,
    /// The number of combinations of the label tuple's values, `0` when a label is open.
    pub(crate) dense_slots: usize,
}

/// Checks `desc` for a family built as `built`; the bucket bounds its histograms record into
/// (empty for other kinds).
///
/// # Errors
///
/// [`Error::InvalidMetric`] naming the first rule `desc` breaks.
pub(crate) fn check(desc: &'static MetricDesc, built: &Built) -> Result<&'static [f64], Error> {
    let invalid = |reason: String| Error::InvalidMetric { metric: desc.name.to_owned(), reason };
    if built.label_count != desc.labels.len() || built.labelled != (built.label_count > 0) {
        return Err(invalid(format!("declares {} labels, recorded with {}", desc.labels.len(), built.label_count)));
    }
    if built.label_count > crate::labels::key::MAX_LABELS {
        return Err(invalid(format!(
            "has {} labels, more than the {} a series holds",
            built.label_count,
            crate::labels::key::MAX_LABELS
        )));
    }
    if !names::is_metric_name(desc.name) {
        return Err(invalid("not a valid metric name".to_owned()));
    }
    for (i, &label) in desc.labels.iter().enumerate() {
        if !names::is_label_name(label) || label == OVERFLOW_LABEL {
            return Err(invalid(format!("`{label}` cannot be a label name")));
        }
        if desc.labels[..i].contains(&label) {
            return Err(invalid(format!("label `{label}` is declared twice")));
        }
        if built.kind == MetricKind::Histogram && label == BUCKET_LABEL {
            return Err(invalid("a histogram cannot have a label `le`: it holds the bucket bound".to_owned()));
        }
    }
    if desc.exemplars && matches!(built.kind, MetricKind::Gauge | MetricKind::Info) {
        return Err(invalid(
            "only counters and histograms have exemplars: OpenMetrics puts them on counters and histogram buckets"
                .to_owned(),
        ));
    }
    let removable = desc.removable || desc.expire_after.is_some();
    if desc.exemplars && removable {
        // Exemplars are kept by the series' address, which a removed series gives back.
        return Err(invalid("a metric cannot have both exemplars and removable series".to_owned()));
    }
    if removable && !built.labelled {
        return Err(invalid("a metric without labels has one series, which cannot be removed".to_owned()));
    }
    if built.kind == MetricKind::Info && desc.expire_after.is_some() {
        return Err(invalid(
            "an info metric's value never changes: `expire_after` would remove every series".to_owned(),
        ));
    }
    if desc.expire_after == Some(0) {
        return Err(invalid("`expire_after` counts expositions: at least 1".to_owned()));
    }
    if desc.init && built.labelled && (built.dense_slots == 0 || built.dense_slots > MAX_INIT_SERIES) {
        return Err(invalid(format!(
            "`init` exports every combination of label values: each label needs a fixed set of values, and together at most {MAX_INIT_SERIES} combinations"
        )));
    }
    match built.kind {
        MetricKind::Histogram => names::histogram_bounds(desc.buckets)
            .ok_or_else(|| invalid("bucket bounds must be finite and strictly increasing".to_owned())),
        MetricKind::Counter | MetricKind::Gauge | MetricKind::Info => Ok(&[]),
    }
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
        if desc.labels.contains(&name) {
            return Err(Error::ConstLabelClash { metric: desc.name.to_owned(), label: name.to_owned() });
        }
        if !names::is_label_name(name) || names::RESERVED_LABELS.contains(&name) {
            return Err(invalid(format!("`{name}` cannot be a constant label")));
        }
        if labels[..i].iter().any(|&(seen, _)| seen == name) {
            return Err(invalid(format!("constant label `{name}` is given twice")));
        }
    }
    Ok(())
}
