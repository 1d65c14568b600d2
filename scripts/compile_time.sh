#!/usr/bin/env bash
# Compile-time cost of the derive, in two parts:
#
#   - scale: one `#[derive(MetricsSet)]` set of 50, 200 and 500 metrics, built in release, and
#     the largest also in debug. The generated `register` builds each metric in its own `let`,
#     so the time grows linearly with the number of metrics; a 500-metric set must build in
#     release in 15 s or less.
#   - compare: a fixture of 100 metrics in 10 sets, declared with `#[derive(MetricsSet)]`,
#     against the same 100 metrics written by hand against prometheus.
#
#   scripts/compile_time.sh            # both parts
#   scripts/compile_time.sh scale      # one part only: `scale` or `compare`
#   RUNS=5 SIZES="50 100 200 500" LIMIT=300 scripts/compile_time.sh scale
#
# Prints, in seconds (wall clock):
#   scale:
#   - the set's crate alone (its dependencies are built beforehand), release, for each size in
#     SIZES (default 50 200 500), then debug for the largest size; a build that runs longer
#     than LIMIT seconds (default 600) is stopped and reported as such;
#   compare (dev profile):
#   - `cargo build -p solti-metrics-derive` from clean (syn, quote, proc-macro2 and the derive);
#   - each fixture from clean (all its dependencies included);
#   - each fixture's incremental rebuild after one help string of one set changes (median of
#     RUNS, default 3).
# The fixtures and their target directories live under target/compile-time/ and are generated
# afresh on every run; dependencies are resolved offline from the workspace's Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-3}
SIZES=${SIZES:-50 200 500}
LIMIT=${LIMIT:-600}
part=${1:-all}
case $part in
    all | scale | compare) ;;
    *)
        echo "usage: $0 [scale|compare]" >&2
        exit 2
        ;;
esac
work=$root/target/compile-time
export CARGO_TERM_COLOR=never
rm -rf "$work"
mkdir -p "$work"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---------------------------------------------------------------------------------------------
# The fixtures. Each set: 4 counters with two enum labels, 2 histograms with one enum label,
# 1 counter with an open string label, 2 gauges, 1 plain counter: 10 metrics.

# A fixture's main.rs: registers its ten sets in one registry, records into each, prints the
# exposition. Arguments: the fixture's folder, its error type, its `use` lines.
# A fixture's folder with its Cargo.toml and the workspace's Cargo.lock. Arguments: the
# folder, the fixture's name (`fixture-NAME`), its one dependency line.
gen_manifest() {
    local dir=$1 name=$2 dependency=$3
    mkdir -p "$dir/src"
    {
        printf '[package]\nname = "fixture-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n' "$name"
        printf '[dependencies]\n%s\n\n[workspace]\n' "$dependency"
    } >"$dir/Cargo.toml"
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
}

gen_main() {
    local dir=$1 error=$2
    shift 2
    {
        echo '#![allow(dead_code)]'
        printf '%s\n' "$@"
        for s in $(seq 0 9); do echo "mod set_$s;"; done
        echo "fn main() -> Result<(), $error> {"
        echo '    let registry = Registry::new();'
        for s in $(seq 0 9); do
            echo "    let m$s = set_$s::Set$s::register(&registry)?;"
            echo "    set_$s::record(&m$s);"
        done
        echo '    print!("{}", TextEncoder::new().encode_to_string(&registry.gather())?);'
        echo '    Ok(())'
        echo '}'
    } >"$dir/src/main.rs"
}

gen_derived() {
    local dir=$work/derived
    gen_manifest "$dir" derived "solti-metrics = { path = \"$root/solti-metrics\", default-features = false }"
    gen_main "$dir" solti_metrics::prometheus::Error \
        'use solti_metrics::prometheus::{Registry, TextEncoder};' 'use solti_metrics::MetricsSet as _;'
    for s in $(seq 0 9); do
        {
            echo 'use solti_metrics::{Counter, HistogramVec, IntCounterVec, IntGauge, LabelValue, MetricsSet};'
            echo
            echo '#[derive(Clone, Copy, LabelValue)]'
            echo 'pub enum Kind { Alpha, Beta, Gamma }'
            echo '#[derive(Clone, Copy, LabelValue)]'
            echo 'pub enum Outcome { Ok, Failed, Canceled, TimedOut }'
            echo
            echo "/// Set $s."
            echo '#[derive(MetricsSet)]'
            echo "#[metrics(namespace = \"fixture\", subsystem = \"set_$s\")]"
            echo "pub struct Set$s {"
            for c in 0 1 2 3; do
                echo "    /// Events of kind $c in set $s."
                echo '    #[metric(labels(kind: Kind, outcome: Outcome))]'
                echo "    events_${c}_total: IntCounterVec,"
            done
            for h in 0 1; do
                echo "    /// Duration $h in set $s."
                echo '    #[metric(labels(kind: Kind), buckets(0.01, 0.1, 1.0, 10.0))]'
                echo "    duration_${h}_seconds: HistogramVec,"
            done
            echo "    /// Requests by path in set $s."
            echo '    #[metric(labels(path))]'
            echo '    requests_total: IntCounterVec,'
            for g in 0 1; do
                echo "    /// Gauge $g in set $s."
                echo "    level_$g: IntGauge,"
            done
            echo "    /// Restarts in set $s."
            echo '    restarts_total: Counter,'
            echo '}'
            echo
            echo "pub fn record(m: &Set$s) {"
            for c in 0 1 2 3; do echo "    m.events_${c}_total(Kind::Beta, Outcome::Failed).inc();"; done
            for h in 0 1; do echo "    m.duration_${h}_seconds(Kind::Gamma).observe(0.5);"; done
            echo '    m.requests_total("/").inc();'
            for g in 0 1; do echo "    m.level_$g().set(3);"; done
            echo '    m.restarts_total().inc();'
            echo '}'
        } >"$dir/src/set_$s.rs"
    done
}

gen_hand() {
    local dir=$work/hand
    gen_manifest "$dir" hand "prometheus = \"0.14\""
    gen_main "$dir" prometheus::Error 'use prometheus::{Registry, TextEncoder};'
    for s in $(seq 0 9); do
        {
            echo 'use prometheus::{Counter, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};'
            echo
            echo '#[derive(Clone, Copy)]'
            echo 'pub enum Kind { Alpha, Beta, Gamma }'
            echo 'impl Kind {'
            echo '    fn as_str(self) -> &'"'"'static str { match self { Self::Alpha => "alpha", Self::Beta => "beta", Self::Gamma => "gamma" } }'
            echo '}'
            echo '#[derive(Clone, Copy)]'
            echo 'pub enum Outcome { Ok, Failed, Canceled, TimedOut }'
            echo 'impl Outcome {'
            echo '    fn as_str(self) -> &'"'"'static str {'
            echo '        match self { Self::Ok => "ok", Self::Failed => "failed", Self::Canceled => "canceled", Self::TimedOut => "timed_out" }'
            echo '    }'
            echo '}'
            echo
            echo "pub struct Set$s {"
            for c in 0 1 2 3; do echo "    events_${c}_total: IntCounterVec,"; done
            for h in 0 1; do echo "    duration_${h}_seconds: HistogramVec,"; done
            echo '    requests_total: IntCounterVec,'
            for g in 0 1; do echo "    level_$g: IntGauge,"; done
            echo '    restarts_total: Counter,'
            echo '}'
            echo
            echo "impl Set$s {"
            echo '    pub fn register(registry: &Registry) -> prometheus::Result<Self> {'
            echo "        let opts = |name: &str, help: &str| Opts::new(name, help).namespace(\"fixture\").subsystem(\"set_$s\");"
            echo '        let set = Self {'
            for c in 0 1 2 3; do
                echo "            events_${c}_total: IntCounterVec::new(opts(\"events_${c}_total\", \"Events of kind $c in set $s.\"), &[\"kind\", \"outcome\"])?,"
            done
            for h in 0 1; do
                echo "            duration_${h}_seconds: HistogramVec::new("
                echo "                HistogramOpts::from(opts(\"duration_${h}_seconds\", \"Duration $h in set $s.\")).buckets(vec![0.01, 0.1, 1.0, 10.0]),"
                echo '                &["kind"],'
                echo '            )?,'
            done
            echo "            requests_total: IntCounterVec::new(opts(\"requests_total\", \"Requests by path in set $s.\"), &[\"path\"])?,"
            for g in 0 1; do echo "            level_$g: IntGauge::with_opts(opts(\"level_$g\", \"Gauge $g in set $s.\"))?,"; done
            echo "            restarts_total: Counter::with_opts(opts(\"restarts_total\", \"Restarts in set $s.\"))?,"
            echo '        };'
            for c in 0 1 2 3; do echo "        registry.register(Box::new(set.events_${c}_total.clone()))?;"; done
            for h in 0 1; do echo "        registry.register(Box::new(set.duration_${h}_seconds.clone()))?;"; done
            echo '        registry.register(Box::new(set.requests_total.clone()))?;'
            for g in 0 1; do echo "        registry.register(Box::new(set.level_$g.clone()))?;"; done
            echo '        registry.register(Box::new(set.restarts_total.clone()))?;'
            echo '        Ok(set)'
            echo '    }'
            echo '}'
            echo
            echo "pub fn record(m: &Set$s) {"
            for c in 0 1 2 3; do
                echo "    m.events_${c}_total.with_label_values(&[Kind::Beta.as_str(), Outcome::Failed.as_str()]).inc();"
            done
            for h in 0 1; do echo "    m.duration_${h}_seconds.with_label_values(&[Kind::Gamma.as_str()]).observe(0.5);"; done
            echo '    m.requests_total.with_label_values(&["/"]).inc();'
            for g in 0 1; do echo "    m.level_$g.set(3);"; done
            echo '    m.restarts_total.inc();'
            echo '}'
        } >"$dir/src/set_$s.rs"
    done
}

# One set of N metrics: the ten metrics of a fixture set repeated N / 10 times. `main`
# registers it, records into every metric and prints the exposition's length.
gen_scale() {
    local dir=$work/scale size=$1
    gen_manifest "$dir" scale "solti-metrics = { path = \"$root/solti-metrics\", default-features = false }"
    {
        echo '#![allow(dead_code)]'
        echo 'use solti_metrics::prometheus::{Registry, TextEncoder};'
        echo 'use solti_metrics::{Counter, HistogramVec, IntCounterVec, IntGauge, LabelValue, MetricsSet};'
        echo
        echo '#[derive(Clone, Copy, LabelValue)]'
        echo 'enum Kind { Alpha, Beta, Gamma }'
        echo '#[derive(Clone, Copy, LabelValue)]'
        echo 'enum Outcome { Ok, Failed, Canceled, TimedOut }'
        echo
        echo "/// $size metrics."
        echo '#[derive(MetricsSet)]'
        echo '#[metrics(namespace = "fixture")]'
        echo 'struct Scale {'
        for g in $(seq 0 $((size / 10 - 1))); do
            for c in 0 1 2 3; do
                echo "    /// Events of kind $c in group $g."
                echo '    #[metric(labels(kind: Kind, outcome: Outcome))]'
                echo "    events_${g}_${c}_total: IntCounterVec,"
            done
            for h in 0 1; do
                echo "    /// Duration $h in group $g."
                echo '    #[metric(labels(kind: Kind), buckets(0.01, 0.1, 1.0, 10.0))]'
                echo "    duration_${g}_${h}_seconds: HistogramVec,"
            done
            echo "    /// Requests by path in group $g."
            echo '    #[metric(labels(path))]'
            echo "    requests_${g}_total: IntCounterVec,"
            for l in 0 1; do
                echo "    /// Gauge $l in group $g."
                echo "    level_${g}_$l: IntGauge,"
            done
            echo "    /// Restarts in group $g."
            echo "    restarts_${g}_total: Counter,"
        done
        echo '}'
        echo
        echo 'fn main() -> Result<(), solti_metrics::prometheus::Error> {'
        echo '    let registry = Registry::new();'
        echo '    let m = Scale::register(&registry)?;'
        for g in $(seq 0 $((size / 10 - 1))); do
            for c in 0 1 2 3; do echo "    m.events_${g}_${c}_total(Kind::Beta, Outcome::Failed).inc();"; done
            for h in 0 1; do echo "    m.duration_${g}_${h}_seconds(Kind::Gamma).observe(0.5);"; done
            echo "    m.requests_${g}_total(\"/\").inc();"
            for l in 0 1; do echo "    m.level_${g}_$l().set(3);"; done
            echo "    m.restarts_${g}_total().inc();"
        done
        echo '    println!("{} bytes", TextEncoder::new().encode_to_string(&registry.gather())?.len());'
        echo '    Ok(())'
        echo '}'
    } >"$dir/src/main.rs"
}

# Builds the scale fixture in profile $1 (release or dev), stopped after LIMIT seconds; prints
# the seconds it took, or that it was stopped.
build_scale() {
    local profile=$1 dir=$work/scale start status=0
    start=$(now)
    CARGO_TARGET_DIR=$dir/target timeout "$LIMIT" \
        cargo build --offline --quiet --profile "$profile" --manifest-path "$dir/Cargo.toml" || status=$?
    if [ "$status" = 124 ]; then
        echo "stopped after ${LIMIT}s"
    elif [ "$status" != 0 ]; then
        echo "the $profile build failed" >&2
        exit 1
    else
        echo "$(elapsed "$start")s"
    fi
}

scale() {
    local size largest profile result
    largest=$(printf '%s\n' $SIZES | sort -n | tail -1)
    # Dependencies first, so each measured build compiles the set's crate alone.
    gen_scale 10
    for profile in release dev; do
        CARGO_TARGET_DIR=$work/scale/target cargo build --offline --quiet --profile "$profile" \
            --manifest-path "$work/scale/Cargo.toml"
    done
    for size in $SIZES; do
        gen_scale "$size"
        echo "one set of $size metrics, release: $(build_scale release)"
    done
    gen_scale "$largest"
    result=$(build_scale dev)
    echo "one set of $largest metrics, debug: $result"
    # The set registers and exports: the measured code is the code that runs.
    case $result in
        stopped*) ;;
        *) echo "  it runs and exports $("$work/scale/target/debug/fixture-scale")" ;;
    esac
}


# ---------------------------------------------------------------------------------------------
# Measurements.

# Every build has a target directory of its own, so "from clean" is from clean.
build() { CARGO_TARGET_DIR=$1/target cargo build --offline --quiet --manifest-path "$1/Cargo.toml"; }

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average: /load /')"
echo "$(rustc --version)"
echo

if [ "$part" != compare ]; then
    scale
    [ "$part" = scale ] && exit 0
    echo
fi

gen_derived
gen_hand

start=$(now)
CARGO_TARGET_DIR=$work/target-derive cargo build --offline --quiet -p solti-metrics-derive
derive_clean=$(elapsed "$start")
echo "solti-metrics-derive from clean (with syn, quote, proc-macro2): ${derive_clean}s"

for fixture in derived hand; do
    dir=$work/$fixture
    start=$(now)
    build "$dir"
    clean=$(elapsed "$start")
    "$dir/target/debug/fixture-$fixture" >"$work/$fixture.txt"
    times=()
    for run in $(seq 1 "$RUNS"); do
        # One edit in one set: its first help string changes.
        sed -i "0,/in set 0\./s//in set 0 (edit $run)./" "$dir/src/set_0.rs"
        start=$(now)
        build "$dir"
        times+=("$(elapsed "$start")")
    done
    incremental=$(printf '%s\n' "${times[@]}" | median)
    echo "fixture $fixture: from clean ${clean}s (all dependencies), incremental rebuild ${incremental}s (median of ${times[*]})"
done
if cmp -s "$work/derived.txt" "$work/hand.txt"; then
    echo "both fixtures export the same text ($(wc -c <"$work/hand.txt") bytes)"
else
    echo "the fixtures' expositions differ: diff $work/derived.txt $work/hand.txt" >&2
    exit 1
fi
