//! The names and buckets of the rules crate, as the runtime uses them.

pub(crate) use solti_metrics_rules::buckets::DEFAULT_BUCKETS;
pub use solti_metrics_rules::names::Escaping;
pub(crate) use solti_metrics_rules::names::{
    BUCKET_LABEL, HISTOGRAM_SUFFIXES, LEGACY_SCHEMES, escaped_name, escapes_to, is_label_name, is_metric_name,
    is_user_label_name,
};

/// The bucket bounds a histogram records into: the declared ones, or the default buckets when
/// none are declared.
pub(crate) fn histogram_bounds(buckets: &'static [f64]) -> &'static [f64] {
    if buckets.is_empty() { DEFAULT_BUCKETS } else { buckets }
}

#[cfg(all(test, feature = "prometheus"))]
mod tests {
    use super::*;

    #[test]
    fn default_buckets_are_prometheus_defaults() {
        assert_eq!(DEFAULT_BUCKETS.as_slice(), prometheus::DEFAULT_BUCKETS);
    }
}
