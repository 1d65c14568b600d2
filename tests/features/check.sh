#!/usr/bin/env bash
# solti-metrics as a user's crate sees it: with default features it builds at most 20 crates,
# none of them a Solti crate, an HTTP stack, `prometheus` or `protobuf`, and one `syn` major;
# each optional feature builds on its own.
#
# Usage: tests/features/check.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/solti-features.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A user crate, outside the workspace, that depends on solti-metrics with default features.
mkdir -p "$work/user/src"
cat >"$work/user/Cargo.toml" <<TOML
[package]
name = "user"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
solti-metrics = { path = "$root/solti-metrics" }

[workspace]
TOML
cat >"$work/user/src/main.rs" <<'RS'
use solti_metrics::{Format, IntCounter, MetricsSet, Registry};

#[derive(MetricsSet)]
struct Jobs {
    /// Jobs run.
    jobs_total: IntCounter,
}

fn main() {
    let registry = Registry::new();
    let jobs = Jobs::register(&registry).expect("a fresh registry");
    jobs.jobs_total().inc();
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus).expect("encodes");
    print!("{}", String::from_utf8_lossy(&body));
}
RS
cp "$root/Cargo.lock" "$work/user/Cargo.lock"
(cd "$work/user" && cargo tree --quiet --edges normal,build --prefix none --format '{p}') |
    sed -e 's/ (\*)$//' -e 's/ (proc-macro)$//' | sort -u >"$work/tree.txt"
for unwanted in solti-runner taskvisor tracing axum hyper reqwest tokio prometheus protobuf thiserror; do
    if grep -q "^$unwanted v" "$work/tree.txt"; then
        echo "a user crate with default features builds $unwanted:" >&2
        grep "^$unwanted v" "$work/tree.txt" >&2
        exit 1
    fi
done
crates=$(wc -l <"$work/tree.txt")
if [ "$crates" -gt 20 ]; then
    echo "a user crate with default features builds $crates crates, more than 20:" >&2
    cat "$work/tree.txt" >&2
    exit 1
fi
syn_majors=$(sed -n 's/^syn v\([0-9]*\)\..*/\1/p' "$work/tree.txt" | sort -u | wc -l)
if [ "$syn_majors" -gt 1 ]; then
    echo "a user crate with default features builds $syn_majors majors of syn:" >&2
    grep '^syn v' "$work/tree.txt" >&2
    exit 1
fi
echo "default features: $crates crates (the user crate included), one syn major, none of solti-runner, taskvisor, tracing, axum, hyper, reqwest, tokio, prometheus, protobuf, thiserror"
output=$(cd "$work/user" && CARGO_TARGET_DIR="$root/target/features" cargo run --quiet)
[ "$output" = "$(printf '# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total 1')" ] ||
    { echo "unexpected output of the user crate: $output" >&2; exit 1; }
echo "the user crate builds and exports its set"

for feature in runner prometheus axum http push process; do
    cargo check --quiet -p solti-metrics --no-default-features --features "$feature" --all-targets
    echo "feature $feature builds on its own"
done
