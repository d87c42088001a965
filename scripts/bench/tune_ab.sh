#!/usr/bin/env bash
# Two builds' `attune tune --strategy race` on the real fused kernel, run alternately so both
# see the same machine: one line per run with the choice, measurements, seconds, the margin
# claimed and the autocorrelation reported. Traces are kept for scripts/bench/tune_dependence.py.
#
#   scripts/bench/tune_ab.sh OLD_ATTUNE NEW_ATTUNE [N] [RUNS] [OUT_DIR]
set -euo pipefail
old=${1:?old attune binary}; new=${2:?new attune binary}
n=${3:-1024}; runs=${4:-4}; out=${5:-$(mktemp -d)}
mkdir -p "$out"
for seed in $(seq 1 "$runs"); do
  for side in old new; do
    binary=$old; [ "$side" = new ] && binary=$new
    trace="$out/${side}_${n}_${seed}.json"
    "$binary" tune --kernel fused --n "$n" --d 64 --strategy race --seed "$seed" --json "$trace" --quiet >/dev/null
    python3 - "$side" "$n" "$seed" "$trace" <<'PY'
import json, sys
side, n, seed, path = sys.argv[1:]
o = json.load(open(path))["outcome"]
print(f"{side} N={n} seed={seed} {o['choiceLabel']} measurements={o['measurements']} "
      f"seconds={o['seconds']:.1f} margin={o.get('margin')} autocorrelation={o.get('autocorrelation')}")
PY
  done
done
echo "traces in $out"
