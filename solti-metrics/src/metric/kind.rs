//! The kinds of metric.

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

    /// Whether a series of this kind has a created timestamp (counters and histograms, as in
    /// Prometheus' protobuf format and OpenMetrics).
    pub(crate) const fn has_created(self) -> bool {
        matches!(self, Self::Counter | Self::Histogram)
    }

    /// The suffixes of the series names a metric of this kind exports besides its own name.
    pub(crate) const fn suffixes(self) -> &'static [&'static str] {
        match self {
            Self::Histogram => &crate::metric::names::HISTOGRAM_SUFFIXES,
            Self::Counter | Self::Gauge | Self::Info => &[],
        }
    }
}

impl core::fmt::Display for MetricKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl MetricKind {
    /// The kind as the rules tell kinds apart.
    pub(crate) const fn rules_kind(self) -> solti_metrics_rules::Kind {
        match self {
            Self::Counter => solti_metrics_rules::Kind::Counter,
            Self::Gauge => solti_metrics_rules::Kind::Gauge,
            Self::Histogram => solti_metrics_rules::Kind::Histogram,
            Self::Info => solti_metrics_rules::Kind::Info,
        }
    }
}
