#!/usr/bin/env bash
# End to end against a real Prometheus server: the `serve` example's /metrics passes
# `promtool check metrics` (Prometheus text) and the OpenMetrics parser of the Prometheus
# Python client (OpenMetrics), a Prometheus 2.x on loopback scrapes it every second, with
# native histograms on, so negotiating the protobuf format, and what the query API returns
# matches, series by series, what the example says it recorded. Prometheus runs with exemplar
# storage: the exemplars the example records on its HTTP metrics, with the trace id of a
# request's `traceparent` header, come back from `/api/v1/query_exemplars`. A client seen once
# is removed from the exposition by expiry (`expire_after`) and goes stale in Prometheus, and
# the info metric `demo_build_info` arrives. The request-metrics layer counts by route
# template. (`scale.sh` has Prometheus scrape OpenMetrics.)
#
# Usage: tests/e2e/prometheus.sh   (from anywhere; installs Debian's `prometheus` when missing)
# Needs: bash, cargo, curl, python3; root and apt-get if prometheus/promtool are missing
# (tests/e2e/install-prometheus.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly TASKS=600        # simulated tasks after the start burst
readonly INTERVAL_MS=25   # one task every 25 ms: the loop spans about 15 scrapes

e2e_name=e2e
# shellcheck source=tests/e2e/lib.sh
source tests/e2e/lib.sh

# ---------------------------------------------------------------------------------------------
install_servers

log "building the serve example"
serve_bin=$(example_bin serve)
[ -x "$serve_bin" ] || fail "no serve executable found"

read -r serve_port prometheus_port < <(free_ports 2)
target="127.0.0.1:$serve_port"

# ---------------------------------------------------------------------------------------------
# Prometheus first, so that it is already scraping (and finding the target down) when the
# example starts: it then sees the simulated tasks arrive, not only their totals.
log "starting prometheus on 127.0.0.1:$prometheus_port, scraping $target every second"
run_start=$(date +%s)
start_prometheus "$prometheus_port" "  - job_name: serve
    static_configs:
      - targets: [\"$target\"]" --enable-feature=exemplar-storage --enable-feature=native-histograms

log "starting the serve example: $TASKS tasks, one every ${INTERVAL_MS} ms"
start serve "$serve_bin" --port "$serve_port" --tasks "$TASKS" --interval-ms "$INTERVAL_MS" --duration 300
serve_pid=$started_pid
wait_for 30 "the example to listen" grep -q '^listening on ' "$work/serve.log"
grep -qx "listening on http://$target/metrics" "$work/serve.log" ||
    fail "unexpected listening line: $(head -n 1 "$work/serve.log")"
log "$(head -n 1 "$work/serve.log")"

# ---------------------------------------------------------------------------------------------
log "promtool check metrics on GET /metrics"
curl -fsS --max-time 10 -D "$work/headers" -o "$work/first.prom" "http://$target/metrics"
content_type=$(tr -d '\r' <"$work/headers" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p')
[ "$content_type" = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores" ] || fail "content type: \`$content_type\`"
grep -q '^solti_runner_tasks_started_total{' "$work/first.prom" || fail "no solti_runner series served"
# The UTF-8 name, escaped for a scraper that names no escaping.
grep -q '^demo_task_duration_bucket{le="0.001"} ' "$work/first.prom" || fail "demo.task.duration is not escaped to demo_task_duration"
lint() { # lint FILE: promtool check metrics, no findings allowed
    if ! promtool check metrics <"$1" >"$work/promtool.log" 2>&1 || [ -s "$work/promtool.log" ]; then
        cat "$work/promtool.log"
        fail "promtool check metrics has findings on $(basename "$1")"
    fi
}
lint "$work/first.prom"
log "content type \`$content_type\`, $(grep -vc '^#' "$work/first.prom") samples, promtool: no findings"

log "OpenMetrics on GET /metrics with Prometheus' Accept header"
accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
curl -fsS --max-time 10 -H "Accept: $accept" -D "$work/om-headers" -o "$work/first.om" "http://$target/metrics"
om_type=$(tr -d '\r' <"$work/om-headers" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p')
[ "$om_type" = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores" ] || fail "content type: \`$om_type\`"
[ "$(tail -n 1 "$work/first.om")" = "# EOF" ] || fail "the OpenMetrics exposition does not end with # EOF"
openmetrics_parse() { # openmetrics_parse FILE: the Python client's strict OpenMetrics parser
    python3 -c 'import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
print(len(families), "families,", sum(len(f.samples) for f in families), "samples")' "$1" 2>"$work/om-parse.log" ||
        { cat "$work/om-parse.log"; fail "the OpenMetrics parser rejects $(basename "$1")"; }
}
log "content type \`$om_type\`, OpenMetrics parser: $(openmetrics_parse "$work/first.om")"

# What Prometheus 3 asks for: UTF-8 names as they are, quoted, read by the Python client's
# parsers (OpenMetrics, and the Prometheus text 1.0.0).
log "UTF-8 names with Prometheus 3's Accept header"
accept3='application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
curl -fsS --max-time 10 -H "Accept: $accept3" -D "$work/utf8-headers" -o "$work/utf8.om" "http://$target/metrics"
utf8_type=$(tr -d '\r' <"$work/utf8-headers" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p')
[ "$utf8_type" = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8" ] ||
    fail "content type: \`$utf8_type\`"
grep -q '^# TYPE "demo.task.duration" histogram$' "$work/utf8.om" || fail "no quoted UTF-8 family in $(basename "$work/utf8.om")"
grep -q '^{"demo.task.duration_bucket",le="0.001"} ' "$work/utf8.om" || fail "no quoted UTF-8 sample"
curl -fsS --max-time 10 -H "Accept: text/plain;version=1.0.0;escaping=allow-utf-8" -o "$work/utf8.prom" "http://$target/metrics"
cat >"$work/utf8-parse.py" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as text
for parse, path in ((openmetrics, sys.argv[1]), (text, sys.argv[2])):
    names = {family.name for family in parse(open(path).read())}
    assert "demo.task.duration" in names, (path, sorted(names))
    assert "solti_runner_tasks_started" in names or "solti_runner_tasks_started_total" in names, (path, sorted(names))
print("both parsers read demo.task.duration")
PY
parsed=$(python3 "$work/utf8-parse.py" "$work/utf8.om" "$work/utf8.prom" 2>"$work/utf8-parse.log") ||
    { cat "$work/utf8-parse.log"; fail "the Python parsers reject the UTF-8 expositions"; }
log "content type \`$utf8_type\`; $parsed"

# ---------------------------------------------------------------------------------------------
is_one() { [ "$(scalar "$1")" = "1" ]; }

wait_for 60 "the target to be up" is_one "up{job=\"serve\"}"
log "target up"

# ---------------------------------------------------------------------------------------------
# The request-metrics layer (`solti_metrics::axum::layer`): two greetings land in one series
# under their route template, never under the raw path; a request no route matched gets the
# empty route; the layer's own view of the scrapes counts them.
curl -fsS --max-time 10 -o /dev/null "http://$target/hello/alice"
curl -fsS --max-time 10 -o /dev/null "http://$target/hello/bob"
miss_status=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://$target/nowhere")
[ "$miss_status" = 404 ] || fail "GET /nowhere answered $miss_status, expected 404"
greetings='http_server_request_duration_seconds_count{http_request_method="GET",http_route="/hello/{name}",http_response_status_code="200"}'
greeted() { [ "$(scalar "$greetings")" = "2" ]; }
wait_for 30 "prometheus to count both greetings under the route template" greeted
[ -z "$(scalar 'count(http_server_request_duration_seconds_count{http_route=~"/hello/.+",http_route!="/hello/{name}"})')" ] ||
    fail "a raw path became a route label"
is_one 'http_server_request_duration_seconds_count{http_request_method="GET",http_route="",http_response_status_code="404"}' ||
    fail "the unmatched request is not counted under the empty route"
scrapes_seen=$(scalar 'http_server_request_duration_seconds_count{http_route="/metrics",http_response_status_code="200"}')
[ -n "$scrapes_seen" ] && [ "${scrapes_seen%%.*}" -ge 1 ] || fail "the layer counted no scrape of /metrics: '$scrapes_seen'"
log "the layer: 2 greetings under /hello/{name}, the miss under the empty route, $scrapes_seen scrapes of /metrics"

# ---------------------------------------------------------------------------------------------
# One request with a trace context: its trace id is the exemplar of its counter increment and
# of its latency observation, in the exposition and then in Prometheus' exemplar storage.
trace_id=4bf92f3577b34da6a3ce929d0e0e4736
log "GET / with traceparent 00-$trace_id-00f067aa0ba902b7-01"
curl -fsS --max-time 10 -H "traceparent: 00-$trace_id-00f067aa0ba902b7-01" -o /dev/null "http://$target/"
curl -fsS --max-time 10 -H "Accept: $accept" -o "$work/traced.om" "http://$target/metrics"
grep -q "^demo_http_requests_total{method=\"get\",path=\"/\",status=\"200\"} 1 # {trace_id=\"$trace_id\"} 1.0 [0-9.]*\$" \
    "$work/traced.om" || fail "no exemplar with trace id $trace_id on the request counter in the exposition"
grep -q "^demo_http_request_duration_seconds_bucket{method=\"get\",path=\"/\",le=\"[^\"]*\"} 1 # {trace_id=\"$trace_id\"} " \
    "$work/traced.om" || fail "no exemplar with trace id $trace_id on a latency bucket in the exposition"
log "exposition: the trace id is the exemplar of the request's counter and latency bucket; OpenMetrics parser: $(openmetrics_parse "$work/traced.om")"
has_trace() { # has_trace PROMQL: the stored exemplars of PROMQL include the traced request's
    exemplars "$1" "$run_start" | grep -q "\"trace_id\":\"$trace_id\""
}
wait_for 30 "prometheus to store the traced request's exemplars" \
    has_trace 'demo_http_request_duration_seconds_bucket{path="/"}'
wait_for 10 "prometheus to store the traced request's counter exemplar" has_trace 'demo_http_requests_total{path="/"}'
log "prometheus stored the exemplars of trace $trace_id"

# ---------------------------------------------------------------------------------------------
# A client seen once and never again (`expire_after = 5` on the per-client counter): exported,
# scraped, then removed by the fifth exposition that finds it unchanged, after which Prometheus
# marks the series stale and an instant query no longer returns it.
probe=e2e-probe
curl -fsS --max-time 10 -H "X-Client: $probe" -o /dev/null "http://$target/"
wait_for 30 "prometheus to scrape the probe client's series" is_one "demo_http_client_requests_total{client=\"$probe\"}"
probe_expired() { ! curl -fsS --max-time 10 "http://$target/metrics" | grep -q "client=\"$probe\""; }
wait_for 30 "the probe client's series to expire from the exposition" probe_expired
probe_stale() { [ -z "$(scalar "demo_http_client_requests_total{client=\"$probe\"}")" ]; }
wait_for 30 "prometheus to mark the probe client's series stale" probe_stale
is_one 'count(demo_http_client_requests_total{client="anonymous"})' ||
    fail "the scrapes' own client, recorded at every scrape, should not expire"
log "the probe client's series expired from the exposition and went stale in prometheus; the busy client stays"
wait_for 10 "prometheus to have the build info" is_one 'demo_build_info{version!="",profile=~"debug|release"}'
log "demo_build_info is in prometheus, value 1"

wait_for 120 "the example to finish its $TASKS tasks" grep -qx 'expect end' "$work/serve.log"
grep '^expect ' "$work/serve.log" | grep -v '^expect end$' | cut -d' ' -f2- >"$work/expected.txt"
log "$(grep '^recorded [0-9]* tasks' "$work/serve.log"); $(wc -l <"$work/expected.txt") series expected"
curl -fsS --max-time 10 -o "$work/last.prom" "http://$target/metrics"
lint "$work/last.prom"
log "promtool check metrics on the exposition with every series: no findings"
curl -fsS --max-time 10 -H "Accept: $accept" -o "$work/last.om" "http://$target/metrics"
log "OpenMetrics parser on the exposition with every series: $(openmetrics_parse "$work/last.om")"

# The last simulated task is recorded; wait for a scrape that has it.
expected_started=$(python3 -c 'import sys
print(sum(int(float(l.rsplit(" ", 1)[1])) for l in open(sys.argv[1]) if l.startswith("solti_runner_tasks_started_total{")))' \
    "$work/expected.txt")
started_matches() { [ "$(scalar 'sum(solti_runner_tasks_started_total)')" = "$expected_started" ]; }
wait_for 30 "prometheus to scrape all $expected_started started tasks" started_matches

# ---------------------------------------------------------------------------------------------
log "comparing every solti_runner_* series in prometheus with what the example recorded"
query '{__name__=~"solti_runner_.+"}' >"$work/runner.json"
curl -fsS --max-time 10 "$api/metadata" >"$work/metadata.json"
query 'changes(solti_runner_tasks_started_total{runner="subprocess"}[10m])' >"$work/changes.json"
query 'demo_http_requests_total{method="get",path="/metrics",status="200"}' >"$work/requests.json"
query 'demo_http_request_duration_seconds_count{method="get",path="/metrics"}' >"$work/durations.json"
query 'sum_over_time(up{job="serve"}[10m])' >"$work/scrapes.json"
query 'max_over_time(demo_http_in_flight[10m]) + min_over_time(demo_http_in_flight[10m])' >"$work/in_flight.json"
query 'demo_http_expositions_total{format="protobuf"}' >"$work/protobuf.json"
query 'histogram_count(demo_task_duration)' >"$work/native-count.json"
query 'histogram_sum(demo_task_duration)' >"$work/native-sum.json"
for q in 0.5 0.9 0.99; do
    query "histogram_quantile($q, demo_task_duration)" >"$work/native-quantile-$q.json"
done
grep '^native ' "$work/serve.log" >"$work/native.txt"
exemplars 'demo_http_requests_total' "$run_start" >"$work/exemplars-requests.json"
exemplars 'demo_http_request_duration_seconds_bucket' "$run_start" >"$work/exemplars-durations.json"

python3 - "$work" "$trace_id" <<'PY'
import json, math, re, sys

work, trace_id = sys.argv[1], sys.argv[2]
failures = []

def load(name):
    answer = json.load(open(f"{work}/{name}"))
    assert answer["status"] == "success", answer
    return answer["data"]

def key(name, labels):
    # A bucket bound is a number: OpenMetrics writes `1.0` where the Prometheus text writes `1`.
    labels = {k: (repr(float(v)) if k == "le" else v) for k, v in labels.items()}
    pairs = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{pairs}}}"

def parse_series(text):
    name, _, rest = text.partition("{")
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', rest))
    return key(name, labels)

def one(name):
    result = load(name)["result"]
    if len(result) != 1:
        failures.append(f"{name}: expected one series, got {len(result)}")
        return math.nan
    return float(result[0]["value"][1])

# 1. Every series the example recorded is in Prometheus with the recorded value, and nothing else.
expected = {}
for line in open(f"{work}/expected.txt"):
    series, value = line.rsplit(" ", 1)
    expected[parse_series(series)] = float(value)
scraped = {}
for sample in load("runner.json")["result"]:
    labels = dict(sample["metric"])
    name = labels.pop("__name__")
    if labels.pop("job", None) != "serve" or "instance" not in labels:
        failures.append(f"unexpected target labels on {name}: {sample['metric']}")
    labels.pop("instance", None)
    scraped[key(name, labels)] = float(sample["value"][1])
for series in sorted(expected.keys() - scraped.keys()):
    failures.append(f"missing in prometheus: {series} (recorded {expected[series]})")
for series in sorted(scraped.keys() - expected.keys()):
    failures.append(f"not recorded by the example: {series} = {scraped[series]}")
for series in sorted(expected.keys() & scraped.keys()):
    want, got = expected[series], scraped[series]
    if not math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-9):
        failures.append(f"{series}: prometheus has {got}, the example recorded {want}")
families = {s.split("{")[0] for s in scraped}
print(f"  {len(scraped)} series of {len(families)} names match the {len(expected)} recorded")

# 2. Types and help: the runner backend's as its contract fixes them (DESIGN 3), the HTTP set's as declared.
contract = {
    "solti_runner_tasks_started_total": ("counter", "Total number of tasks started"),
    "solti_runner_tasks_completed_total": ("counter", "Total number of tasks completed"),
    "solti_runner_task_duration_seconds": ("histogram", "Task execution duration in seconds"),
    "solti_runner_errors_total": ("counter", "Total runner-level errors"),
    # The example's own HTTP set, declared in examples/serve.rs.
    "demo_http_requests_total": ("counter", "Total HTTP requests answered."),
    "demo_http_request_duration_seconds": ("histogram", "HTTP request duration in seconds."),
    "demo_http_in_flight": ("gauge", "HTTP requests being answered."),
    # The protobuf format has no info type: an info metric travels as a gauge.
    "demo_build_info": ("gauge", "The example's version and build profile."),
}
metadata = load("metadata.json")
for name, (kind, help_text) in contract.items():
    # Scraped as OpenMetrics, a counter's family is named without `_total`, an info's without `_info`.
    family = {"counter": name.removesuffix("_total"), "info": name.removesuffix("_info")}.get(kind, name)
    entries = metadata.get(name, []) + (metadata.get(family, []) if family != name else [])
    if not any(e["type"] == kind and e["help"] == help_text for e in entries):
        failures.append(f"metadata of {name}: {entries}, expected type {kind!r} help {help_text!r}")
print(f"  type and help of the {len(contract)} metrics as declared")

# 3. Prometheus saw the counters move while the tasks were simulated, not only their totals.
changes = one("changes.json")
if not changes >= 2:
    failures.append(f"solti_runner_tasks_started_total changed {changes} times across scrapes, expected >= 2")
print(f"  tasks_started_total{{runner=\"subprocess\"}} changed {changes:.0f} times across scrapes")

# 4. The HTTP set: each scrape is counted, seen in flight, and timed.
requests, durations, scrapes, in_flight = (one(n) for n in ("requests.json", "durations.json", "scrapes.json", "in_flight.json"))
# The latest scrape sees every earlier scrape (its own request is counted after it answers)
# plus the promtool request, so it counts at least as many requests as successful scrapes.
if not requests >= scrapes:
    failures.append(f"demo_http_requests_total{{path=\"/metrics\"}} = {requests} < {scrapes} scrapes")
if requests != durations:
    failures.append(f"{requests} requests counted but {durations} durations observed")
# Every scrape is alone in flight and sees itself: min and max both 1.
if in_flight != 2:
    failures.append(f"demo_http_in_flight: max + min over the run is {in_flight}, expected 1 + 1")
print(f"  {scrapes:.0f} scrapes, {requests:.0f} /metrics requests counted and timed, in flight 1 each time")

# 5. Prometheus, with native histograms on, negotiated the protobuf format: its scrapes are
# the example's protobuf expositions (this script asked for text and OpenMetrics only). An
# exposition is counted once it is written, so the last scrape saw all but itself.
protobuf = one("protobuf.json")
if not protobuf >= scrapes - 1:
    failures.append(f"{protobuf} protobuf expositions served for {scrapes} scrapes")
print(f"  {protobuf:.0f} protobuf expositions served, {scrapes:.0f} scrapes")

# 6. Exemplars, from /api/v1/query_exemplars: the traced request's trace id on its counter
# (value 1) and on the latency bucket its duration falls in; every exemplar Prometheus stored
# for the HTTP metrics has a trace id of 32 hex digits and a value that fits its series.
traced = {"counter": 0, "bucket": 0}
stored = 0
for name, kind in (("exemplars-requests.json", "counter"), ("exemplars-durations.json", "bucket")):
    for series in load(name):
        labels = series["seriesLabels"]
        for exemplar in series["exemplars"]:
            stored += 1
            value, exemplar_trace = float(exemplar["value"]), exemplar["labels"].get("trace_id", "")
            if set(exemplar["labels"]) != {"trace_id"} or not re.fullmatch(r"[0-9a-f]{32}", exemplar_trace):
                failures.append(f"exemplar labels {exemplar['labels']} on {labels}")
            if kind == "counter" and value != 1.0:
                failures.append(f"counter exemplar of value {value} on {labels}")
            if kind == "bucket" and not value <= float(labels["le"]):
                failures.append(f"exemplar of value {value} above its bucket {labels}")
            if exemplar_trace == trace_id and labels.get("path") == "/" and labels.get("method") == "get":
                traced[kind] += 1
if not (traced["counter"] >= 1 and traced["bucket"] >= 1):
    failures.append(f"the traced request's exemplars: {traced}, expected one on its counter and one on its bucket")
if stored < 4:
    failures.append(f"only {stored} exemplars stored")
print(f"  {stored} exemplars stored for the HTTP metrics, trace ids of 32 hex digits; trace {trace_id} on its counter and its latency bucket")

# 7. The native histogram, scraped in protobuf: Prometheus' count and sum are what the example
# recorded, and its quantile estimates are within the bucket factor of the true quantiles
# (schema 3: consecutive bounds differ by 2^(1/8), about 9%).
native = {}
for line in open(f"{work}/native.txt"):
    parts = line.split()
    native[" ".join(parts[1:-1])] = float(parts[-1])
count, total = one("native-count.json"), one("native-sum.json")
if count != native["count"]:
    failures.append(f"histogram_count = {count}, recorded {native['count']}")
if not math.isclose(total, native["sum"], rel_tol=1e-9):
    failures.append(f"histogram_sum = {total}, recorded {native['sum']}")
factor = 2 ** (2 ** -3)
estimates = []
for q in ("0.5", "0.9", "0.99"):
    estimate, true = one(f"native-quantile-{q}.json"), native[f"quantile {q}"]
    estimates.append(f"q{q} {estimate:.4g} (true {true:.4g})")
    if not (true / factor <= estimate <= true * factor):
        failures.append(f"histogram_quantile({q}) = {estimate}, the true quantile is {true}: off by more than the factor {factor:.4f}")
print(f"  native histogram: count {count:.0f} and sum {total:.6g} as recorded; {', '.join(estimates)}")

if failures:
    print("\n".join(f"  MISMATCH {f}" for f in failures), file=sys.stderr)
    sys.exit(1)
PY

# ---------------------------------------------------------------------------------------------
log "stopping the example with SIGTERM"
kill -TERM "$serve_pid"
deadline=$((SECONDS + 10))
while kill -0 "$serve_pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the example did not stop within 10s of SIGTERM"
    sleep 0.1
done
serve_status=0
wait "$serve_pid" || serve_status=$?
forget "$serve_pid"
[ "$serve_status" -eq 0 ] || fail "the example exited with status $serve_status on SIGTERM"
grep -qx 'stopped' "$work/serve.log" || fail "the example did not report a clean stop"
log "example stopped cleanly (exit 0)"

log "passed in ${SECONDS}s"
