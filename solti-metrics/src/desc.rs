//! What a metric is, as the derive declares it: the catalog entry and the Prometheus rules
//! about names that more than one module needs.

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

/// The kind of a metric, as exported in its `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A value that only goes up.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Observations counted into buckets.
    Histogram,
    /// Facts about the target as label values (a version, a commit), exported with the
    /// value 1: `# TYPE .. info` in OpenMetrics, a gauge in the Prometheus text format.
    Info,
}

impl MetricKind {
    /// The name of the kind, as OpenMetrics' `# TYPE` line spells it: `counter`, `gauge`,
    /// `histogram` or `info`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
            Self::Info => "info",
        }
    }

    /// The kind as `format`'s `# TYPE` line spells it: the Prometheus text format has no
    /// `info`, and exports it as a gauge.
    pub(crate) const fn type_name(self, format: crate::Format) -> &'static str {
        match (self, format) {
            (Self::Info, crate::Format::Prometheus) => "gauge",
            _ => self.as_str(),
        }
    }

    /// The suffixes of the series names a metric of this kind exports besides its own name.
    pub(crate) const fn suffixes(self) -> &'static [&'static str] {
        match self {
            Self::Histogram => &HISTOGRAM_SUFFIXES,
            Self::Counter | Self::Gauge | Self::Info => &[],
        }
    }
}

impl core::fmt::Display for MetricKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The series a histogram exports besides its name.
const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// The label that holds a histogram bucket's upper bound.
pub(crate) const BUCKET_LABEL: &str = "le";

/// Label names that cannot be constant labels: they hold a bucket bound, a quantile, or mark
/// the overflow series.
pub(crate) const RESERVED_LABELS: [&str; 3] = [BUCKET_LABEL, "quantile", crate::family::OVERFLOW_LABEL];

/// The buckets of a histogram declared without any: the `prometheus` crate's and the Go
/// client's defaults, in seconds.
pub const DEFAULT_BUCKETS: &[f64; 11] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub(crate) fn is_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || first == b'_' || first == b':')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':')
}

/// Whether `name` is a valid label name that users may set: `[a-zA-Z_][a-zA-Z0-9_]*`, without
/// the `__` prefix Prometheus reserves.
pub(crate) fn is_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        && !name.starts_with("__")
}

/// The bucket bounds a histogram records into: the default buckets when none are declared, a
/// trailing `+Inf` dropped (it is always exported); `None` unless finite and strictly increasing.
pub(crate) fn histogram_bounds(buckets: &'static [f64]) -> Option<&'static [f64]> {
    let buckets = if buckets.is_empty() { DEFAULT_BUCKETS } else { buckets };
    let buckets = match buckets.split_last() {
        Some((last, rest)) if *last == f64::INFINITY => rest,
        _ => buckets,
    };
    let increasing = buckets.windows(2).all(|pair| pair[0] < pair[1]);
    (increasing && buckets.iter().all(|bound| bound.is_finite())).then_some(buckets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_buckets_are_prometheus_defaults() {
        assert_eq!(DEFAULT_BUCKETS.as_slice(), prometheus::DEFAULT_BUCKETS);
    }

    #[test]
    fn bounds_are_adjusted_or_refused() {
        static WITH_INF: [f64; 2] = [1.0, f64::INFINITY];
        static UNORDERED: [f64; 2] = [1.0, 0.5];
        static NAN: [f64; 2] = [1.0, f64::NAN];
        assert_eq!(histogram_bounds(&[]), Some(DEFAULT_BUCKETS.as_slice()));
        assert_eq!(histogram_bounds(&WITH_INF), Some([1.0].as_slice()));
        assert_eq!(histogram_bounds(&UNORDERED), None);
        assert_eq!(histogram_bounds(&NAN), None);
    }

    #[test]
    fn names() {
        assert!(is_metric_name("a:b_c9"));
        assert!(!is_metric_name("9a"));
        assert!(!is_metric_name(""));
        assert!(is_label_name("_a9"));
        assert!(!is_label_name("__a"));
        assert!(!is_label_name("a:b"));
    }
}
