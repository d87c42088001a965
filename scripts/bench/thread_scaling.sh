#!/usr/bin/env bash
# Throughput of a kernel on 1 thread against 2 (or --threads N) threads, alternating the two
# settings for several rounds so drift of the machine falls on both alike.
#
# Usage: scripts/bench/thread_scaling.sh [attune] [kernel] [n] [d] [threads] [rounds]
#        defaults: .build/release/attune fused 2048 64 2 7
set -euo pipefail
attune=${1:-.build/release/attune}; kernel=${2:-fused}; n=${3:-2048}; d=${4:-64}
threads=${5:-2}; rounds=${6:-7}
# The JSON goes to a file and is read after attune exits: a python3 reading a pipe would start up
# (about 50 ms of CPU) while the timed calls run and take a core from them.
result=$(mktemp)
trap 'rm -f "$result"' EXIT
median() {
  "$attune" run --random --n "$n" --d "$d" --kernel "$kernel" --threads "$1" \
    --repeat 15 --warmup 3 --json > "$result"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$result"
}
ratios=()
for r in $(seq 1 "$rounds"); do
  one=$(median 1); many=$(median "$threads")
  ratios+=("$(python3 -c "print($one / $many)")")
done
python3 - "$kernel" "$n" "$d" "$threads" "${ratios[@]}" <<'PY'
import sys
kernel, n, d, threads, *ratios = sys.argv[1:]
r = sorted(float(x) for x in ratios)
print(f"{kernel} N={n} d={d}: {threads} threads give {r[len(r)//2]:.2f}x the throughput of 1 thread "
      f"(median of {len(r)} alternating rounds; range {r[0]:.2f}-{r[-1]:.2f})")
PY
