#!/usr/bin/env bash
# Produces docs/ROBUSTNESS.md: fuzzing (executions and time per target, crashes), sanitizer runs
# (ThreadSanitizer on the concurrency tests, AddressSanitizer on the readers, kernels and
# planner), the bad inputs tried per category and their outcomes, and the concurrency tests'
# threads and iterations. Takes about 15 minutes on 2 cores (two sanitizer builds); not in CI.
#
#   scripts/robustness/robustness_summary.sh [FUZZ_SECONDS]      (default 120 per target)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-120}
out=docs/ROBUSTNESS.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp".*' EXIT

echo "release build…" >&2
swift build -c release >&2
echo "fuzzing ($seconds s per target)…" >&2
scripts/robustness/fuzz.sh "$seconds" >"$tmp.fuzz" || true
echo "bad inputs…" >&2
python3 scripts/robustness/bad_inputs.py .build/release/attune --markdown >"$tmp.bad" || true

sanitize() {  # name, scratch, filter
  local log="$tmp.$1"
  # XCTest's runner leaks 144 bytes at exit; suppress only that (scripts/robustness/lsan_suppressions.txt).
  if LSAN_OPTIONS="suppressions=$PWD/scripts/robustness/lsan_suppressions.txt" \
    swift test --sanitize="$1" --scratch-path "$2" --filter "$3" >"$log" 2>&1; then
    result="clean"
  else
    result="FAILED"
  fi
  local tests reports
  tests=$(grep -oE "Test run with [0-9]+ tests? in [0-9]+ suites?" "$log" | tail -1 | grep -oE "[0-9]+ tests?" || echo "? tests")
  reports=$(grep -c "WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer" "$log" || true)
  # Keep the whole log where the build lives, so a report can be read after the run.
  mkdir -p "$2" && cp "$log" "$2/sanitize-$1.log"
  [ "$result" = clean ] || echo "  $1: $reports report(s); log in $2/sanitize-$1.log" >&2
  echo "| \`--sanitize=$1\` | ${3//|/, } | $tests | $reports | $result |"
}
echo "ThreadSanitizer (a debug build)…" >&2
tsan=$(sanitize thread .build-tsan "ConcurrencyTests|PlannerConcurrencyTests|concurrentWriters|MultiHeadTests|MaskTests|WorkerPoolTests|ScratchCacheTests|StrategyTests")
echo "AddressSanitizer (a debug build)…" >&2
asan=$(sanitize address .build-asan "AttuneNPYTests|FileTransactionTests|ReportDataTests|WisdomStoreTests|PlannerTests|MaskTests|MultiHeadTests|AdversarialTests|ValidationTests|ConcurrencyTests|WorkerPoolTests|ScratchCacheTests|BFloat16ScoreTests|DirectScoreTests")

{
  echo "# Robustness"
  echo
  echo "Produced by \`scripts/robustness/robustness_summary.sh $seconds\` on $(date -u +%Y-%m-%d) ($(uname -sr), $(nproc) processors,"
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- scripts Sources Fuzz || echo ' with uncommitted changes to the scripts or sources')). Everything below can be re-run with that command."
  echo
  echo "## Fuzzing"
  echo
  echo "libFuzzer with AddressSanitizer (\`scripts/robustness/fuzz.sh\`, targets in \`Fuzz/\`, seed corpus in"
  echo "\`Fuzz/Corpus\`): any bytes must decode or raise a typed error, never crash; a decoded \`.npy\`"
  echo "must survive encoding again; every wisdom entry that parses must build a kernel or refuse;"
  echo "every command line (arguments separated by NUL bytes) must parse and validate or be refused"
  echo "with a message (FuzzCLI runs ArgumentParser, about 200 command lines a second under ASan,"
  echo "so its million executions come from a longer run without ASan on both cores, by hand:"
  echo "\`swift build -c release --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer\`,"
  echo "then \`.build-fuzz/release/FuzzCLI Fuzz/Corpus-new/cli Fuzz/Corpus/cli -jobs=2 -workers=2"
  echo "-max_total_time=1380\`; its figures, when recorded, follow the table)."
  echo
  echo "| target | result |"
  echo "|---|---|"
  sed 's/^\([^:]*\): /| \1 | /; s/$/ |/' "$tmp.fuzz"
  echo
  echo "## Sanitizers"
  echo
  echo "| run | tests (filter) | count | reports | result |"
  echo "|---|---|---|---|---|"
  echo "$tsan"
  echo "$asan"
  echo
  echo "## Bad inputs"
  echo
  echo "\`scripts/robustness/bad_inputs.py\` runs the release binary on each input and requires the documented"
  echo "exit status (1 bad data or file, 64 bad command line), one \`Error:\` line first on stderr,"
  echo "no crash, and nothing written; stdout full or closed is a case too. The last row runs"
  echo "outputs that must work (a 250-character name, a symbolic link kept, /dev/null not replaced)."
  echo "The Swift tests add their own cases (\`BadInputTests\`; \`FileTransactionTests\`;"
  echo "\`ReportDataTests\`; \`WisdomStoreTests\`; \`NPYErrorTests\`; \`AdversarialTests\` for"
  echo "finite inputs whose Float32 arithmetic overflows; \`StrategyTests.budgetIsAPromise\`)."
  echo
  cat "$tmp.bad"
  echo
  echo "## Concurrency"
  echo
  echo "- \`ConcurrencyTests\`: 64 concurrent calls (16 problems × 4) × 3 multithreaded kernels, results"
  echo "  against the oracle."
  echo "- \`PlannerConcurrencyTests\`: 16 threads × 8 iterations planning, executing and (a quarter of"
  echo "  them) writing wisdom on one shared file; every result correct, the file valid with every entry."
  echo "- \`WisdomStoreTests.concurrentWritersKeepEveryEntry\`: 8 writers × 6 entries, in one process."
  echo "- \`WisdomCommandTests.concurrentProcesses\`: 6 \`attune wisdom import\` processes at once."
  echo
  echo "## Interruptions"
  echo
  echo "Ctrl-C during \`tune\` or \`duel\` stops before the next measurement, writes what was measured"
  echo "(the JSON trace, atomically), saves no wisdom, and exits 130 (\`TuningCommandTests.interrupted\`);"
  echo "a second Ctrl-C ends the process at once. Every file Attune writes is written atomically"
  echo "(a temporary file renamed over the target), so no interruption leaves a half-written file;"
  echo "a command's files are written together (\`FileTransaction\`: all staged, then renamed), and"
  echo "devices and FIFOs are written in place, never replaced. \`attune report\` writes each stage's"
  echo "data when the stage ends: an interrupted report keeps the stages it finished (\`--from\`)."
} >"$tmp.md"
mv "$tmp.md" "$out"
echo "$out" >&2
