#!/usr/bin/env bash
# Cold build of a small program's metrics, solti-metrics beside its peers: each side is a crate of
# its own declaring the same two metrics (requests by method and route, a latency histogram),
# recording one value and printing the Prometheus text, built from an empty target directory.
#
#   scripts/cold_build.sh                 # every side, RUNS (default 3) cold builds each
#   RUNS=5 PROFILE=release scripts/cold_build.sh
#
# Sides: ours (solti-metrics, default features), prometheus-client 0.26, metrics 0.24 with
# metrics-exporter-prometheus 0.18 (default features off: the recorder alone, no HTTP listener),
# prometheus 0.14 (default features). Prints, per side, the crates built (the side's own crate
# included), and the wall-clock seconds of each `cargo build` from clean (minimum, median,
# maximum). Dependencies are downloaded beforehand, so the figure is compiling alone; the
# machine's cores are all used, as a user's first build uses them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-3}
PROFILE=${PROFILE:-dev}
work=$root/target/cold-build
rm -rf "$work"
mkdir -p "$work"

side() { # name, dependencies, main.rs
    mkdir -p "$work/$1/src"
    cat >"$work/$1/Cargo.toml" <<TOML
[package]
name = "cold-$1"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$2

[workspace]
TOML
    printf '%s\n' "$3" >"$work/$1/src/main.rs"
}

side ours "solti-metrics = { path = \"$root/solti-metrics\" }" '
use solti_metrics::{Format, HistogramVec, IntCounterVec, LabelValue, MetricsSet, Registry};

#[derive(Clone, Copy, LabelValue)]
enum Method { Get, Post }

#[derive(MetricsSet)]
struct Http {
    /// Requests served.
    #[metric(labels(method: Method, route))]
    requests_total: IntCounterVec,
    /// Request latency.
    #[metric(labels(method: Method), buckets(0.01, 0.1, 1.0))]
    latency_seconds: HistogramVec,
}

fn main() {
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    http.requests_total(Method::Get, "/users").inc();
    http.latency_seconds(Method::Post).observe(0.05);
    let mut out = Vec::new();
    registry.encode(&mut out, Format::Prometheus).unwrap();
    print!("{}", String::from_utf8_lossy(&out));
}'

side prometheus-client 'prometheus-client = "0.26"' '
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
enum Method { Get, Post }

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route { method: Method, route: String }

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByMethod { method: Method }

fn main() {
    let mut registry = Registry::default();
    let requests = Family::<Route, Counter>::default();
    let latency = Family::<ByMethod, Histogram>::new_with_constructor(|| Histogram::new([0.01, 0.1, 1.0]));
    registry.register("requests", "Requests served.", requests.clone());
    registry.register("latency_seconds", "Request latency.", latency.clone());
    requests.get_or_create(&Route { method: Method::Get, route: "/users".into() }).inc();
    latency.get_or_create(&ByMethod { method: Method::Post }).observe(0.05);
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    print!("{out}");
}'

side metrics-exporter-prometheus 'metrics = "0.24"
metrics-exporter-prometheus = { version = "0.18", default-features = false }' '
use metrics_exporter_prometheus::PrometheusBuilder;

fn main() {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(metrics_exporter_prometheus::Matcher::Full("latency_seconds".into()), &[0.01, 0.1, 1.0])
        .unwrap()
        .install_recorder()
        .unwrap();
    metrics::describe_counter!("requests_total", "Requests served.");
    metrics::describe_histogram!("latency_seconds", "Request latency.");
    metrics::counter!("requests_total", "method" => "GET", "route" => "/users").increment(1);
    metrics::histogram!("latency_seconds", "method" => "POST").record(0.05);
    print!("{}", handle.render());
}'

side prometheus 'prometheus = "0.14"' '
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

fn main() {
    let registry = Registry::new();
    let requests = IntCounterVec::new(Opts::new("requests_total", "Requests served."), &["method", "route"]).unwrap();
    let latency = HistogramVec::new(
        HistogramOpts::new("latency_seconds", "Request latency.").buckets(vec![0.01, 0.1, 1.0]),
        &["method"],
    )
    .unwrap();
    registry.register(Box::new(requests.clone())).unwrap();
    registry.register(Box::new(latency.clone())).unwrap();
    requests.with_label_values(&["GET", "/users"]).inc();
    latency.with_label_values(&["POST"]).observe(0.05);
    let mut out = Vec::new();
    TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
    print!("{}", String::from_utf8_lossy(&out));
}'

profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
printf '| side | crates | cold %s build, s (min / median / max of %s) |\n|---|---:|---|\n' "$PROFILE" "$RUNS"
for name in ours prometheus-client metrics-exporter-prometheus prometheus; do
    dir=$work/$name
    (cd "$dir" && cargo fetch --quiet)
    crates=$(cd "$dir" && cargo tree --quiet --edges normal,build --prefix none --format '{p}' |
        sed -e 's/ (\*)$//' -e 's/ (proc-macro)$//' | sort -u | wc -l)
    times=()
    for _ in $(seq "$RUNS"); do
        rm -rf "$dir/target"
        start=$(date +%s.%N)
        (cd "$dir" && CARGO_INCREMENTAL=0 cargo build --quiet --offline "${profile_flag[@]}")
        times+=("$(echo "$(date +%s.%N) - $start" | bc)")
    done
    # The program must run and print its two metrics.
    out=$(cd "$dir" && cargo run --quiet --offline "${profile_flag[@]}")
    for metric in requests latency_seconds_bucket; do
        grep -q "^$metric" <<<"$out" || { echo "$name printed no $metric:" >&2; echo "$out" >&2; exit 1; }
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    min=$(head -n 1 <<<"$sorted")
    max=$(tail -n 1 <<<"$sorted")
    median=$(sed -n "$(((RUNS + 1) / 2))p" <<<"$sorted")
    printf '| %s | %s | %.1f / %.1f / %.1f |\n' "$name" "$crates" "$min" "$median" "$max"
done
