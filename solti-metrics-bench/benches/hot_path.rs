//! The hot path measured against the original backend and a raw-atomic floor, in one run.
//!
//! A plain program (`harness = false`): every round runs every case once, each side of a case
//! (ours, the original, the floor) back to back in an order that rotates from round to round,
//! so drift of a noisy machine lands on both sides of a ratio. The figures reported are the
//! medians and the spread of the per-round ratios.
//!
//! ```text
//! cargo bench -p solti-metrics-bench --bench hot_path                      # 31 rounds, markdown table on stdout
//! cargo bench -p solti-metrics-bench --bench hot_path -- --rounds 31 --target-ms 5
//! cargo bench -p solti-metrics-bench --bench hot_path -- --list            # case names
//! cargo bench -p solti-metrics-bench --bench hot_path -- --case NAME --side ours --iters 100000
//! ```
//!
//! The last form runs one side of one single-thread case and nothing else: it is what
//! `scripts/callgrind.sh` runs under `valgrind --tool=callgrind`, collecting only inside
//! `measured_loop`, to count instructions per record.
//!
//! Sides:
//! - **ours**: `solti_metrics` (the derived `PrometheusMetrics`, or a derived set);
//! - **original**: `solti-prometheus` 0.0.2's backend, or `prometheus` 0.14's `*Vec` with
//!   `with_label_values`, the code a derived set replaces;
//! - **floor**: one `AtomicU64::fetch_add` on the cell of the series, called the same way
//!   (through `Arc<dyn MetricsBackend>` for the backend cases);
//! - **enum** (`status_u16`): ours again, the same metric with an enum label instead of `u16`;
//! - **client** and **measured** (`open_labels`): prometheus-client 0.26's `Family::get_or_create`
//!   and measured 0.0.25's `CounterVec::inc` (string labels interned with `paracord`);
//! - **permanent** (`removable_open_labels`): ours again, the same metric not declared
//!   `removable`.
//! - **struct** (`struct_dense`, `struct_open`): ours again, the same labels as a struct with
//!   `#[derive(LabelSet)]` (`#[metric(labels = Struct)]`) instead of the tuple of recorder
//!   arguments, which is the `ours` side of those cases.
//! - **declared** and **exemplar** (`exemplar_counter`, `exemplar_histogram`): ours again, the
//!   same metric declared with `#[metric(exemplars)]`, recorded with the plain method
//!   (`declared`) and with `inc_with_exemplar` / `observe_with_exemplar` and a trace id of 32
//!   hex digits (`exemplar`); `ours` is the metric without the opt-in.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use measured::LabelGroup;
use paracord::ParaCord;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use prometheus_client::metrics::histogram::{Histogram as ClientHistogram, NativeHistogramConfig};
use solti_metrics::prometheus::{self, HistogramOpts, Opts, Registry, TextEncoder};
use solti_metrics::{HistogramVec, IntCounterVec, LabelSet, LabelValue, MetricsSet, PrometheusMetrics};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

#[path = "common/options.rs"]
mod options;

// ---------------------------------------------------------------------------------------------
// Inputs: 16 argument tuples cycled through, so no side sees one constant series.

const ARGS: usize = 16;

const RUNNERS: [RunnerType; 3] = [RunnerType::Subprocess, RunnerType::Container, RunnerType::Wasm];
const OUTCOMES: [TaskOutcome; 4] =
    [TaskOutcome::Success, TaskOutcome::Failure, TaskOutcome::Canceled, TaskOutcome::Timeout];
const ERRORS: [RunnerErrorKind; 4] = [
    RunnerErrorKind::CgroupPrepareFailed,
    RunnerErrorKind::BackendConfigFailed,
    RunnerErrorKind::SpawnFailed,
    RunnerErrorKind::ModuleLoadFailed,
];
// Durations in milliseconds, spread over the runner histogram's buckets.
const DURATIONS_MS: [u64; ARGS] =
    [3, 12, 40, 75, 180, 420, 900, 2_000, 4_000, 8_000, 25_000, 55_000, 250_000, 1_500_000, 3_000_000, 9_000_000];
// Observations in seconds, spread over the typed histogram's buckets.
const SECONDS: [f64; ARGS] =
    [0.001, 0.004, 0.007, 0.012, 0.02, 0.04, 0.06, 0.09, 0.15, 0.2, 0.3, 0.45, 0.7, 1.2, 2.0, 4.0];

fn runner(i: usize) -> RunnerType {
    RUNNERS[i % RUNNERS.len()]
}

fn outcome(i: usize) -> TaskOutcome {
    OUTCOMES[(i / 3) % OUTCOMES.len()]
}

fn error_kind(i: usize) -> RunnerErrorKind {
    ERRORS[(i / 3) % ERRORS.len()]
}

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
}

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    NotFound,
    Error,
}

impl Method {
    const ALL: [Self; 4] = [Self::Get, Self::Post, Self::Put, Self::Delete];

    // The strings a hand-written prometheus user passes to `with_label_values`.
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Post => "post",
            Self::Put => "put",
            Self::Delete => "delete",
        }
    }
}

impl Status {
    const ALL: [Self; 3] = [Self::Ok, Self::NotFound, Self::Error];

    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NotFound => "not_found",
            Self::Error => "error",
        }
    }
}

const ROUTES: [&str; ARGS] = [
    "/",
    "/users",
    "/users/:id",
    "/orders",
    "/orders/:id",
    "/items",
    "/items/:id",
    "/login",
    "/logout",
    "/health",
    "/metrics",
    "/search",
    "/cart",
    "/cart/:id",
    "/admin",
    "/admin/:id",
];
const VERBS: [&str; 2] = ["GET", "POST"];

/// HTTP status codes, as a `u16` label.
const CODES: [u16; ARGS] = [200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503];

/// The same status codes as an enum label.
#[derive(Clone, Copy, LabelValue)]
enum Code {
    #[label = "200"]
    Ok,
    #[label = "201"]
    Created,
    #[label = "204"]
    NoContent,
    #[label = "206"]
    PartialContent,
    #[label = "301"]
    MovedPermanently,
    #[label = "302"]
    Found,
    #[label = "304"]
    NotModified,
    #[label = "400"]
    BadRequest,
    #[label = "401"]
    Unauthorized,
    #[label = "403"]
    Forbidden,
    #[label = "404"]
    NotFound,
    #[label = "409"]
    Conflict,
    #[label = "429"]
    TooManyRequests,
    #[label = "500"]
    InternalServerError,
    #[label = "502"]
    BadGateway,
    #[label = "503"]
    ServiceUnavailable,
}

impl Code {
    const ALL: [Self; ARGS] = [
        Self::Ok,
        Self::Created,
        Self::NoContent,
        Self::PartialContent,
        Self::MovedPermanently,
        Self::Found,
        Self::NotModified,
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::TooManyRequests,
        Self::InternalServerError,
        Self::BadGateway,
        Self::ServiceUnavailable,
    ];
}

/// Responses by status code, the code as a `u16`.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "status")]
struct StatusMetrics {
    /// Responses sent.
    #[metric(labels(code: u16))]
    responses_total: IntCounterVec,
}

/// The same metric, the code as an enum.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "status")]
struct StatusEnumMetrics {
    /// Responses sent.
    #[metric(labels(code: Code))]
    responses_total: IntCounterVec,
}

/// The open-label metric's tuple for prometheus-client: borrowed `&'static str` values, its
/// cheapest key (no allocation per record).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClientRoute {
    verb: &'static str,
    route: &'static str,
}

#[derive(Clone, Copy, LabelGroup)]
#[label(set = MeasuredRouteSet)]
struct MeasuredRoute<'a> {
    #[label(dynamic_with = ParaCord, default)]
    verb: &'a str,
    #[label(dynamic_with = ParaCord, default)]
    route: &'a str,
}

/// The latency histogram of [`HttpMetrics`] with native buckets: alone, and beside the same
/// classic buckets.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "native")]
struct NativeMetrics {
    /// Request latency, native buckets only.
    #[metric(labels(method: Method, status: Status), native)]
    request_duration_seconds: HistogramVec,

    /// Request latency, classic and native buckets.
    #[metric(
        labels(method: Method, status: Status),
        buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        native
    )]
    both_duration_seconds: HistogramVec,
}

/// A derived set with two enum labels and one with open string labels.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "http")]
struct HttpMetrics {
    /// Requests served.
    #[metric(labels(method: Method, status: Status))]
    requests_total: IntCounterVec,

    /// Request latency.
    #[metric(labels(method: Method, status: Status), buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))]
    request_duration_seconds: HistogramVec,

    /// Requests served, by route.
    #[metric(labels(verb, route))]
    route_requests_total: IntCounterVec,

    /// Requests served, by route, for routes that come and go.
    #[metric(labels(verb, route), removable)]
    removable_route_requests_total: IntCounterVec,
}

/// The labels of `HttpMetrics::requests_total` as a struct: every field has a fixed set of
/// values, so it takes the dense table as the tuple does.
#[derive(Clone, Copy, LabelSet)]
struct Call {
    method: Method,
    status: Status,
}

/// The labels of `HttpMetrics::route_requests_total` as a struct: open string fields.
#[derive(Clone, Copy, LabelSet)]
struct RouteLabels<'a> {
    verb: &'a str,
    route: &'a str,
}

/// `HttpMetrics`' counters with their labels as structs.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "http")]
struct LabelStructMetrics {
    /// Requests served.
    #[metric(labels = Call)]
    requests_total: IntCounterVec,

    /// Requests served, by route.
    #[metric(labels = RouteLabels)]
    route_requests_total: IntCounterVec,
}

/// The counter and histogram of [`HttpMetrics`] declared with exemplars.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "traced")]
struct TracedMetrics {
    /// Requests served.
    #[metric(labels(method: Method, status: Status), exemplars)]
    requests_total: IntCounterVec,

    /// Request latency.
    #[metric(
        labels(method: Method, status: Status),
        buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        exemplars
    )]
    request_duration_seconds: HistogramVec,
}

/// W3C trace ids, one per argument tuple.
fn trace_ids() -> [String; ARGS] {
    core::array::from_fn(|i| {
        format!("{:032x}", (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835))
    })
}

/// The same metrics written by hand against prometheus.
struct HandMetrics {
    requests_total: prometheus::IntCounterVec,
    request_duration_seconds: prometheus::HistogramVec,
    route_requests_total: prometheus::IntCounterVec,
}

impl HandMetrics {
    fn register(registry: &Registry) -> prometheus::Result<Self> {
        let opts = |name: &str, help: &str| Opts::new(name, help).namespace("bench").subsystem("http");
        let requests_total =
            prometheus::IntCounterVec::new(opts("requests_total", "Requests served."), &["method", "status"])?;
        let request_duration_seconds = prometheus::HistogramVec::new(
            HistogramOpts::from(opts("request_duration_seconds", "Request latency."))
                .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["method", "status"],
        )?;
        let route_requests_total = prometheus::IntCounterVec::new(
            opts("route_requests_total", "Requests served, by route."),
            &["verb", "route"],
        )?;
        registry.register(Box::new(requests_total.clone()))?;
        registry.register(Box::new(request_duration_seconds.clone()))?;
        registry.register(Box::new(route_requests_total.clone()))?;
        Ok(Self { requests_total, request_duration_seconds, route_requests_total })
    }
}

/// A set sized for the exposition cases: `series` series, half counters, half histograms.
#[derive(MetricsSet)]
#[metrics(namespace = "bench", subsystem = "gather")]
struct GatherMetrics {
    /// Jobs run.
    #[metric(labels(job))]
    jobs_total: IntCounterVec,

    /// Job duration.
    #[metric(labels(job), buckets(0.01, 0.1, 1.0, 10.0, 60.0))]
    job_duration_seconds: HistogramVec,
}

fn gather_hand(registry: &Registry) -> prometheus::Result<(prometheus::IntCounterVec, prometheus::HistogramVec)> {
    let opts = |name: &str, help: &str| Opts::new(name, help).namespace("bench").subsystem("gather");
    let jobs = prometheus::IntCounterVec::new(opts("jobs_total", "Jobs run."), &["job"])?;
    let duration = prometheus::HistogramVec::new(
        HistogramOpts::from(opts("job_duration_seconds", "Job duration.")).buckets(vec![0.01, 0.1, 1.0, 10.0, 60.0]),
        &["job"],
    )?;
    registry.register(Box::new(jobs.clone()))?;
    registry.register(Box::new(duration.clone()))?;
    Ok((jobs, duration))
}

// ---------------------------------------------------------------------------------------------
// The floor.

#[repr(align(128))]
struct Cell(AtomicU64);

/// One `fetch_add` on the cell of the series, behind the same trait object as the backends.
struct FloorBackend {
    cells: [Cell; 3],
}

impl FloorBackend {
    fn new() -> Self {
        Self { cells: [Cell(AtomicU64::new(0)), Cell(AtomicU64::new(0)), Cell(AtomicU64::new(0))] }
    }

    #[inline]
    fn add(&self, runner: RunnerType) {
        let index = match runner {
            RunnerType::Container => 1,
            RunnerType::Wasm => 2,
            _ => 0,
        };
        self.cells[index].0.fetch_add(1, Ordering::Relaxed);
    }
}

impl MetricsBackend for FloorBackend {
    fn record_task_started(&self, runner_type: RunnerType) {
        self.add(runner_type);
    }

    fn record_task_completed(&self, runner_type: RunnerType, _: TaskOutcome, _: u64) {
        self.add(runner_type);
    }

    fn record_runner_error(&self, runner_type: RunnerType, _: RunnerErrorKind) {
        self.add(runner_type);
    }
}

// ---------------------------------------------------------------------------------------------
// Cases.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Ours,
    Original,
    Floor,
    Enum,
    Client,
    Measured,
    Permanent,
    Struct,
    Declared,
    Exemplar,
    Native,
    Both,
    ClientNative,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Original => "original",
            Self::Floor => "floor",
            Self::Enum => "enum",
            Self::Client => "client",
            Self::Measured => "measured",
            Self::Permanent => "permanent",
            Self::Struct => "struct",
            Self::Declared => "declared",
            Self::Exemplar => "exemplar",
            Self::Native => "native",
            Self::Both => "both",
            Self::ClientNative => "client native",
        }
    }
}

/// A ratio of two sides' times reported in the second table, with its target if it has one.
struct Ratio {
    num: Side,
    den: Side,
    target: Target,
}

#[derive(Clone, Copy)]
enum Target {
    None,
    AtMost(f64),
    AtLeast(f64),
}

impl Ratio {
    fn new(num: Side, den: Side, target: Target) -> Self {
        Self { num, den, target }
    }
}

/// Runs `iters` operations of one side and returns the time they took.
type Run = Box<dyn Fn(u64) -> Duration>;

struct Case {
    name: &'static str,
    what: &'static str,
    /// Two threads: excluded from the callgrind mode.
    threaded: bool,
    sides: Vec<(Side, Run)>,
    /// The speed targets of BENCHMARKS.md: `(min original/ours, max ours/floor)`.
    target: (Option<f64>, Option<f64>),
    /// Ratios between other sides.
    more: Vec<Ratio>,
}

/// The loop every single-thread side runs; `scripts/callgrind.sh` counts instructions inside it.
#[inline(never)]
fn measured_loop<F: Fn(usize)>(iters: u64, record: &F) {
    for i in 0..iters {
        record(i as usize % ARGS);
    }
}

/// Records every argument tuple once, outside `measured_loop`: creates the series.
#[inline(never)]
fn warm_up<F: Fn(usize)>(record: &F) {
    for i in 0..ARGS {
        record(i);
    }
}

/// A side that runs `record`; `run(0)` only warms up.
fn timed<F: Fn(usize) + 'static>(record: F) -> Run {
    Box::new(move |iters| {
        if iters == 0 {
            warm_up(&record);
            return Duration::ZERO;
        }
        let start = Instant::now();
        measured_loop(iters, &record);
        start.elapsed()
    })
}

/// Two threads, each running `iters` records; the time until both are done.
///
/// On a shared machine the two threads do not always run at the same time, and a case about
/// two threads recording at once measures nothing then: a run where the threads overlapped
/// for less than 80% of it is repeated, up to 5 times (the last one counts whatever it is).
fn timed_two_threads<F: Fn(usize, usize) + Send + Sync + 'static>(record: F) -> Run {
    let record = Arc::new(record);
    Box::new(move |iters| {
        let mut elapsed = Duration::ZERO;
        for _ in 0..5 {
            let (took, overlap) = two_threads_once(&*record, iters);
            elapsed = took;
            if overlap >= 0.8 {
                break;
            }
        }
        elapsed
    })
}

/// One two-thread run: the time until both threads are done, and the fraction of it during
/// which both were running.
fn two_threads_once<F: Fn(usize, usize) + Sync>(record: &F, iters: u64) -> (Duration, f64) {
    let barrier = Barrier::new(2);
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|thread| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for i in 0..iters {
                        record(thread, i as usize % ARGS);
                    }
                    (start, Instant::now())
                })
            })
            .collect();
        workers.into_iter().filter_map(|worker| worker.join().ok()).collect()
    });
    let (Some(first), Some(last)) = (spans.iter().map(|s| s.0).min(), spans.iter().map(|s| s.1).max()) else {
        return (Duration::ZERO, 0.0);
    };
    let (Some(late_start), Some(early_end)) = (spans.iter().map(|s| s.0).max(), spans.iter().map(|s| s.1).min()) else {
        return (Duration::ZERO, 0.0);
    };
    let total = last - first;
    let both = early_end.saturating_duration_since(late_start);
    (total, both.as_secs_f64() / total.as_secs_f64().max(1e-12))
}

struct Backends {
    ours: Arc<dyn MetricsBackend>,
    original: Arc<dyn MetricsBackend>,
    floor: Arc<dyn MetricsBackend>,
}

impl Backends {
    fn new() -> Self {
        let ours: Arc<dyn MetricsBackend> = Arc::new(PrometheusMetrics::new_isolated().expect("our backend"));
        let original: Arc<dyn MetricsBackend> =
            Arc::new(solti_prometheus::PrometheusMetrics::new_isolated().expect("the original backend"));
        let floor: Arc<dyn MetricsBackend> = Arc::new(FloorBackend::new());
        // Opaque to the optimizer: every call stays a virtual call, as in a runner.
        Self { ours: black_box(ours), original: black_box(original), floor: black_box(floor) }
    }

    fn each(&self) -> [(Side, Arc<dyn MetricsBackend>); 3] {
        [
            (Side::Ours, Arc::clone(&self.ours)),
            (Side::Original, Arc::clone(&self.original)),
            (Side::Floor, Arc::clone(&self.floor)),
        ]
    }
}

fn backend_cases() -> Vec<Case> {
    let backends = Backends::new();
    let started = backends
        .each()
        .into_iter()
        .map(|(side, backend)| (side, timed(move |i| backend.record_task_started(runner(i)))))
        .collect();
    let errors = backends
        .each()
        .into_iter()
        .map(|(side, backend)| (side, timed(move |i| backend.record_runner_error(runner(i), error_kind(i)))))
        .collect();
    let completed = backends
        .each()
        .into_iter()
        .map(|(side, backend)| {
            (side, timed(move |i| backend.record_task_completed(runner(i), outcome(i), DURATIONS_MS[i])))
        })
        .collect();
    let two_threads = |same: bool| {
        backends
            .each()
            .into_iter()
            .map(move |(side, backend)| {
                let run = timed_two_threads(move |thread, _| {
                    let runner = if same || thread == 0 { RunnerType::Subprocess } else { RunnerType::Wasm };
                    backend.record_task_started(black_box(runner));
                });
                (side, run)
            })
            .collect()
    };
    vec![
        Case {
            name: "record_task_started",
            what: "backend, 1 label, through `Arc<dyn MetricsBackend>`",
            threaded: false,
            sides: started,
            target: (Some(6.0), Some(2.0)),
            more: Vec::new(),
        },
        Case {
            name: "record_runner_error",
            what: "backend, 2 labels",
            threaded: false,
            sides: errors,
            target: (Some(8.0), Some(2.0)),
            more: Vec::new(),
        },
        Case {
            name: "record_task_completed",
            what: "backend, counter + histogram, 2 labels",
            threaded: false,
            sides: completed,
            target: (Some(5.0), Some(5.0)),
            more: Vec::new(),
        },
        Case {
            name: "two_threads_same_series",
            what: "`record_task_started`, 2 threads, one series",
            threaded: true,
            sides: two_threads(true),
            target: (None, None),
            more: Vec::new(),
        },
        Case {
            name: "two_threads_different_series",
            what: "`record_task_started`, 2 threads, one series each",
            threaded: true,
            sides: two_threads(false),
            target: (Some(10.0), None),
            more: Vec::new(),
        },
    ]
}

fn typed_cases() -> Vec<Case> {
    let registry = Registry::new();
    let ours = Arc::new(black_box(HttpMetrics::register(&registry).expect("derived set")));
    let hand = Arc::new(black_box(HandMetrics::register(&Registry::new()).expect("hand-written set")));
    // The floor: one atomic per series, found by the same label arguments.
    let floor: Arc<[AtomicU64; 12]> = Arc::new(Default::default());
    let method = |i: usize| Method::ALL[i % 4];
    let status = |i: usize| Status::ALL[(i / 4) % 3];
    let cell = move |i: usize| method(i) as usize * 3 + status(i) as usize;
    let route_floor: Arc<[AtomicU64; 2 * ARGS]> = Arc::new(core::array::from_fn(|_| AtomicU64::new(0)));

    let counter = {
        let (ours, hand, floor) = (Arc::clone(&ours), Arc::clone(&hand), Arc::clone(&floor));
        vec![
            (Side::Ours, timed(move |i| ours.requests_total(method(i), status(i)).inc())),
            (
                Side::Original,
                timed(move |i| hand.requests_total.with_label_values(&[method(i).as_str(), status(i).as_str()]).inc()),
            ),
            (Side::Floor, timed(move |i| _ = floor[cell(i)].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    let histogram = {
        let (ours, hand, floor) = (Arc::clone(&ours), Arc::clone(&hand), Arc::clone(&floor));
        vec![
            (Side::Ours, timed(move |i| ours.request_duration_seconds(method(i), status(i)).observe(SECONDS[i]))),
            (
                Side::Original,
                timed(move |i| {
                    hand.request_duration_seconds
                        .with_label_values(&[method(i).as_str(), status(i).as_str()])
                        .observe(SECONDS[i])
                }),
            ),
            (Side::Floor, timed(move |i| _ = floor[cell(i)].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    let native_histograms = {
        let native = Arc::new(black_box(NativeMetrics::register(&registry).expect("native set")));
        let (ours, both) = (Arc::clone(&ours), Arc::clone(&native));
        let bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
        let client = black_box(ClientHistogram::new(bounds));
        let client_native = black_box(ClientHistogram::new_native(NativeHistogramConfig::default()));
        vec![
            (Side::Ours, timed(move |i| ours.request_duration_seconds(method(i), status(i)).observe(SECONDS[i]))),
            (Side::Native, timed(move |i| native.request_duration_seconds(method(i), status(i)).observe(SECONDS[i]))),
            (Side::Both, timed(move |i| both.both_duration_seconds(method(i), status(i)).observe(SECONDS[i]))),
            (Side::Client, timed(move |i| client.observe(SECONDS[i]))),
            (Side::ClientNative, timed(move |i| client_native.observe(SECONDS[i]))),
        ]
    };
    let traced = Arc::new(black_box(TracedMetrics::register(&registry).expect("traced set")));
    let traces = Arc::new(trace_ids());
    let exemplar_counter = {
        let (ours, traced, traces, floor) =
            (Arc::clone(&ours), Arc::clone(&traced), Arc::clone(&traces), Arc::clone(&floor));
        let declared = Arc::clone(&traced);
        vec![
            (Side::Ours, timed(move |i| ours.requests_total(method(i), status(i)).inc())),
            (Side::Declared, timed(move |i| declared.requests_total(method(i), status(i)).inc())),
            (
                Side::Exemplar,
                timed(move |i| {
                    _ = traced.requests_total(method(i), status(i)).inc_with_exemplar(&[("trace_id", &traces[i])])
                }),
            ),
            (Side::Floor, timed(move |i| _ = floor[cell(i)].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    let exemplar_histogram = {
        let (ours, traced, traces, floor) =
            (Arc::clone(&ours), Arc::clone(&traced), Arc::clone(&traces), Arc::clone(&floor));
        let declared = Arc::clone(&traced);
        vec![
            (Side::Ours, timed(move |i| ours.request_duration_seconds(method(i), status(i)).observe(SECONDS[i]))),
            (
                Side::Declared,
                timed(move |i| declared.request_duration_seconds(method(i), status(i)).observe(SECONDS[i])),
            ),
            (
                Side::Exemplar,
                timed(move |i| {
                    _ = traced
                        .request_duration_seconds(method(i), status(i))
                        .observe_with_exemplar(SECONDS[i], &[("trace_id", &traces[i])])
                }),
            ),
            (Side::Floor, timed(move |i| _ = floor[cell(i)].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    let client_routes = black_box(ClientFamily::<ClientRoute, ClientCounter>::default());
    let measured_routes = Arc::new(black_box(measured::CounterVec::<MeasuredRouteSet>::new()));
    let open = {
        let (ours, hand, floor) = (Arc::clone(&ours), Arc::clone(&hand), Arc::clone(&route_floor));
        vec![
            (
                Side::Client,
                timed(move |i| {
                    _ = client_routes.get_or_create(&ClientRoute { verb: VERBS[i % 2], route: ROUTES[i] }).inc()
                }),
            ),
            (
                Side::Measured,
                timed(move |i| measured_routes.inc(MeasuredRoute { verb: VERBS[i % 2], route: ROUTES[i] })),
            ),
            (Side::Ours, timed(move |i| ours.route_requests_total(VERBS[i % 2], ROUTES[i]).inc())),
            (
                Side::Original,
                timed(move |i| hand.route_requests_total.with_label_values(&[VERBS[i % 2], ROUTES[i]]).inc()),
            ),
            (Side::Floor, timed(move |i| _ = floor[i * 2 + i % 2].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    let removable = {
        let (ours, permanent, hand) = (Arc::clone(&ours), Arc::clone(&ours), Arc::clone(&hand));
        vec![
            (Side::Ours, timed(move |i| ours.removable_route_requests_total(VERBS[i % 2], ROUTES[i]).inc())),
            (Side::Permanent, timed(move |i| permanent.route_requests_total(VERBS[i % 2], ROUTES[i]).inc())),
            (
                Side::Original,
                timed(move |i| hand.route_requests_total.with_label_values(&[VERBS[i % 2], ROUTES[i]]).inc()),
            ),
        ]
    };
    // A series removed and created again by its next record: the churn of labels that come and go.
    let churn = {
        let (ours, hand) = (Arc::clone(&ours), Arc::clone(&hand));
        vec![
            (
                Side::Ours,
                timed(move |i| {
                    ours.removable_route_requests_total(VERBS[i % 2], ROUTES[i]).inc();
                    ours.remove_removable_route_requests_total(VERBS[i % 2], ROUTES[i]);
                }),
            ),
            (
                Side::Original,
                timed(move |i| {
                    hand.route_requests_total.with_label_values(&[VERBS[i % 2], ROUTES[i]]).inc();
                    _ = hand.route_requests_total.remove_label_values(&[VERBS[i % 2], ROUTES[i]]);
                }),
            ),
        ]
    };
    let status = {
        let ours = Arc::new(black_box(StatusMetrics::register(&solti_metrics::Registry::new()).expect("u16 set")));
        let by_enum =
            Arc::new(black_box(StatusEnumMetrics::register(&solti_metrics::Registry::new()).expect("enum set")));
        let floor: Arc<[AtomicU64; ARGS]> = Arc::new(core::array::from_fn(|_| AtomicU64::new(0)));
        vec![
            (Side::Ours, timed(move |i| ours.responses_total(CODES[i]).inc())),
            (Side::Enum, timed(move |i| by_enum.responses_total(Code::ALL[i]).inc())),
            (Side::Floor, timed(move |i| _ = floor[i].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    vec![
        Case {
            name: "status_u16",
            what: "derived set, `IntCounterVec`, a `u16` label (HTTP status) vs the same as an enum",
            threaded: false,
            sides: status,
            target: (None, None),
            more: vec![Ratio::new(Side::Ours, Side::Enum, Target::AtMost(2.0))],
        },
        Case {
            name: "typed_counter",
            what: "derived set, `IntCounterVec`, 2 enum labels",
            threaded: false,
            sides: counter,
            target: (None, Some(1.3)),
            more: Vec::new(),
        },
        Case {
            name: "typed_histogram",
            what: "derived set, `HistogramVec`, 2 enum labels",
            threaded: false,
            sides: histogram,
            target: (None, None),
            more: Vec::new(),
        },
        Case {
            name: "exemplar_counter",
            what: "derived set, `IntCounterVec`, 2 enum labels: `inc` vs the same with exemplars",
            threaded: false,
            sides: exemplar_counter,
            target: (None, None),
            more: vec![
                Ratio::new(Side::Declared, Side::Ours, Target::None),
                Ratio::new(Side::Exemplar, Side::Ours, Target::None),
            ],
        },
        Case {
            name: "exemplar_histogram",
            what: "derived set, `HistogramVec`, 2 enum labels: `observe` vs the same with exemplars",
            threaded: false,
            sides: exemplar_histogram,
            target: (None, None),
            more: vec![
                Ratio::new(Side::Declared, Side::Ours, Target::None),
                Ratio::new(Side::Exemplar, Side::Ours, Target::None),
            ],
        },
        Case {
            name: "native_histogram",
            what: "derived set, `HistogramVec`, 2 enum labels: classic buckets, native ones, both; prometheus-client's histograms, one series each",
            threaded: false,
            sides: native_histograms,
            target: (None, None),
            more: vec![
                Ratio::new(Side::Native, Side::Ours, Target::AtMost(1.5)),
                Ratio::new(Side::Both, Side::Ours, Target::AtMost(1.5)),
                Ratio::new(Side::ClientNative, Side::Native, Target::None),
                Ratio::new(Side::Client, Side::Ours, Target::None),
            ],
        },
        Case {
            name: "open_labels",
            what: "derived set, `IntCounterVec`, 2 `&str` labels",
            threaded: false,
            sides: open,
            // Ours faster than `with_label_values` and than prometheus-client.
            target: (Some(1.0), None),
            more: vec![
                Ratio::new(Side::Client, Side::Ours, Target::AtLeast(1.0)),
                Ratio::new(Side::Measured, Side::Ours, Target::None),
            ],
        },
        Case {
            name: "removable_open_labels",
            what: "derived set, `IntCounterVec`, 2 `&str` labels, `removable` (a lease per record)",
            threaded: false,
            sides: removable,
            target: (None, None),
            more: vec![Ratio::new(Side::Ours, Side::Permanent, Target::None)],
        },
        Case {
            name: "remove_and_recreate",
            what: "one record that creates an open series, then its removal (`remove_label_values` for prometheus)",
            threaded: false,
            sides: churn,
            target: (None, None),
            more: Vec::new(),
        },
    ]
}

/// A label struct against the tuple of the same labels: `HttpMetrics` against
/// `LabelStructMetrics`, the same metrics.
fn label_struct_cases() -> Vec<Case> {
    let tuples = Arc::new(black_box(HttpMetrics::register(&Registry::new()).expect("derived set")));
    let structs =
        Arc::new(black_box(LabelStructMetrics::register(&solti_metrics::Registry::new()).expect("label struct set")));
    let method = |i: usize| Method::ALL[i % 4];
    let status = |i: usize| Status::ALL[(i / 4) % 3];
    let cell = move |i: usize| method(i) as usize * 3 + status(i) as usize;
    let dense = {
        let (tuple, by_struct) = (Arc::clone(&tuples), Arc::clone(&structs));
        let floor: Arc<[AtomicU64; 12]> = Arc::new(Default::default());
        vec![
            (Side::Ours, timed(move |i| tuple.requests_total(method(i), status(i)).inc())),
            (
                Side::Struct,
                timed(move |i| by_struct.requests_total(Call { method: method(i), status: status(i) }).inc()),
            ),
            (Side::Floor, timed(move |i| _ = floor[cell(i)].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    let open = {
        let (tuple, by_struct) = (Arc::clone(&tuples), Arc::clone(&structs));
        let floor: Arc<[AtomicU64; 2 * ARGS]> = Arc::new(core::array::from_fn(|_| AtomicU64::new(0)));
        vec![
            (Side::Ours, timed(move |i| tuple.route_requests_total(VERBS[i % 2], ROUTES[i]).inc())),
            (
                Side::Struct,
                timed(move |i| {
                    by_struct.route_requests_total(RouteLabels { verb: VERBS[i % 2], route: ROUTES[i] }).inc()
                }),
            ),
            (Side::Floor, timed(move |i| _ = floor[i * 2 + i % 2].fetch_add(1, Ordering::Relaxed))),
        ]
    };
    vec![
        Case {
            name: "struct_dense",
            what: "derived set, `IntCounterVec`, 2 enum labels as arguments vs as a label struct",
            threaded: false,
            sides: dense,
            target: (None, None),
            more: vec![Ratio::new(Side::Struct, Side::Ours, Target::AtMost(1.1))],
        },
        Case {
            name: "struct_open",
            what: "derived set, `IntCounterVec`, 2 `&str` labels as arguments vs as a label struct",
            threaded: false,
            sides: open,
            target: (None, None),
            more: vec![Ratio::new(Side::Struct, Side::Ours, Target::AtMost(1.1))],
        },
    ]
}

fn encode(registry: &Registry) -> String {
    TextEncoder::new().encode_to_string(&registry.gather()).expect("text exposition")
}

/// Exposition of 18 runner series, and of `series` series of a derived set vs by hand. Each
/// pair is checked to export the same text before it is timed.
fn gather_cases() -> Vec<Case> {
    let mut cases = Vec::new();

    let ours = PrometheusMetrics::new_isolated().expect("our backend");
    let original = solti_prometheus::PrometheusMetrics::new_isolated().expect("the original backend");
    for backend in [&ours as &dyn MetricsBackend, &original] {
        for (i, runner) in RUNNERS.into_iter().enumerate() {
            backend.record_task_started(runner);
            backend.record_runner_error(runner, ERRORS[i]);
            for outcome in [TaskOutcome::Success, TaskOutcome::Failure] {
                backend.record_task_completed(runner, outcome, DURATIONS_MS[i * 5]);
            }
        }
    }
    let (ours, original) = (Arc::clone(ours.registry()), Arc::clone(original.registry()));
    assert_eq!(encode(&ours), encode(&original), "runner exposition differs");
    cases.push(gather_case("gather_18_series", "runner backend, 18 series", ours, original));

    for (name, what, series) in [
        ("gather_100_series", "derived set, 50 counters + 50 histograms", 100),
        ("gather_1000_series", "derived set, 500 counters + 500 histograms", 1_000),
    ] {
        let ours = Arc::new(Registry::new());
        let original = Arc::new(Registry::new());
        let set = GatherMetrics::register(&ours).expect("derived set");
        let (jobs, duration) = gather_hand(&original).expect("hand-written set");
        for job in 0..series / 2 {
            let label = format!("job_{job:04}");
            let seconds = SECONDS[job % ARGS] * 10.0;
            set.jobs_total(&label).inc_by(job as u64 + 1);
            set.job_duration_seconds(&label).observe(seconds);
            jobs.with_label_values(&[&label]).inc_by(job as u64 + 1);
            duration.with_label_values(&[&label]).observe(seconds);
        }
        assert_eq!(encode(&ours), encode(&original), "{name}: exposition differs");
        cases.push(gather_case(name, what, ours, original));
    }
    cases
}

fn gather_case(name: &'static str, what: &'static str, ours: Arc<Registry>, original: Arc<Registry>) -> Case {
    let sides: Vec<(Side, Run)> = vec![
        (Side::Ours, timed(move |_| _ = black_box(encode(&ours)))),
        (Side::Original, timed(move |_| _ = black_box(encode(&original)))),
    ];
    // Ours must not be slower: original/ours >= 1.0.
    Case { name, what, threaded: false, sides, target: (Some(1.0), None), more: Vec::new() }
}

/// Every case, or only those `only` names (building the exposition cases takes a while).
fn all_cases(only: Option<&str>) -> Vec<Case> {
    let mut cases = backend_cases();
    cases.extend(typed_cases());
    cases.extend(label_struct_cases());
    if only.is_none_or(|name| name.starts_with("gather_")) {
        cases.extend(gather_cases());
    }
    cases.retain(|case| only.is_none_or(|name| case.name == name));
    cases
}

// ---------------------------------------------------------------------------------------------
// Statistics and the report.

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// `median [p10 .. p90]` of a set of per-round ratios.
struct Spread {
    median: f64,
    low: f64,
    high: f64,
}

fn spread(mut values: Vec<f64>) -> Spread {
    let median = median(&mut values);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Spread { median, low: at(0.1), high: at(0.9) }
}

fn format_ns(ns: f64) -> String {
    if ns >= 100_000.0 {
        format!("{:.0} µs", ns / 1000.0)
    } else if ns >= 100.0 {
        format!("{ns:.0}")
    } else {
        format!("{ns:.1}")
    }
}

fn main() {
    let options = options::options(options::Options {
        rounds: 31,
        target_ms: 10.0,
        case: None,
        side: None,
        iters: 100_000,
        list: false,
    });
    let cases = all_cases(options.case.as_deref());

    if options.list {
        for case in &cases {
            let sides: Vec<&str> = case.sides.iter().map(|(side, _)| side.name()).collect();
            println!("{}\t{}\t{}", case.name, if case.threaded { "threads" } else { "single" }, sides.join(","));
        }
        return;
    }

    if let Some(name) = &options.case {
        // One side of one case, for callgrind: no warm-up beyond the first record, no output
        // beyond a line to say what ran.
        let side = options.side.as_deref().unwrap_or("ours");
        let case = cases.iter().find(|case| case.name == name).unwrap_or_else(|| panic!("no case `{name}`"));
        let (_, run) =
            case.sides.iter().find(|(s, _)| s.name() == side).unwrap_or_else(|| panic!("no side `{side}` in `{name}`"));
        run(0);
        let elapsed = run(options.iters);
        eprintln!("{name} {side}: {} iterations in {elapsed:?}", options.iters);
        return;
    }

    // Calibrate: iterations per side so that one measurement takes about `target_ms`.
    let target = Duration::from_secs_f64(options.target_ms / 1000.0);
    let iters: Vec<Vec<u64>> = cases
        .iter()
        .map(|case| {
            case.sides
                .iter()
                .map(|(_, run)| {
                    run(0);
                    let mut n = 1u64;
                    loop {
                        let elapsed = run(n);
                        if elapsed >= target / 8 || n >= 1 << 30 {
                            let per = elapsed.as_secs_f64() / n as f64;
                            break ((target.as_secs_f64() / per.max(1e-12)) as u64).clamp(1, 1 << 32);
                        }
                        n *= 4;
                    }
                })
                .collect()
        })
        .collect();

    // ns per operation, per case, per side, per round.
    let mut samples: Vec<Vec<Vec<f64>>> =
        cases.iter().map(|case| vec![Vec::with_capacity(options.rounds); case.sides.len()]).collect();
    for round in 0..options.rounds {
        for (c, case) in cases.iter().enumerate() {
            let n = case.sides.len();
            for k in 0..n {
                let s = (k + round) % n;
                let elapsed = case.sides[s].1(iters[c][s]);
                samples[c][s].push(elapsed.as_secs_f64() * 1e9 / iters[c][s] as f64);
            }
        }
        eprint!("\rround {}/{}", round + 1, options.rounds);
    }
    eprintln!();

    report(&cases, &samples, &options);
}

fn report(cases: &[Case], samples: &[Vec<Vec<f64>>], options: &options::Options) {
    println!(
        "{} rounds; ns per operation are medians over rounds; ratios are medians of per-round ratios, [p10 .. p90]",
        options.rounds
    );
    println!();
    println!("| case | ours ns | original ns | floor ns | original / ours | ours / floor | target | holds |");
    println!("|---|---:|---:|---:|---:|---:|---|---|");
    let mut failed = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        let index = |side: Side| case.sides.iter().position(|(s, _)| *s == side);
        let ns = |side: Side| index(side).map(|s| median(&mut samples[c][s].clone()));
        let ratio = |num: Side, den: Side| {
            let (num, den) = (index(num)?, index(den)?);
            Some(spread(samples[c][num].iter().zip(&samples[c][den]).map(|(a, b)| a / b).collect()))
        };
        let speedup = ratio(Side::Original, Side::Ours);
        let over_floor = ratio(Side::Ours, Side::Floor);
        let cell = |value: Option<f64>| value.map_or_else(|| "–".to_owned(), format_ns);
        let ratio_cell = |spread: &Option<Spread>| {
            spread
                .as_ref()
                .map_or_else(|| "–".to_owned(), |s| format!("{:.2}x [{:.2} .. {:.2}]", s.median, s.low, s.high))
        };
        let mut targets = Vec::new();
        let mut holds = true;
        if let (Some(min), Some(s)) = (case.target.0, &speedup) {
            targets.push(format!("original / ours >= {min:.2}"));
            holds &= s.median >= min;
        }
        if let (Some(max), Some(s)) = (case.target.1, &over_floor) {
            targets.push(format!("ours / floor <= {max:.1}"));
            holds &= s.median <= max;
        }
        let verdict = if targets.is_empty() {
            "".to_owned()
        } else if holds {
            "yes".to_owned()
        } else {
            failed.push(case.name);
            "**no**".to_owned()
        };
        println!(
            "| `{}` ({}) | {} | {} | {} | {} | {} | {} | {} |",
            case.name,
            case.what,
            cell(ns(Side::Ours)),
            cell(ns(Side::Original)),
            cell(ns(Side::Floor)),
            ratio_cell(&speedup),
            ratio_cell(&over_floor),
            targets.join(", "),
            verdict,
        );
    }
    println!();
    println!("| case | ratio | median [p10 .. p90] | numerator ns | denominator ns | target | holds |");
    println!("|---|---|---:|---:|---:|---|---|");
    for (c, case) in cases.iter().enumerate() {
        let index = |side: Side| case.sides.iter().position(|(s, _)| *s == side);
        for ratio in &case.more {
            let (Some(num), Some(den)) = (index(ratio.num), index(ratio.den)) else { continue };
            let values: Vec<f64> = samples[c][num].iter().zip(&samples[c][den]).map(|(a, b)| a / b).collect();
            let spread = spread(values);
            let (target, holds) = match ratio.target {
                Target::None => (String::new(), None),
                Target::AtMost(max) => (format!("<= {max:.1}"), Some(spread.median <= max)),
                Target::AtLeast(min) => (format!(">= {min:.1}"), Some(spread.median >= min)),
            };
            if holds == Some(false) {
                failed.push(case.name);
            }
            println!(
                "| `{}` | {} / {} | {:.2}x [{:.2} .. {:.2}] | {} | {} | {} | {} |",
                case.name,
                ratio.num.name(),
                ratio.den.name(),
                spread.median,
                spread.low,
                spread.high,
                format_ns(median(&mut samples[c][num].clone())),
                format_ns(median(&mut samples[c][den].clone())),
                target,
                match holds {
                    None => "",
                    Some(true) => "yes",
                    Some(false) => "**no**",
                },
            );
        }
    }
    println!();
    if failed.is_empty() {
        println!("every timed target holds");
    } else {
        println!("targets not met: {}", failed.join(", "));
    }
}
