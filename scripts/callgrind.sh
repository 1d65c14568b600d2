#!/usr/bin/env bash
# Instructions per record of every single-thread case of `benches/hot_path.rs`, counted by
# callgrind: the repeatable figure on a noisy machine.
#
#   scripts/callgrind.sh                  # every single-thread case, every side
#   scripts/callgrind.sh typed_histogram  # the cases named
#
# Each side of a case runs in a process of its own (`hot_path --case NAME --side SIDE`);
# callgrind collects only inside `measured_loop`, the loop that calls the recorder, so setup
# and the warm-up (which records every argument tuple once, creating the series) are left
# out. The figure is the loop's instructions divided by its iterations, loop overhead and the
# call through `Arc<dyn MetricsBackend>` included (the floor shows how much that is).
# Needs valgrind (Debian: `apt-get install valgrind`).
set -euo pipefail
cd "$(dirname "$0")/.."

ITERS=${ITERS:-20000}
command -v valgrind >/dev/null || { echo "valgrind not found (Debian: apt-get install valgrind)" >&2; exit 1; }

cargo bench --bench hot_path --no-run 2>/dev/null
bin=$(cargo bench --bench hot_path --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*hot_path[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "benchmark binary not found" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '| case | ours | original | floor | ours - floor |\n|---|---:|---:|---:|---:|\n'
"$bin" --list | while IFS=$'\t' read -r case kind sides; do
    [ "$kind" = single ] || continue
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$case"; then continue; fi
    declare -A per=()
    for side in ours original floor; do
        case ",$sides," in *",$side,"*) ;; *) per[$side]="–"; continue ;; esac
        # Gather cases run a few iterations only: one is already millions of instructions.
        iters=$ITERS
        case $case in gather_*) iters=20 ;; esac
        valgrind --tool=callgrind --callgrind-out-file="$out/$case.$side" \
            --toggle-collect='*measured_loop*' \
            "$bin" --case "$case" --side "$side" --iters "$iters" >/dev/null 2>"$out/log"
        total=$(sed -n 's/^summary: *//p' "$out/$case.$side")
        per[$side]=$(awk -v t="$total" -v n="$iters" 'BEGIN { printf "%.1f", t / n }')
    done
    diff=$(awk -v a="${per[ours]}" -v b="${per[floor]}" 'BEGIN { if (b == "–") print "–"; else printf "%.1f", a - b }')
    printf '| `%s` | %s | %s | %s | %s |\n' "$case" "${per[ours]}" "${per[original]}" "${per[floor]}" "$diff"
    unset per
done
