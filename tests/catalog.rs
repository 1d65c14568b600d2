//! The catalog as docs: the README's table of runner metrics is the output of
//! `cargo run --example catalog`, and says what the runner backend's contract says.

use solti_metrics::{MetricKind, MetricsSet, RunnerMetrics};

const START: &str = "<!-- catalog:runner -->\n";
const END: &str = "<!-- /catalog:runner -->";

/// The text between the README's catalog markers.
fn readme_block(readme: &str) -> Option<&str> {
    let start = readme.find(START)? + START.len();
    let end = start + readme[start..].find(END)?;
    Some(&readme[start..end])
}

#[test]
fn readme_runner_table_is_the_catalog() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let expected = solti_metrics::catalog::markdown::<RunnerMetrics>();
    let Some(actual) = readme_block(&readme) else {
        panic!(
            "README.md has no `{}` ... `{END}` block; put this between the markers:\n{START}{expected}{END}",
            START.trim_end()
        );
    };
    assert!(
        actual == expected,
        "README.md's runner metrics table differs from the catalog; \
         replace the block with the output of `cargo run --example catalog`:\n{START}{expected}{END}\n\
         ----- README.md has -----\n{actual}"
    );
}

/// One catalog entry as the contract states it: name, type, labels, buckets, help.
type Row = (&'static str, MetricKind, &'static [&'static str], &'static [f64], &'static str);

#[test]
fn runner_catalog_is_the_contract() {
    const BUCKETS: &[f64] =
        &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0];
    let contract: [Row; 4] = [
        ("solti_runner_tasks_started_total", MetricKind::Counter, &["runner"], &[], "Total number of tasks started"),
        (
            "solti_runner_tasks_completed_total",
            MetricKind::Counter,
            &["runner", "outcome"],
            &[],
            "Total number of tasks completed",
        ),
        (
            "solti_runner_task_duration_seconds",
            MetricKind::Histogram,
            &["runner", "outcome"],
            BUCKETS,
            "Task execution duration in seconds",
        ),
        ("solti_runner_errors_total", MetricKind::Counter, &["runner", "error"], &[], "Total runner-level errors"),
    ];
    let catalog: Vec<Row> = RunnerMetrics::METRICS
        .iter()
        .map(|metric| (metric.name, metric.kind, metric.labels, metric.buckets, metric.help))
        .collect();
    assert_eq!(catalog, contract);
}

#[test]
fn runner_table_rows() {
    let table = solti_metrics::catalog::markdown::<RunnerMetrics>();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines,
        [
            "| metric | type | labels | buckets | help |",
            "|---|---|---|---|---|",
            "| `solti_runner_tasks_started_total` | counter | `runner` |  | Total number of tasks started |",
            "| `solti_runner_tasks_completed_total` | counter | `runner`, `outcome` |  | Total number of tasks completed |",
            "| `solti_runner_task_duration_seconds` | histogram | `runner`, `outcome` | \
             0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600 | \
             Task execution duration in seconds |",
            "| `solti_runner_errors_total` | counter | `runner`, `error` |  | Total runner-level errors |",
        ]
    );
}

#[test]
fn markers_are_found_exactly() {
    let readme = format!("intro\n{START}| a |\n{END}\nrest\n");
    assert_eq!(readme_block(&readme), Some("| a |\n"));
    assert_eq!(readme_block("no markers here"), None);
    assert_eq!(readme_block(&format!("{START}unterminated")), None);
}
