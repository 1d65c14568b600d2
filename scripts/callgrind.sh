#!/usr/bin/env bash
# Instructions per operation of every single-thread case of a benchmark, counted by callgrind:
# the repeatable figure on a noisy machine.
#
#   scripts/callgrind.sh                          # every single-thread case of hot_path, every side
#   scripts/callgrind.sh typed_histogram          # the cases named
#   BENCH=scrape scripts/callgrind.sh             # instructions per scrape of solti-metrics-bench/benches/scrape.rs
#
# Each side of a case runs in a process of its own (`BENCH --case NAME --side SIDE`); callgrind
# collects only inside `measured_loop`, the loop that calls the recorder (or scrapes), so setup
# and the warm-up (which records every argument tuple once, creating the series) are left
# out. The figure is the loop's instructions divided by its iterations, loop overhead and the
# call through `Arc<dyn MetricsBackend>` included (the floor shows how much that is).
# Needs valgrind (Debian: `apt-get install valgrind`).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=${BENCH:-hot_path}
case $BENCH in
    scrape) ITERS=${ITERS:-3} ;;
    *) ITERS=${ITERS:-20000} ;;
esac
command -v valgrind >/dev/null || { echo "valgrind not found (Debian: apt-get install valgrind)" >&2; exit 1; }

cargo bench -p solti-metrics-bench --bench "$BENCH" --no-run 2>/dev/null
bin=$(cargo bench -p solti-metrics-bench --bench "$BENCH" --no-run --message-format=json 2>/dev/null |
    sed -n "s/.*\"executable\":\"\([^\"]*$BENCH[^\"]*\)\".*/\1/p" | tail -n 1)
[ -x "$bin" ] || { echo "benchmark binary not found" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

list=$("$bin" --list)
# Every side any case has, in the order they first appear: the table's columns.
mapfile -t columns < <(printf '%s\n' "$list" | cut -f3 | tr ',' '\n' | awk '!seen[$0]++')
has_floor=false
printf '%s\n' "${columns[@]}" | grep -qx floor && has_floor=true

header="| case |"
rule="|---|"
for side in "${columns[@]}"; do header+=" $side |"; rule+="---:|"; done
if $has_floor; then header+=" ours - floor |"; rule+="---:|"; fi
printf '%s\n%s\n' "$header" "$rule"

printf '%s\n' "$list" | while IFS=$'\t' read -r case kind sides; do
    [ "$kind" = single ] || continue
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$case"; then continue; fi
    declare -A per=()
    for side in "${columns[@]}"; do
        case ",$sides," in *",$side,"*) ;; *) per[$side]="–"; continue ;; esac
        # Exposition cases run a few iterations only: one is already millions of instructions.
        iters=$ITERS
        case $case in gather_*) iters=20 ;; esac
        valgrind --tool=callgrind --callgrind-out-file="$out/$case.$side" \
            --toggle-collect='*measured_loop*' \
            "$bin" --case "$case" --side "$side" --iters "$iters" >/dev/null 2>"$out/log"
        total=$(sed -n 's/^summary: *//p' "$out/$case.$side")
        per[$side]=$(awk -v t="$total" -v n="$iters" 'BEGIN { printf "%.1f", t / n }')
    done
    row="| \`$case\` |"
    for side in "${columns[@]}"; do row+=" ${per[$side]} |"; done
    if $has_floor; then
        diff=$(awk -v a="${per[ours]}" -v b="${per[floor]}" 'BEGIN { if (b == "–") print "–"; else printf "%.1f", a - b }')
        row+=" $diff |"
    fi
    printf '%s\n' "$row"
    unset per
done
