#!/usr/bin/env bash
# Makes sure what the tests and the e2e script run is on PATH: `prometheus` and `promtool` (a
# Prometheus 2.x), `prometheus-pushgateway`, `curl` and `python3`, and that python3 has the Prometheus client's
# OpenMetrics parser (PyPI package `prometheus-client`, installed with pip when missing). Whatever is missing is installed from Debian's packages
# (needs root and apt-get). Of `prometheus` only the binaries are used; the package's service is
# kept from starting.
set -euo pipefail

packages=()
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || packages+=(prometheus)
command -v prometheus-pushgateway >/dev/null || packages+=(prometheus-pushgateway)
command -v curl >/dev/null || packages+=(curl ca-certificates)
command -v python3 >/dev/null || packages+=(python3)

# The OpenMetrics parser the tests run on OpenMetrics expositions.
openmetrics_parser() {
    python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null && return 0
    echo "installing the OpenMetrics parser: pip install prometheus-client"
    python3 -m pip install --quiet --disable-pip-version-check prometheus-client >&2 ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages prometheus-client >&2
    python3 -c 'import prometheus_client.openmetrics.parser'
}

if [ ${#packages[@]} -eq 0 ]; then
    openmetrics_parser
    prometheus --version 2>&1 | head -n 1
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: ${packages[*]}: install these Debian packages (needs root and apt-get)" >&2
    exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/solti-apt.XXXXXX")
policy_rc_created=""
cleanup() {
    local status=$?
    [ -z "$policy_rc_created" ] || rm -f /usr/sbin/policy-rc.d
    [ "$status" -eq 0 ] || tail -n 40 "$log" >&2
    rm -f "$log"
    exit "$status"
}
trap cleanup EXIT

# The package's maintainer scripts would start a Prometheus service listening on all
# interfaces; a policy-rc.d that denies every action keeps them from it.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_rc_created=1
fi

echo "installing Debian packages: ${packages[*]}"
timeout 300 apt-get update -q >"$log" 2>&1
DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >>"$log" 2>&1

command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v prometheus-pushgateway >/dev/null &&
    command -v curl >/dev/null && command -v python3 >/dev/null
prometheus --version 2>&1 | head -n 1
openmetrics_parser
