#!/usr/bin/env bash
# Real-timing check of `attune compare`'s statistics (not run in CI: it times real kernels, and a
# 95 % interval misses the truth 1 time in 20 by design):
#   - A/A: the fused kernel against an identical copy: the speedup interval should contain 1;
#   - a copy made 20 % slower by the test hook: the whole interval should lie below 1.
#
# Usage: scripts/bench/check_compare_detects.sh [path/to/attune] [runs]   (defaults: release build, 3)
set -euo pipefail
attune=${1:-.build/release/attune}
runs=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
  "$attune" compare --kernels fused,fused --baseline fused --sizes 1024 --block-sizes 64 \
    --repetitions 20 --seed "$run" --test-slow-copy fused@1.2 --quiet --json "$out/$run.json" >/dev/null
  python3 - "$out/$run.json" "$run" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
labels = [e["label"] for e in report["entries"]]
stats = dict(zip(labels, report["statistics"]))
same = next(s for l, s in stats.items() if l.endswith("#2"))
slow = next(s for l, s in stats.items() if "×1.2" in l)
def show(s): i = s["speedupInterval"]; return f"{s['speedup']:.3f} [{i['lower']:.3f}, {i['upper']:.3f}]"
aa = same["speedupInterval"]["lower"] <= 1 <= same["speedupInterval"]["upper"]
slower = slow["speedupInterval"]["upper"] < 1
print(f"run {sys.argv[2]}: A/A speedup {show(same)} {'contains 1' if aa else 'MISSES 1'}; "
      f"20% slower copy {show(slow)} {'detected' if slower else 'NOT DETECTED'} (truth 0.833)")
PY
done
