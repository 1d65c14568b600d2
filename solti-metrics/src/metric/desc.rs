//! A metric's description: what the derive declares of it, and the catalog lists.

use crate::metric::MetricKind;

/// One entry of a set's catalog ([`MetricsSet::METRICS`](crate::MetricsSet::METRICS)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDesc {
    /// The exported name, `namespace_subsystem_name`.
    pub name: &'static str,
    /// The help text.
    pub help: &'static str,
    /// The kind of metric.
    pub kind: MetricKind,
    /// The variable label names, in declared order.
    pub labels: &'static [&'static str],
    /// The histogram's bucket upper bounds (without `+Inf`); empty for other kinds.
    pub buckets: &'static [f64],
    /// The most series the metric keeps for open label values, if limited.
    pub max_series: Option<usize>,
    /// Whether every series of the metric's fixed label values is exported from registration
    /// on, at zero (`#[metric(init)]`).
    pub init: bool,
    /// Whether the metric's series can be removed (`#[metric(removable)]`, implied by
    /// `expire_after`): its recorder method then returns a [`Lease`](crate::Lease).
    pub removable: bool,
    /// `#[metric(expire_after = n)]`: the `n`-th exposition in a row that finds a series
    /// unchanged removes it.
    pub expire_after: Option<u32>,
    /// The unit, the name's last part (before a counter's `_total`); exported in OpenMetrics'
    /// `# UNIT` line.
    pub unit: Option<&'static str>,
    /// Whether the metric records exemplars (`#[metric(exemplars)]`, counters and histograms
    /// only), exported in OpenMetrics.
    pub exemplars: bool,
    /// The name of the struct field that declares the metric.
    pub field: &'static str,
}
