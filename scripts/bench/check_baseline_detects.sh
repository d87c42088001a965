#!/usr/bin/env bash
# Real-timing check of `attune compare`'s saved baselines (not run in CI: it times real kernels):
# one run is saved as a baseline, then each later run is compared with it, times taken relative
# to the `simd` kernel measured in the same rounds (--relative-to), as a shared machine that
# changes speed between runs needs:
#   - A/A: the same build again: `fused` shows "no change" and the exit status is 0;
#   - a regression made on purpose (--test-slow fused@1.05: fused 5 % slower, under its own
#     name): `fused` shows "slower" and --fail-on-regression exits with status 1.
#
# Every run (the baseline too) spreads its rounds over `processes` processes (--processes): one
# process's samples share its layout of code and data, which moves a kernel's time by 1-3 % from
# one process to the next, as much as the threshold; the processes' medians bound that.
#
# Usage: scripts/bench/check_baseline_detects.sh [path/to/attune] [runs] [processes]
#        (defaults: release build, 3 runs, 10 processes)
set -euo pipefail
attune=${1:-.build/release/attune}
runs=${2:-3}
processes=${3:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=(compare --kernels simd,fused --baseline simd --sizes 1024 --block-sizes 64
  --repetitions 15 --processes "$processes" --quiet)
"$attune" "${common[@]}" --save-baseline "$out/baseline.json" >/dev/null
failures=0
verdict() { grep -E '^fused' "$1" | tail -1 | sed -E 's/ +/ /g'; }
for run in $(seq 1 "$runs"); do
  for case in same slower; do
    hook=()
    [[ $case == slower ]] && hook=(--test-slow fused@1.05)
    status=0
    "$attune" "${common[@]}" --seed "$((run + 1))" "${hook[@]}" --baseline-from "$out/baseline.json" \
      --relative-to simd --fail-on-regression >"$out/$case.txt" 2>"$out/$case.err" || status=$?
    expected=0
    [[ $case == slower ]] && expected=1
    result="as expected"
    if [[ $status != "$expected" ]]; then
      result="UNEXPECTED (wanted status $expected)"
      failures=$((failures + 1))
    fi
    echo "run $run, $case: exit $status, $(verdict "$out/$case.txt"): $result"
  done
done
echo "$failures unexpected result(s) in $((2 * runs)) comparisons"
[[ $failures == 0 ]]
