#!/usr/bin/env bash
# Checks the documentation a user reads:
#   - README.md is at most 10 KiB, and README.md and docs/*.md link to nothing outside the
#     repository (every relative link names a file that exists) and cite no issue numbers;
#   - the version agrees in CHANGELOG.md (its first "## X.Y.Z"), BuildInfo.version and README.md;
#   - the DocC catalog of each public module builds with zero warnings (docc --warnings-as-errors),
#     from the symbol graphs that scripts/ci/check_as_dependency.sh --symbol-graphs DIR kept.
# The Swift examples of README.md and docs/ are compiled by scripts/ci/check_as_dependency.sh.
#
# Usage: scripts/ci/check_docs.sh SYMBOL-GRAPH-DIR [OUTPUT-DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
graphs=${1:?usage: scripts/ci/check_docs.sh SYMBOL-GRAPH-DIR [OUTPUT-DIR]}
output=${2:-$(mktemp -d)}
mkdir -p "$output"
cd "$root"
status=0

size=$(wc -c < README.md)
if [ "$size" -gt 10240 ]; then echo "FAIL README.md is $size bytes (at most 10240)"; status=1
else echo "ok   README.md: $size bytes"; fi

python3 - <<'PY' || status=1
import os, re, sys
bad = []
docs = ["README.md", "CHANGELOG.md"] + ["docs/" + f for f in sorted(os.listdir("docs")) if f.endswith(".md")]
for doc in docs:
    text = open(doc, encoding="utf-8").read()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(doc), target.split("#")[0]))
        if path.startswith("..") or not os.path.exists(path):
            bad.append(f"{doc}: link to {target} (outside the repository or missing)")
    for line in text.split("\n"):
        if "../shared" in line or re.search(r"\bissues? #?\d+", line, re.I):
            bad.append(f"{doc}: {line.strip()[:90]}")
for b in bad:
    print("FAIL " + b)
if bad:
    sys.exit(1)
print(f"ok   {len(docs)} documents: links inside the repository, no issue numbers")
PY

changelog=$(grep -m1 -oE '^## [0-9]+\.[0-9]+\.[0-9]+' CHANGELOG.md | cut -c4-)
build=$(grep -oE 'version = "[^"]+"' Sources/AttuneKernels/BuildInfo.swift | cut -d'"' -f2)
if [ "$changelog" != "$build" ] || ! grep -q "Version $build " README.md; then
  echo "FAIL versions: CHANGELOG.md $changelog, BuildInfo $build, README.md must say 'Version $build'"
  status=1
else
  echo "ok   version $build in CHANGELOG.md, BuildInfo and README.md"
fi

for module in Attune AttuneKernels AttunePlanner AttuneBench AttuneStats AttuneNPY; do
  own=$(mktemp -d)
  cp "$graphs/$module.symbols.json" "$own/" 2>/dev/null || true
  cp "$graphs/$module"@*.symbols.json "$own/" 2>/dev/null || true
  if [ ! -f "$own/$module.symbols.json" ]; then
    echo "FAIL $module: no symbol graph in $graphs"; status=1; continue
  fi
  log=$(mktemp)
  if docc convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$own" \
    --fallback-display-name "$module" --fallback-bundle-identifier "attune.$module" \
    --output-path "$output/$module.doccarchive" --warnings-as-errors >"$log" 2>&1; then
    echo "ok   $module: DocC built with no warnings"
  else
    echo "FAIL $module: DocC"
    grep -E "warning|error" "$log" | head -20
    status=1
  fi
  rm -rf "$own" "$log"
done
exit $status
