//! What a metric is: its description, its kind, and the rules a description must follow.

mod desc;
mod kind;
pub(crate) mod names;
pub(crate) mod rules;

pub use desc::{MetricDesc, Native};
pub use kind::MetricKind;
/// The buckets of a histogram declared without any: the `prometheus` crate's and the Go
/// client's defaults, in seconds.
pub use solti_metrics_rules::buckets::DEFAULT_BUCKETS;
/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention), and
/// [`Family::overflow_records`](crate::Family::overflow_records) counts the records that went
/// there.
pub use solti_metrics_rules::names::OVERFLOW_LABEL;
