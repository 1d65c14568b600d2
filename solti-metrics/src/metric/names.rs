//! The Prometheus rules about names and buckets that the runtime applies.

/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention), and [`Family::overflow_records`](crate::Family::overflow_records)
/// counts the records that went there.
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// The series a histogram exports besides its name.
pub(crate) const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// The label that holds a histogram bucket's upper bound.
pub(crate) const BUCKET_LABEL: &str = "le";

/// Label names that cannot be constant labels: they hold a bucket bound, a quantile, or mark
/// the overflow series.
pub(crate) const RESERVED_LABELS: [&str; 3] = [BUCKET_LABEL, "quantile", OVERFLOW_LABEL];

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
