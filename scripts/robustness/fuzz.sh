#!/usr/bin/env bash
# Fuzzes Attune's readers of untrusted input with libFuzzer (and AddressSanitizer): the .npy
# decoder, the wisdom file reader and the command line's parsing and validation, each for SECONDS
# (default 60), starting from the seed corpus in Fuzz/Corpus. New inputs libFuzzer finds go to Fuzz/Corpus-new (not committed);
# a crash is saved under Fuzz/Crashes and makes the script fail: turn it into a regression test.
# Prints one line per target: executions, seconds, crashes. Not run in CI (it takes minutes).
#
#   scripts/robustness/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
echo "building the fuzz targets (libFuzzer + AddressSanitizer)…" >&2
swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address >&2
bin=$(swift build -c release --package-path Fuzz --show-bin-path)
mkdir -p Fuzz/Crashes
status=0
for target in npy wisdom cli; do
  case $target in npy) name=FuzzNPY ;; wisdom) name=FuzzWisdom ;; cli) name=FuzzCLI ;; esac
  new="Fuzz/Corpus-new/$target"
  mkdir -p "$new"
  log=$(mktemp)
  if "$bin/$name" "$new" "Fuzz/Corpus/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="Fuzz/Crashes/$target-" -rss_limit_mb=4096 >"$log" 2>&1; then
    crashes=0
  else
    crashes=1
    status=1
    grep -E "ERROR|Fatal|panic|SUMMARY" "$log" | head -5 >&2 || true
  fi
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
  corpus=$(find "$new" -type f | wc -l | tr -d ' ')
  echo "$name: $runs executions in $seconds s, $crashes crashes, $corpus new corpus inputs"
  rm -f "$log"
done
exit $status
