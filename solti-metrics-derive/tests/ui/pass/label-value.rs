//! `#[derive(LabelValue)]`: snake_case labels, `#[label = ".."]` renames, dense indices, and a
//! derived enum used as a label.

use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{IntCounterVec, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Success,
    TimedOut,
    HTTPError,
    #[label = "canceled-by-user"]
    Canceled,
    r#Match,
}

#[derive(MetricsSet)]
struct Jobs {
    /// Jobs by outcome.
    #[metric(labels(outcome: Outcome))]
    jobs_total: IntCounterVec,
}

pub fn main() {
    let all = [Outcome::Success, Outcome::TimedOut, Outcome::HTTPError, Outcome::Canceled, Outcome::Match];
    let labels: Vec<String> = all.iter().map(|o| o.label().as_str().to_owned()).collect();
    assert_eq!(labels, ["success", "timed_out", "http_error", "canceled-by-user", "match"]);
    let indices: Vec<Option<usize>> = all.iter().map(LabelValue::label_index).collect();
    assert_eq!(indices, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    assert_eq!(<Outcome as LabelValue>::CARDINALITY, 5);

    let registry = Registry::new();
    let jobs = Jobs::register(&registry).unwrap();
    jobs.jobs_total(Outcome::Canceled).inc();
    let text = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
    assert!(text.contains("jobs_total{outcome=\"canceled-by-user\"} 1\n"), "{text}");
}
