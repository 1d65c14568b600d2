//! Serves `/metrics` over HTTP: the Solti runner backend and an HTTP metric set in one
//! `solti_metrics::Registry`, fed by a background loop of simulated task events. The exposition
//! is what the client's `Accept` header asks for: OpenMetrics (Prometheus asks for it), the
//! protobuf format (Prometheus with native histograms on asks for it first), the Prometheus
//! text otherwise.
//!
//! ```text
//! cargo run --example serve                       # http://127.0.0.1:9898/metrics, until Ctrl-C
//! cargo run --example serve -- --port 0           # an ephemeral port, printed on start
//! cargo run --example serve -- --tasks 500 --interval-ms 10 --duration 60
//! ```
//!
//! Options (the port may also come from `SOLTI_SERVE_PORT`):
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `--port N` | port on 127.0.0.1; `0` picks a free one | `9898` |
//! | `--interval-ms N` | pause between two simulated tasks | `100` |
//! | `--tasks N` | stop simulating after N tasks (the start burst not counted) | no limit |
//! | `--duration S` | stop serving after S seconds | until SIGTERM or Ctrl-C |
//! | `--seed N` | seed of the simulated task sequence | a fixed one |
//!
//! The HTTP metrics carry exemplars: each request's counter increment and latency observation
//! is recorded with a `trace_id`, the one of the request's W3C `traceparent` header when it has
//! one (`00-<32 hex digits>-<16 hex digits>-<2 hex digits>`), else a new one. Prometheus keeps
//! them when started with `--enable-feature=exemplar-storage` and scraping OpenMetrics.
//!
//! Requests are also counted per client, named by an `X-Client` header (`anonymous` without
//! one): a client that sent nothing while 5 expositions were written is forgotten
//! (`expire_after`), so clients that come and go leave no series behind. `demo_build_info`
//! states the example's version and build profile.
//!
//! The task events are deterministic: a fixed burst at start, then a seeded pseudo-random
//! sequence. With `--tasks N` the program prints, once the N tasks are recorded, every
//! `solti_runner_*` series it recorded with its value, one `expect <series> <value>` line each,
//! so that what a Prometheus server scraped can be checked against it
//! (`tests/e2e/prometheus.sh` does).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use solti_metrics::{
    Histogram, HistogramVec, Info, IntCounterVec, IntGauge, LabelValue, MetricsSet, Registry, RunnerMetrics,
};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

/// The HTTP method, as a label with a fixed set of values.
#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Head,
    Post,
    Other,
}

impl From<&axum::http::Method> for Method {
    fn from(method: &axum::http::Method) -> Self {
        match *method {
            axum::http::Method::GET => Self::Get,
            axum::http::Method::HEAD => Self::Head,
            axum::http::Method::POST => Self::Post,
            _ => Self::Other,
        }
    }
}

/// Metrics of this example's own HTTP server.
#[derive(MetricsSet)]
#[metrics(namespace = "demo", subsystem = "http")]
struct HttpMetrics {
    /// Total HTTP requests answered.
    #[metric(labels(method: Method, path, status: u16), exemplars)]
    requests_total: IntCounterVec,

    /// HTTP request duration in seconds.
    #[metric(labels(method: Method, path), buckets = exponential(0.0001, 4.0, 8), exemplars)]
    request_duration_seconds: HistogramVec,

    /// HTTP requests being answered.
    in_flight: IntGauge,

    /// Expositions served from /metrics, by format.
    #[metric(labels(format: Exposition))]
    expositions_total: IntCounterVec,

    /// HTTP requests per client (`X-Client`), for the clients active during the last 5 expositions.
    #[metric(labels(client), expire_after = 5, max_series = 1000)]
    client_requests_total: IntCounterVec,
}

/// The simulated tasks' durations again, under an OpenTelemetry-style UTF-8 name: Prometheus 3
/// gets it as it is (`"demo.task.duration"`, in quotes in the text formats), older scrapers as
/// `demo_task_duration`. Native buckets (factor 1.1: no bounds to choose, exported in the
/// protobuf format; room for 400, so the resolution is never halved here) beside classic ones
/// for the text formats.
#[derive(MetricsSet)]
struct Work {
    /// Duration of the simulated tasks, in seconds.
    #[metric(name = "demo.task.duration", native(max_buckets = 400), buckets = exponential(0.001, 4.0, 10))]
    task_duration: Histogram,
}

/// What is running.
#[derive(MetricsSet)]
#[metrics(namespace = "demo")]
struct About {
    /// The example's version and build profile.
    #[metric(labels(version, profile))]
    build_info: Info,
}

/// The exposition format, as a label.
#[derive(Clone, Copy, LabelValue)]
enum Exposition {
    Prometheus,
    #[label = "openmetrics"]
    OpenMetrics,
    Protobuf,
}

// Both sets share one registry: a name exported by both would fail the build here.
solti_metrics::assert_disjoint!(HttpMetrics, RunnerMetrics, About, Work);

struct App {
    http: HttpMetrics,
    /// Requests seen, from which the trace ids of requests without a `traceparent` are made.
    requests: AtomicU64,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("serve: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let options = Options::parse(std::env::args().skip(1), std::env::var("SOLTI_SERVE_PORT").ok())?;

    let registry = Registry::new();
    let runner = Arc::new(RunnerMetrics::register(&registry)?);
    let http = HttpMetrics::register(&registry)?;
    let about = About::register(&registry)?;
    about.build_info(env!("CARGO_PKG_VERSION"), if cfg!(debug_assertions) { "debug" } else { "release" });
    let app = Arc::new(App { http, requests: AtomicU64::new(0) });

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await.map_err(|error| {
        format!("cannot listen on 127.0.0.1:{}: {error} (pick another with --port or SOLTI_SERVE_PORT)", options.port)
    })?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}/metrics");

    let work = Work::register(&registry)?;
    tokio::spawn(simulate_tasks(runner, work, options.interval, options.tasks, options.seed));

    // Request metrics by route template, in one line (feature `axum`).
    let requests = solti_metrics::axum::layer(&registry)?;
    // `/metrics` is solti-metrics' own handler (feature `axum`): content negotiation, gzip.
    let router = Router::new()
        .route("/", get(index))
        .route("/hello/{name}", get(hello))
        .merge(solti_metrics::axum::router(registry))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app, track))
        .layer(requests);
    axum::serve(listener, router).with_graceful_shutdown(shutdown(options.duration)).await?;
    println!("stopped");
    Ok(())
}

async fn index() -> &'static str {
    "solti-metrics example: the metrics are at /metrics\n"
}

async fn hello(axum::extract::Path(name): axum::extract::Path<String>) -> String {
    format!("hello, {name}\n")
}

async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// Records every request in [`HttpMetrics`].
async fn track(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let method = Method::from(request.method());
    // Only known routes become label values, so a scan of random paths cannot create series.
    let path = match request.uri().path() {
        "/" => "/",
        "/metrics" => "/metrics",
        _ => "other",
    };
    let trace_id = match request.headers().get("traceparent").and_then(|value| trace_id(value.as_bytes())) {
        Some(trace_id) => trace_id.to_owned(),
        None => {
            // A new trace id, different for each request of this process.
            let number = app.requests.fetch_add(1, Ordering::Relaxed);
            let mut random = SplitMix64(number ^ 0x7ace_1d5e_ed00_0000);
            format!("{:016x}{:016x}", random.next(), random.next())
        }
    };
    let exemplar = [("trace_id", trace_id.as_str())];
    let client = match request.headers().get("x-client").map(|value| value.as_bytes()) {
        Some(name) if !name.is_empty() && name.len() <= 64 && name.iter().all(u8::is_ascii_graphic) => {
            String::from_utf8_lossy(name).into_owned()
        }
        _ => "anonymous".to_owned(),
    };
    app.http.client_requests_total(&client).inc();
    let started = Instant::now();
    app.http.in_flight().inc();
    let response = next.run(request).await;
    app.http.in_flight().dec();
    app.http.request_duration_seconds(method, path).observe_with_exemplar(started.elapsed().as_secs_f64(), &exemplar);
    app.http.requests_total(method, path, response.status().as_u16()).inc_with_exemplar(&exemplar);
    let content_type = response.headers().get(header::CONTENT_TYPE).map(|value| value.as_bytes());
    if path == "/metrics" && response.status().is_success() {
        // By the media type, whatever the version and escaping.
        let is = |media: &str| content_type.is_some_and(|value| value.starts_with(media.as_bytes()));
        let exposition = if is("application/openmetrics-text") {
            Exposition::OpenMetrics
        } else if is("application/vnd.google.protobuf") {
            Exposition::Protobuf
        } else {
            Exposition::Prometheus
        };
        app.http.expositions_total(exposition).inc();
    }
    response
}

/// The trace id of a W3C `traceparent` header, `00-<trace id>-<parent id>-<flags>`: 32
/// lowercase hex digits, not all zero.
fn trace_id(traceparent: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(traceparent).ok()?;
    let mut parts = text.trim().split('-');
    let (version, trace_id, parent_id, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |part: &str, len: usize| {
        part.len() == len && part.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    };
    let valid = version == "00"
        && parts.next().is_none()
        && hex(trace_id, 32)
        && trace_id.bytes().any(|byte| byte != b'0')
        && hex(parent_id, 16)
        && hex(flags, 2);
    valid.then_some(trace_id)
}

/// Resolves on SIGTERM, Ctrl-C, or when `duration` has passed.
async fn shutdown(duration: Option<Duration>) {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let deadline = async {
        match duration {
            Some(duration) => tokio::time::sleep(duration).await,
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => println!("interrupted, stopping"),
        () = terminate => println!("terminated, stopping"),
        () = deadline => println!("duration reached, stopping"),
    }
}

/// Records a fixed burst of tasks, then one simulated task every `interval`, `limit` of them if
/// given.
async fn simulate_tasks(backend: Arc<RunnerMetrics>, work: Work, interval: Duration, limit: Option<u64>, seed: u64) {
    let mut tally = Tally { work: Some(work), ..Tally::default() };
    // Through the trait object, as a runner holds its backend.
    let runner: Arc<dyn MetricsBackend> = backend;
    for task in Task::burst() {
        task.record(&*runner, &mut tally);
    }
    println!("recorded a burst of {} tasks", tally.tasks);

    let mut random = SplitMix64(seed);
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut simulated = 0u64;
    while limit.is_none_or(|limit| simulated < limit) {
        ticks.tick().await;
        Task::random(&mut random).record(&*runner, &mut tally);
        simulated += 1;
    }
    println!("recorded {} tasks ({simulated} simulated after the burst)", tally.tasks);
    for (series, value) in &tally.series {
        println!("expect {series} {value}");
    }
    // The native histogram's count, sum and true quantiles, for Prometheus' estimates.
    let durations = &mut tally.durations;
    durations.sort_by(f64::total_cmp);
    println!("native count {}", durations.len());
    println!("native sum {}", durations.iter().sum::<f64>());
    for quantile in [0.5, 0.9, 0.99] {
        let rank = ((quantile * durations.len() as f64).ceil() as usize).clamp(1, durations.len().max(1));
        println!("native quantile {quantile} {}", durations.get(rank - 1).copied().unwrap_or(0.0));
    }
    println!("expect end");
}

/// One simulated task: started on a runner, then failed to set up or ended with an outcome.
#[derive(Clone, Copy)]
struct Task {
    runner: RunnerType,
    end: End,
}

#[derive(Clone, Copy)]
enum End {
    Error(RunnerErrorKind),
    Completed(TaskOutcome, u64),
}

impl Task {
    /// 24 tasks, the same at every start: every runner, every outcome, every error kind, and
    /// durations that fall on bucket bounds and between them.
    fn burst() -> Vec<Task> {
        use End::{Completed, Error};
        use RunnerType::{Container, Subprocess, Wasm};
        use TaskOutcome::{Canceled, Failure, Success, Timeout};
        let task = |runner, end| Task { runner, end };
        vec![
            task(Subprocess, Completed(Success, 4)),
            task(Subprocess, Completed(Success, 10)),
            task(Subprocess, Completed(Success, 250)),
            task(Subprocess, Completed(Success, 1_250)),
            task(Subprocess, Completed(Failure, 73)),
            task(Subprocess, Completed(Timeout, 30_000)),
            task(Subprocess, Completed(Canceled, 2_600)),
            task(Subprocess, Error(RunnerErrorKind::SpawnFailed)),
            task(Container, Completed(Success, 1_000)),
            task(Container, Completed(Success, 45_000)),
            task(Container, Completed(Success, 299_999)),
            task(Container, Completed(Failure, 5_000)),
            task(Container, Completed(Timeout, 300_000)),
            task(Container, Completed(Canceled, 61)),
            task(Container, Error(RunnerErrorKind::CgroupPrepareFailed)),
            task(Container, Error(RunnerErrorKind::BackendConfigFailed)),
            task(Wasm, Completed(Success, 25)),
            task(Wasm, Completed(Success, 26)),
            task(Wasm, Completed(Success, 499)),
            task(Wasm, Completed(Failure, 3_600_001)),
            task(Wasm, Completed(Timeout, 10_000)),
            task(Wasm, Completed(Canceled, 0)),
            task(Wasm, Error(RunnerErrorKind::ModuleLoadFailed)),
            task(Wasm, Error(RunnerErrorKind::SpawnFailed)),
        ]
    }

    /// A task drawn from a mix that looks like a busy runner: mostly subprocesses, mostly
    /// successful, durations spread from milliseconds to minutes.
    fn random(random: &mut SplitMix64) -> Task {
        let runner = match random.below(100) {
            0..50 => RunnerType::Subprocess,
            50..80 => RunnerType::Container,
            _ => RunnerType::Wasm,
        };
        let setup_error = match (runner, random.below(1000)) {
            (_, 0..15) => Some(RunnerErrorKind::SpawnFailed),
            (_, 15..20) => Some(RunnerErrorKind::BackendConfigFailed),
            (RunnerType::Container, 20..45) => Some(RunnerErrorKind::CgroupPrepareFailed),
            (RunnerType::Wasm, 20..50) => Some(RunnerErrorKind::ModuleLoadFailed),
            _ => None,
        };
        if let Some(kind) = setup_error {
            return Task { runner, end: End::Error(kind) };
        }
        // Log-uniform between 1 ms and about 16 minutes.
        let duration_ms = 1u64 << random.below(20);
        let duration_ms = duration_ms + random.below(duration_ms);
        let end = match random.below(100) {
            0..85 => End::Completed(TaskOutcome::Success, duration_ms),
            85..93 => End::Completed(TaskOutcome::Failure, duration_ms),
            93..97 => End::Completed(TaskOutcome::Timeout, 30_000),
            _ => End::Completed(TaskOutcome::Canceled, duration_ms / 2),
        };
        Task { runner, end }
    }

    fn record(self, backend: &dyn MetricsBackend, tally: &mut Tally) {
        let runner = self.runner.as_label();
        backend.record_task_started(self.runner);
        tally.add(format!(r#"solti_runner_tasks_started_total{{runner="{runner}"}}"#), 1.0);
        match self.end {
            End::Error(kind) => {
                backend.record_runner_error(self.runner, kind);
                let error = kind.as_label();
                tally.add(format!(r#"solti_runner_errors_total{{error="{error}",runner="{runner}"}}"#), 1.0);
            }
            End::Completed(outcome, duration_ms) => {
                backend.record_task_completed(self.runner, outcome, duration_ms);
                let labels = format!(r#"outcome="{}",runner="{runner}""#, outcome.as_label());
                tally.add(format!("solti_runner_tasks_completed_total{{{labels}}}"), 1.0);
                tally.observe(&labels, duration_ms as f64 / 1000.0);
                if let Some(work) = &tally.work {
                    work.task_duration().observe(duration_ms as f64 / 1000.0);
                }
                tally.durations.push(duration_ms as f64 / 1000.0);
            }
        }
        tally.tasks += 1;
    }
}

/// What the example recorded, kept apart from the registry: the series as the text exposition
/// names them (labels sorted) and their values.
#[derive(Default)]
struct Tally {
    tasks: u64,
    series: BTreeMap<String, f64>,
    /// Every completed task's duration, in seconds, recorded into `work` too.
    durations: Vec<f64>,
    work: Option<Work>,
}

impl Tally {
    fn add(&mut self, series: String, value: f64) {
        *self.series.entry(series).or_default() += value;
    }

    fn observe(&mut self, labels: &str, seconds: f64) {
        let name = "solti_runner_task_duration_seconds";
        let histogram =
            RunnerMetrics::METRICS.iter().find(|desc| desc.name == name).map_or(&[][..], |desc| desc.buckets);
        for bound in histogram {
            // Created at the first observation, as prometheus does: every bucket, zero or not.
            let count = if seconds <= *bound { 1.0 } else { 0.0 };
            self.add(format!(r#"{name}_bucket{{le="{bound}",{labels}}}"#), count);
        }
        self.add(format!(r#"{name}_bucket{{le="+Inf",{labels}}}"#), 1.0);
        self.add(format!("{name}_sum{{{labels}}}"), seconds);
        self.add(format!("{name}_count{{{labels}}}"), 1.0);
    }
}

/// SplitMix64: a small, seeded generator, so every run simulates the same tasks.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0); the slight modulo bias does not matter here.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

struct Options {
    port: u16,
    interval: Duration,
    tasks: Option<u64>,
    duration: Option<Duration>,
    seed: u64,
}

impl Options {
    const USAGE: &str = "usage: serve [--port N] [--interval-ms N] [--tasks N] [--duration SECONDS] [--seed N]";

    fn parse(mut args: impl Iterator<Item = String>, env_port: Option<String>) -> Result<Self, BoxError> {
        let mut options = Options {
            port: 9898,
            interval: Duration::from_millis(100),
            tasks: None,
            duration: None,
            seed: 0x5017_1e7a_2026,
        };
        if let Some(port) = env_port {
            options.port = port.parse().map_err(|_| format!("SOLTI_SERVE_PORT: not a port: `{port}`"))?;
        }
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                println!("{}", Self::USAGE);
                std::process::exit(0);
            }
            let value = args.next().ok_or_else(|| format!("`{arg}` needs a value\n{}", Self::USAGE))?;
            let number = |value: &str| -> Result<u64, BoxError> {
                value.parse().map_err(|_| format!("`{arg}`: not a number: `{value}`").into())
            };
            match arg.as_str() {
                "--port" => options.port = u16::try_from(number(&value)?)?,
                "--interval-ms" => options.interval = Duration::from_millis(number(&value)?.max(1)),
                "--tasks" => options.tasks = Some(number(&value)?),
                "--duration" => options.duration = Some(Duration::from_secs(number(&value)?)),
                "--seed" => options.seed = number(&value)?,
                _ => return Err(format!("unknown option `{arg}`\n{}", Self::USAGE).into()),
            }
        }
        Ok(options)
    }
}
