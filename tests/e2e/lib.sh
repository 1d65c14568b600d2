# Shared by the end-to-end scripts: logging, cleanup of the processes they start, waiting,
# building an example, free ports, and a Prometheus server with its query API.
#
# A script sets `e2e_name` and sources this file from the repository's root; it gets `$work`, a
# temporary folder removed on exit, and `start NAME COMMAND...`, which runs COMMAND in the
# background with its output in `$work/NAME.log` and stops it (SIGTERM, then SIGKILL) on exit.

log() { printf '[%s %3ds] %s\n' "$e2e_name" "$SECONDS" "$*"; }
fail() {
    printf '[%s %3ds] FAIL: %s\n' "$e2e_name" "$SECONDS" "$*" >&2
    exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/solti-$e2e_name.XXXXXX")
started_pids=()
started_names=()

# Stops what the script started, by process id; on failure, shows the logs first.
cleanup() {
    local status=$?
    set +e
    local pid
    for pid in "${started_pids[@]}"; do
        [ -n "$pid" ] || continue
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    if [ "$status" -ne 0 ]; then
        local name
        for name in "${started_names[@]}"; do
            [ -f "$work/$name.log" ] || continue
            printf '\n----- %s (last 60 lines) -----\n' "$name" >&2
            tail -n 60 "$work/$name.log" >&2
        done
        printf '\n[%s] failed after %ds\n' "$e2e_name" "$SECONDS" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME COMMAND...: runs COMMAND in the background, output in $work/NAME.log; its process
# id is then in $started_pid.
start() {
    local name=$1
    shift
    "$@" >"$work/$name.log" 2>&1 &
    started_pid=$!
    started_pids+=("$started_pid")
    started_names+=("$name")
}

# forget PID: a process the script stopped itself.
forget() {
    local i
    for i in "${!started_pids[@]}"; do
        [ "${started_pids[$i]}" != "$1" ] || started_pids[$i]=""
    done
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.25 s until it succeeds, for at most
# SECONDS.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
        sleep 0.25
    done
}

# install_servers: prometheus, promtool, the Pushgateway, curl, python3 and the OpenMetrics
# parser, as tests/e2e/install-prometheus.sh provides them.
install_servers() {
    log "prometheus, promtool, the Pushgateway"
    bash tests/e2e/install-prometheus.sh >/dev/null
    prometheus --version 2>&1 | head -n 1
    prometheus --version 2>&1 | grep -q 'version 2\.' || fail "expected a Prometheus 2.x server"
}

# example_bin NAME: builds the example NAME and prints the path of its executable.
example_bin() {
    cargo build --quiet --example "$1" --message-format=json |
        python3 -c 'import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == sys.argv[1] and msg.get("executable"):
        print(msg["executable"])' "$1"
}

# free_ports N: N free loopback ports, taken at once so they differ.
free_ports() {
    python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$1"
}

# start_prometheus PORT SCRAPE_CONFIGS [FLAG...]: a Prometheus on 127.0.0.1:PORT scraping every
# second with the given `scrape_configs` entries (YAML, indented by two spaces), started with
# the extra flags given (`--enable-feature=exemplar-storage`); sets $api.
start_prometheus() {
    local port=$1 configs=$2
    shift 2
    cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
$configs
YAML
    promtool check config "$work/prometheus.yml" >"$work/check-config.log" 2>&1 ||
        { cat "$work/check-config.log"; fail "promtool check config"; }
    mkdir -p "$work/data"
    start prometheus prometheus \
        --config.file="$work/prometheus.yml" \
        --storage.tsdb.path="$work/data" \
        --web.listen-address="127.0.0.1:$port" \
        --web.console.templates="$work" --web.console.libraries="$work" \
        "$@"
    api="http://127.0.0.1:$port/api/v1"
    wait_for 60 "prometheus to be ready" curl -fsS --max-time 2 "http://127.0.0.1:$port/-/ready"
    log "prometheus ready on 127.0.0.1:$port"
}

query() { # query PROMQL: the query API's JSON answer
    curl -fsS --max-time 10 -G "$api/query" --data-urlencode "query=$1"
}

scalar() { # scalar PROMQL: the value of a one-element vector answer, or nothing
    query "$1" | python3 -c 'import json, sys
result = json.load(sys.stdin)["data"]["result"]
print(result[0]["value"][1] if len(result) == 1 else "")'
}

exemplars() { # exemplars PROMQL START: the exemplars API's JSON answer from START (Unix seconds) to now
    curl -fsS --max-time 10 -G "$api/query_exemplars" --data-urlencode "query=$1" \
        --data-urlencode "start=$2" --data-urlencode "end=$(date +%s)"
}
