//! A set's catalog ([`MetricsSet::METRICS`]) rendered as documentation.
//!
//! The catalog is static: it is known at compile time, before anything is registered or
//! recorded, so the table of a set's metrics can be generated instead of written by hand and
//! checked against the docs that show it.
//!
//! ```
//! use solti_metrics::{HistogramVec, IntCounterVec, LabelValue, MetricsSet};
//!
//! #[derive(Clone, Copy, LabelValue)]
//! enum Queue { Fast, Bulk }
//!
//! #[derive(MetricsSet)]
//! #[metrics(namespace = "jobs")]
//! struct JobMetrics {
//!     /// Jobs taken from a queue.
//!     #[metric(labels(queue: Queue))]
//!     taken_total: IntCounterVec,
//!
//!     /// Time a job waited in its queue, in seconds.
//!     #[metric(labels(queue: Queue), buckets(0.1, 1.0, 10.0))]
//!     wait_seconds: HistogramVec,
//! }
//!
//! assert_eq!(
//!     solti_metrics::catalog::markdown::<JobMetrics>(),
//!     "\
//! | metric | type | labels | buckets | help |
//! |---|---|---|---|---|
//! | `jobs_taken_total` | counter | `queue` |  | Jobs taken from a queue. |
//! | `jobs_wait_seconds` | histogram | `queue` | 0.1, 1, 10 | Time a job waited in its queue, in seconds. |
//! "
//! );
//! ```

use core::fmt::Write as _;

use crate::metric::MetricDesc;
use crate::registry::MetricsSet;

/// The catalog of `T` as a markdown table: one row per metric, in declaration order, with its
/// exported name, type, labels, histogram buckets and help.
///
/// See the [module docs](self) for an example of the output.
pub fn markdown<T: MetricsSet>() -> String {
    markdown_table(T::METRICS)
}

/// `metrics` as a markdown table, as [`markdown`] renders a set's catalog; several sets can be
/// shown in one table by chaining their catalogs.
///
/// ```
/// # use solti_metrics::{IntCounter, MetricsSet};
/// # #[derive(MetricsSet)] struct Api { /// Requests.
/// #     requests_total: IntCounter }
/// # #[derive(MetricsSet)] struct Jobs { /// Jobs run.
/// #     jobs_total: IntCounter }
/// let metrics: Vec<_> = Api::METRICS.iter().chain(Jobs::METRICS).copied().collect();
/// let table = solti_metrics::catalog::markdown_table(&metrics);
/// assert_eq!(table.lines().count(), 2 + 2);
/// ```
pub fn markdown_table(metrics: &[MetricDesc]) -> String {
    let mut out = String::from("| metric | type | labels | buckets | help |\n|---|---|---|---|---|\n");
    for metric in metrics {
        let labels: Vec<String> = metric.labels.iter().map(|label| format!("`{label}`")).collect();
        let buckets: Vec<String> = metric.buckets.iter().map(f64::to_string).collect();
        // Writing to a `String` cannot fail.
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            metric.name,
            metric.kind,
            labels.join(", "),
            buckets.join(", "),
            cell(metric.help),
        );
    }
    out
}

/// `text` as the content of one table cell: `|` escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::MetricKind;

    #[test]
    fn escapes_cells_and_formats_buckets() {
        let metrics = [MetricDesc {
            name: "a_seconds",
            help: "Latency | p99\nof a \\ b",
            kind: MetricKind::Histogram,
            labels: &["x", "y"],
            buckets: &[0.005, 1.0, 2.5, 1e10],
            max_series: None,
            unit: None,
            init: false,
            removable: false,
            expire_after: None,
            exemplars: false,
            native: None,
            field: "a_seconds",
        }];
        assert_eq!(
            markdown_table(&metrics).lines().nth(2),
            Some(r"| `a_seconds` | histogram | `x`, `y` | 0.005, 1, 2.5, 10000000000 | Latency \| p99 of a \\ b |")
        );
    }

    #[test]
    fn empty_catalog_is_a_header() {
        assert_eq!(markdown_table(&[]), "| metric | type | labels | buckets | help |\n|---|---|---|---|---|\n");
    }
}
