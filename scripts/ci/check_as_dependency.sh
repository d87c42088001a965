#!/usr/bin/env bash
# Checks that another package can depend on Attune the way the README tells users to: its SwiftPM
# snippet, with the repository fetched by URL (SwiftPM refuses fetched dependencies that carry
# unsafe build flags, so the dependent's build has none). Builds a client in a temporary directory
# that (1) runs the README's library example, (2) checks the fused kernel's answer against the naive
# kernel, and (3) compiles every Swift example of README.md, docs/*.md and the public modules' DocC
# catalogs, each as a function of its own; then checks that the client's binary holds the vector
# FMA micro-kernels (what keeps a build with no flags fast). With --time it times the client
# against the same client built on this repository as a local package (a root-package build: the
# manifest's own settings apply, `ATTUNE_MARCH` included), alternating the two. With
# --symbol-graphs DIR it keeps the symbol graphs of Attune's modules from that build in DIR (for
# scripts/ci/check_docs.sh).
#
# Usage: scripts/ci/check_as_dependency.sh [--time [ROUNDS]] [--symbol-graphs DIR]
#   --time: after the checks, builds the local-path client too, then ROUNDS (default 7) alternated
#           rounds of fused attention at N=2048, d=64, 2 threads in each (the median of 15 calls);
#           prints both medians and the median of the per-round ratios. Timing is reported, never
#           asserted (CI runs without --time).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=0
graphs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --time) rounds=7; if [ "${2:-}" != "" ] && [ "${2#-}" = "$2" ]; then rounds=$2; shift; fi ;;
    --symbol-graphs) graphs=${2:?--symbol-graphs needs a directory}; shift ;;
    *) echo "error: unknown argument $1" >&2; exit 64 ;;
  esac
  shift
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A copy of the current commit on a branch named main, reachable by a file:// URL.
git clone -q "$root" "$work/attune"
git -C "$work/attune" checkout -q -B main

# The README's dependency line, with this copy's URL in place of the placeholder.
snippet=$(grep -m1 -E '^\s*\.package\(url: "[^"]+", branch: "main"\),?$' "$root/README.md" |
  sed -E "s|url: \"[^\"]+\"|url: \"file://$work/attune\"|; s/,\$//")
[ -n "$snippet" ] || { echo "error: README.md has no '.package(url: ..., branch: \"main\")' line" >&2; exit 1; }
product=$(grep -m1 -oE '\.product\(name: "Attune", package: "[a-z]+"\)' "$root/README.md")
[ -n "$product" ] || { echo "error: README.md has no '.product(name: \"Attune\", ...)'" >&2; exit 1; }
echo "README snippet: $snippet, $product"

mkdir -p "$work/client/Sources/Client" "$work/client/Sources/Examples"
cat > "$work/client/Package.swift" <<MANIFEST
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
  name: "Client",
  platforms: [.macOS(.v15)],
  dependencies: [$snippet],
  targets: [
    .executableTarget(name: "Client", dependencies: [$product]),
    .executableTarget(name: "Examples", dependencies: [$product]),
  ]
)
MANIFEST
# The clone is named attune (the README's package: "attune" refers to it by that identity).
python3 - "$root" "$work/client/Sources" <<'PY'
import os, re, sys
root, sources = sys.argv[1], sys.argv[2]
docs = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
# The DocC catalogs of the public modules (those of the package-internal ones are not published).
for module in ["Attune", "AttuneKernels", "AttunePlanner", "AttuneBench", "AttuneStats", "AttuneNPY"]:
    catalog = f"Sources/{module}/{module}.docc"
    docs += sorted(f"{catalog}/{f}" for f in os.listdir(os.path.join(root, catalog)) if f.endswith(".md"))
blocks = []
for doc in docs:
    text = open(os.path.join(root, doc), encoding="utf-8").read()
    for number, body in enumerate(re.findall(r"```swift\n(.*?)```", text, re.S), 1):
        if ".package(url:" in body:
            continue  # a manifest fragment: the snippet checked above
        blocks.append((doc, number, body))
names = []
for doc, number, body in blocks:
    name = re.sub(r"\W", "_", os.path.splitext(os.path.basename(doc))[0].lower()) + f"_{number}"
    if doc.startswith("Sources/"):
        name = "docc_" + name
    lines = body.rstrip().split("\n")
    imports = [l for l in lines if l.startswith("import ")]
    code = [l for l in lines if not l.startswith("import ")]
    with open(os.path.join(sources, "Examples", name + ".swift"), "w") as f:
        f.write(f"// {doc}, Swift example {number}\n" + "\n".join(imports) + "\n\n")
        f.write(f"func {name}() throws {{\n" + "\n".join("  " + l if l else l for l in code) + "\n}\n")
    names.append(name)
    if doc == "README.md" and number == 2:
        # The README's library example, run as the client's first act.
        with open(os.path.join(sources, "Client", "ReadmeExample.swift"), "w") as f:
            f.write("\n".join(imports) + "\n\nfunc readmeExample() throws {\n")
            f.write("\n".join("  " + l if l else l for l in code) + "\n}\n")
with open(os.path.join(sources, "Examples", "main.swift"), "w") as f:
    f.write("// Compiled, not run: each function is one example of the documentation.\n")
    f.write("let examples: [() throws -> Void] = [\n" + "".join(f"  {n},\n" for n in names) + "]\n")
    f.write('print("\\(examples.count) documentation examples compiled")\n')
print(f"{len(names)} Swift examples from {len(docs)} documents", file=sys.stderr)
PY
[ -f "$work/client/Sources/Client/ReadmeExample.swift" ] ||
  { echo "error: README.md's library example (its second Swift block) is missing" >&2; exit 1; }
cat > "$work/client/Sources/Client/main.swift" <<'SWIFT'
import Attune

struct ResultsDiffer: Error {}
let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "time", let calls = Int(arguments[2]) {
  // The median of `calls` timed calls of the default kernel at N = 2048, d = 64, 2 threads.
  let shape = AttentionShape(queries: 2048, keys: 2048, headDim: 64)
  let inputs = try AttentionInputs.random(shape: shape, seed: 1)
  let kernel = try FusedAttention(blockQ: FusedAttention().blockQ, blockK: FusedAttention().blockK, threads: 2)
  _ = try inputs.run(kernel)
  let clock = ContinuousClock()
  var seconds: [Double] = []
  for _ in 0..<calls {
    let elapsed = try clock.measure { _ = try inputs.run(kernel) }
    seconds.append(Double(elapsed.components.attoseconds) * 1e-18 + Double(elapsed.components.seconds))
  }
  print(seconds.sorted()[calls / 2])
} else {
  try readmeExample()
  print("README example: ran")
  let shape = AttentionShape(queries: 70, keys: 90, headDim: 40)
  let inputs = try AttentionInputs.random(shape: shape, seed: 5)
  let fused = try inputs.run(FusedAttention())
  let naive = try inputs.run(NaiveAttention())
  let error = zip(fused, naive).map { abs($0 - $1) }.max() ?? .infinity
  print("fused vs naive through a fetched dependency: max |difference| = \(error)")
  print("micro-kernels: \(BuildInfo.microKernels)")
  if !(error < 1e-5) { throw ResultsDiffer() }
}
SWIFT

cd "$work/client"
flags=()
if [ -n "$graphs" ]; then
  mkdir -p "$graphs"
  flags=(-Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$(cd "$graphs" && pwd)")
fi
swift build -c release "${flags[@]}" 2>&1 | tail -3
.build/release/Examples
.build/release/Client
# The dependent's binary must carry the vector micro-kernels of its architecture.
"$root/scripts/ci/check_vector_code.sh" .build/release/Client

if [ "$rounds" -gt 0 ]; then
  # The same client on a local copy of the package: SwiftPM treats it as a root package.
  mkdir -p "$work/local/Sources/Client"
  cp "$work/client/Sources/Client/"*.swift "$work/local/Sources/Client/"
  cp -r "$work/client/Sources/Examples" "$work/local/Sources/"
  sed "s|$snippet|.package(path: \"$work/attune\")|" \
    "$work/client/Package.swift" > "$work/local/Package.swift"
  (cd "$work/local" && swift build -c release 2>&1 | tail -1)
  echo "timing: $rounds alternated rounds, median of 15 calls each, N=2048 d=64 2 threads" >&2
  for round in $(seq "$rounds"); do
    dependent=$(.build/release/Client time 15)
    own=$("$work/local/.build/release/Client" time 15)
    echo "$dependent $own"
    echo "  round $round: dependent $dependent s, local (root) build $own s" >&2
  done | python3 -c '
import statistics, sys
pairs = [tuple(map(float, line.split())) for line in sys.stdin]
dependent = statistics.median(p[0] for p in pairs)
own = statistics.median(p[1] for p in pairs)
ratios = sorted(p[0] / p[1] for p in pairs)
print(f"dependent (fetched by URL) {dependent * 1e3:.3f} ms, local root build {own * 1e3:.3f} ms: "
      f"dependent/root time {statistics.median(ratios):.3f} (per-round ratios {ratios[0]:.3f} to {ratios[-1]:.3f})")'
fi
