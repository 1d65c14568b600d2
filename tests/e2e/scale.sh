#!/usr/bin/env bash
# Scale-out end to end, against the real servers: four instances of the `serve` example on
# ephemeral ports, each simulating its own seeded task sequence, and two runs of the `push`
# example (a short-lived job) pushing to a Pushgateway; one Prometheus scrapes the four
# instances and the gateway. Once every instance has recorded its tasks, PromQL aggregates
# over the instances must equal the totals the instances report: `sum` of the counters, the
# histogram's `_count` and `sum by (le)` of its buckets, and `histogram_quantile` over the
# aggregated buckets; the pushed series must arrive with their job and instance labels.
#
# Usage: tests/e2e/scale.sh   (from anywhere; installs the servers when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly INSTANCES=4
readonly TASKS=300        # simulated tasks per instance after its start burst
readonly INTERVAL_MS=10

e2e_name=scale
# shellcheck source=tests/e2e/lib.sh
source tests/e2e/lib.sh

install_servers
prometheus-pushgateway --version 2>&1 | head -n 1

log "building the serve and push examples"
serve_bin=$(example_bin serve)
push_bin=$(example_bin push)
[ -x "$serve_bin" ] && [ -x "$push_bin" ] || fail "example executables not found"

read -r -a ports < <(free_ports $((INSTANCES + 2)))
gateway_port=${ports[$INSTANCES]}
prometheus_port=${ports[$((INSTANCES + 1))]}
targets=""
for i in $(seq 0 $((INSTANCES - 1))); do
    targets+="${targets:+, }\"127.0.0.1:${ports[$i]}\""
done

log "starting the Pushgateway on 127.0.0.1:$gateway_port"
start pushgateway prometheus-pushgateway --web.listen-address="127.0.0.1:$gateway_port"
wait_for 30 "the Pushgateway to be ready" curl -fsS --max-time 2 "http://127.0.0.1:$gateway_port/-/ready"

log "starting prometheus, scraping $INSTANCES instances and the gateway"
start_prometheus "$prometheus_port" "  - job_name: serve
    static_configs:
      - targets: [$targets]
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: [\"127.0.0.1:$gateway_port\"]"

log "starting $INSTANCES instances: $TASKS tasks each, one every ${INTERVAL_MS} ms, seeds 1..$INSTANCES"
for i in $(seq 0 $((INSTANCES - 1))); do
    start "serve-$i" "$serve_bin" --port "${ports[$i]}" --tasks "$TASKS" --interval-ms "$INTERVAL_MS" \
        --seed "$((i + 1))" --duration 300
done
up_count() { [ "$(scalar 'count(up{job="serve"} == 1)')" = "$INSTANCES" ]; }
wait_for 60 "all $INSTANCES instances to be up" up_count
log "all $INSTANCES instances up"

log "pushing from two short-lived jobs"
"$push_bin" --gateway "http://127.0.0.1:$gateway_port" --instance db-1 --files 120 >"$work/push-1.log" 2>&1 ||
    { cat "$work/push-1.log"; fail "push db-1"; }
"$push_bin" --gateway "http://127.0.0.1:$gateway_port" --instance "db/2" --files 50 >"$work/push-2.log" 2>&1 ||
    { cat "$work/push-2.log"; fail "push db/2"; }
cat "$work/push-1.log" "$work/push-2.log" | grep '^pushed ' | grep -v '^pushed to ' | cut -d' ' -f2- |
    grep -v '_timestamp_seconds' >"$work/pushed.txt"
log "$(wc -l <"$work/pushed.txt") series pushed"

for i in $(seq 0 $((INSTANCES - 1))); do
    wait_for 120 "instance $i to finish its tasks" grep -qx 'expect end' "$work/serve-$i.log"
    grep '^expect ' "$work/serve-$i.log" | grep -v '^expect end$' | cut -d' ' -f2- >"$work/expected-$i.txt"
done
log "every instance recorded its tasks"

expected_started=$(cat "$work"/expected-*.txt | python3 -c 'import sys
print(sum(int(float(l.rsplit(" ", 1)[1])) for l in sys.stdin if l.startswith("solti_runner_tasks_started_total{")))')
started_matches() { [ "$(scalar 'sum(solti_runner_tasks_started_total)')" = "$expected_started" ]; }
wait_for 30 "prometheus to scrape all $expected_started started tasks" started_matches
pushed_arrived() { [ -n "$(scalar 'sum(backup_files_total{instance="db/2"})')" ]; }
wait_for 30 "prometheus to scrape the pushed series" pushed_arrived

log "PromQL over the instances against the instances' own totals"
query 'sum(solti_runner_tasks_started_total)' >"$work/started.json"
query 'sum(solti_runner_tasks_completed_total)' >"$work/completed.json"
query 'sum(solti_runner_errors_total)' >"$work/errors.json"
query 'sum(solti_runner_task_duration_seconds_count)' >"$work/count.json"
query 'sum(solti_runner_task_duration_seconds_sum)' >"$work/sum.json"
query 'sum by (le) (solti_runner_task_duration_seconds_bucket)' >"$work/buckets.json"
query 'histogram_quantile(0.9, sum by (le) (solti_runner_task_duration_seconds_bucket))' >"$work/p90.json"
query 'histogram_quantile(0.5, sum by (le) (solti_runner_task_duration_seconds_bucket))' >"$work/p50.json"
query 'count(count by (instance) (solti_runner_tasks_started_total))' >"$work/instances.json"
query '{job="backup"}' >"$work/backup.json"
python3 - "$work" "$INSTANCES" <<'PY'
import glob, json, math, re, sys
work, instances = sys.argv[1], int(sys.argv[2])
failures = []

def result(name):
    answer = json.load(open(f"{work}/{name}"))
    assert answer["status"] == "success", answer
    return answer["data"]["result"]

def one(name):
    rows = result(name)
    if len(rows) != 1:
        failures.append(f"{name}: expected one series, got {len(rows)}")
        return math.nan
    return float(rows[0]["value"][1])

def numeric_le(labels):
    # A bucket bound is a number, however a client or the gateway spells it (`1048576`, `1.048576e+06`).
    return {k: (repr(float(v)) if k == "le" else v) for k, v in labels.items()}

def parse(line):
    series, value = line.rsplit(" ", 1)
    name, _, rest = series.partition("{")
    return name, dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', rest)), float(value)

totals, buckets = {}, {}
for path in glob.glob(f"{work}/expected-*.txt"):
    for line in open(path):
        name, labels, value = parse(line)
        totals[name] = totals.get(name, 0.0) + value
        if name == "solti_runner_task_duration_seconds_bucket":
            le = float(labels["le"])
            buckets[le] = buckets.get(le, 0.0) + value

def check(what, got, want):
    if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
        failures.append(f"{what}: prometheus {got}, instances {want}")
    else:
        print(f"  {what} = {got:g}")

check("instances scraped", one("instances.json"), instances)
check("sum(tasks_started_total)", one("started.json"), totals["solti_runner_tasks_started_total"])
check("sum(tasks_completed_total)", one("completed.json"), totals["solti_runner_tasks_completed_total"])
check("sum(errors_total)", one("errors.json"), totals["solti_runner_errors_total"])
check("sum(task_duration_seconds_count)", one("count.json"), totals["solti_runner_task_duration_seconds_count"])
check("sum(task_duration_seconds_sum)", one("sum.json"), totals["solti_runner_task_duration_seconds_sum"])

scraped = {float(row["metric"]["le"]): float(row["value"][1]) for row in result("buckets.json")}
if scraped != buckets:
    failures.append(f"sum by (le) of the buckets: prometheus {sorted(scraped.items())}, instances {sorted(buckets.items())}")
else:
    print(f"  sum by (le) of the buckets: {len(scraped)} bounds, +Inf = {scraped[math.inf]:g}")

# Prometheus' histogram_quantile: the bucket where the rank falls, linear within it.
def quantile(q, buckets):
    bounds = sorted(buckets)
    total = buckets[math.inf]
    rank = q * total
    previous_bound, previous_count = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if bound == math.inf:
                return bounds[-2]
            return previous_bound + (bound - previous_bound) * (rank - previous_count) / (count - previous_count)
        previous_bound, previous_count = bound, count
    return math.nan

for q, name in ((0.9, "p90.json"), (0.5, "p50.json")):
    got, want = one(name), quantile(q, buckets)
    if not (math.isfinite(got) and math.isclose(got, want, rel_tol=1e-9)):
        failures.append(f"histogram_quantile({q}): prometheus {got}, from the instances' buckets {want}")
    else:
        print(f"  histogram_quantile({q}) over the aggregated buckets = {got:g}s")

# The pushed series, with the job and instance of their group.
pushed = {}
for line in open(f"{work}/pushed.txt"):
    name, labels, value = parse(line)
    key = (name, tuple(sorted(numeric_le(labels).items())))
    pushed[key] = pushed.get(key, 0.0) + value
arrived = {}
for row in result("backup.json"):
    labels = dict(row["metric"])
    name = labels.pop("__name__")
    if labels.get("job") != "backup" or labels.get("instance") not in ("db-1", "db/2"):
        failures.append(f"pushed series without its group: {row['metric']}")
    labels.pop("job", None)
    labels.pop("instance", None)
    # The gateway's own series about each group, and the job's timestamp, are not compared.
    if name in ("push_time_seconds", "push_failure_time_seconds") or name.endswith("_timestamp_seconds"):
        continue
    key = (name, tuple(sorted(numeric_le(labels).items())))
    arrived[key] = arrived.get(key, 0.0) + float(row["value"][1])
if arrived != pushed:
    missing = sorted(set(pushed) ^ set(arrived))[:5]
    failures.append(f"pushed series in prometheus differ from what was pushed, e.g. {missing}")
else:
    print(f"  {len(pushed)} pushed series (summed over both groups) arrived in prometheus with their values")

if failures:
    print("\n".join(f"  MISMATCH {f}" for f in failures), file=sys.stderr)
    sys.exit(1)
PY

log "passed in ${SECONDS}s"
