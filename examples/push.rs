//! A short-lived batch job that pushes its metrics to a Prometheus Pushgateway before it exits
//! (feature `push`).
//!
//! ```text
//! cargo run --example push -- --gateway http://127.0.0.1:9091 --instance db-1 --files 120
//! ```
//!
//! It copies `--files` simulated files, then pushes its registry to the group
//! `{job="backup", instance="<--instance>"}`, replacing what the group held. It prints every
//! series it pushed, one `pushed <series> <value>` line each (`tests/e2e/scale.sh` checks them
//! in a Prometheus that scrapes the gateway).

use std::process::ExitCode;

use solti_metrics::push::Pushgateway;
use solti_metrics::{Format, Gauge, HistogramVec, IntCounterVec, LabelValue, MetricsSet, Registry};

/// What a file copy ended with.
#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Copied,
    Skipped,
}

/// The backup job's metrics.
#[derive(MetricsSet)]
#[metrics(namespace = "backup")]
struct BackupMetrics {
    /// Files handled, by outcome.
    #[metric(labels(outcome: Outcome))]
    files_total: IntCounterVec,

    /// Size of the files copied, in bytes.
    #[metric(labels(outcome: Outcome), buckets = exponential(1024, 4, 6))]
    file_size_bytes: HistogramVec,

    /// When the job ended, as a Unix time in seconds.
    last_success_timestamp_seconds: Gauge,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("push: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut gateway = "http://127.0.0.1:9091".to_owned();
    let mut instance = "local".to_owned();
    let mut files = 100u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("`{arg}` needs a value"))?;
        match arg.as_str() {
            "--gateway" => gateway = value,
            "--instance" => instance = value,
            "--files" => files = value.parse().map_err(|_| format!("--files: not a number: `{value}`"))?,
            _ => {
                return Err(format!(
                    "unknown option `{arg}`; usage: push [--gateway URL] [--instance NAME] [--files N]"
                )
                .into());
            }
        }
    }

    let registry = Registry::new();
    let metrics = BackupMetrics::register(&registry)?;
    for file in 0..files {
        // Every seventh file is unchanged since the last backup.
        let outcome = if file % 7 == 0 { Outcome::Skipped } else { Outcome::Copied };
        metrics.files_total(outcome).inc();
        metrics.file_size_bytes(outcome).observe((file * 997 % 300_000) as f64);
    }
    let ended = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    metrics.last_success_timestamp_seconds().set(ended as f64);

    Pushgateway::new(&gateway).push(&registry, "backup", &[("instance", &instance)]).await?;
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus)?;
    for line in String::from_utf8(body)?.lines().filter(|line| !line.starts_with('#')) {
        println!("pushed {line}");
    }
    println!("pushed to {gateway} as job=\"backup\", instance=\"{instance}\"");
    Ok(())
}
