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
    /// `#[metric(native)]`: the histogram keeps native (exponential) buckets too, exported in
    /// the protobuf format.
    pub native: Option<Native>,
    /// Whether the metric records exemplars (`#[metric(exemplars)]`, counters and histograms
    /// only), exported in OpenMetrics.
    pub exemplars: bool,
    /// The name of the struct field that declares the metric.
    pub field: &'static str,
}

/// The native buckets of a histogram (`#[metric(native)]`): Prometheus' native histograms,
/// exponential buckets exported in the protobuf format.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Native {
    /// The resolution: bucket `k` ends at `2^(k * 2^-schema)`, so consecutive bounds differ by
    /// the factor `2^(2^-schema)` (schema 3: 1.0905). From -4 to 8.
    pub schema: i8,
    /// The most buckets an exposition writes: over it, the resolution halves until they fit.
    pub max_buckets: u32,
    /// Observations of at most this magnitude count in the zero bucket.
    pub zero_threshold: f64,
}

impl Native {
    /// What `#[metric(native)]` declares: bucket factor 1.1 (schema 3), at most 160 buckets,
    /// a zero bucket up to 2^-128.
    pub const DEFAULT: Self = Self {
        schema: 3,
        max_buckets: solti_metrics_rules::options::NATIVE_MAX_BUCKETS,
        zero_threshold: solti_metrics_rules::options::NATIVE_ZERO_THRESHOLD,
    };

    /// The default native buckets with bucket factor `factor` instead: the schema whose factor
    /// is the largest not above it, as the Go client picks it (`#[metric(native(factor = ..))]`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMetric`](crate::Error::InvalidMetric) when `factor` is not a finite
    /// number above 1.
    pub fn with_factor(factor: f64) -> Result<Self, crate::Error> {
        solti_metrics_rules::options::native_schema(factor)
            .map(|schema| Self { schema, ..Self::DEFAULT })
            .map_err(|reason| crate::Error::InvalidMetric { metric: String::new(), reason })
    }
}
