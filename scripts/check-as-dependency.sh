#!/usr/bin/env bash
# Checks that another package can depend on Attune the way users will: fetched by URL at a tagged
# version (SwiftPM refuses fetched dependencies that carry unsafe build flags, so the dependent's
# build has none). Builds a small client in a temporary directory, checks its answer against the
# naive kernel, checks that its binary holds the vector FMA micro-kernels (what keeps a build with
# no flags fast), and with --time times it against the same client built on this repository as a
# local package (a root-package build: the manifest's own settings apply, `ATTUNE_MARCH` included),
# alternating the two.
#
# Usage: scripts/check-as-dependency.sh [--time [ROUNDS]]
#   --time: after the checks, builds the local-path client too, then ROUNDS (default 7) alternated
#           rounds of fused attention at N=2048, d=64, 2 threads in each (the median of 15 calls);
#           prints both medians and the median of the per-round ratios. Timing is reported, never
#           asserted (CI runs without --time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=0
if [ "${1:-}" = "--time" ]; then rounds=${2:-7}; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A tagged copy of the current commit, reachable by a file:// URL.
git clone -q "$root" "$work/attune"
git -C "$work/attune" tag 0.0.1-check

mkdir -p "$work/client/Sources/Client"
cat > "$work/client/Package.swift" <<MANIFEST
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
  name: "Client",
  platforms: [.macOS(.v15)],
  dependencies: [.package(url: "file://$work/attune", exact: "0.0.1-check")],
  targets: [.executableTarget(name: "Client", dependencies: [.product(name: "AttuneKernels", package: "Attune")])]
)
MANIFEST
cat > "$work/client/Sources/Client/main.swift" <<'SWIFT'
import AttuneKernels

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
swift build -c release 2>&1 | tail -3
.build/release/Client
# The dependent's binary must carry the vector micro-kernels of its architecture.
"$root/scripts/check-vector-code.sh" .build/release/Client

if [ "$rounds" -gt 0 ]; then
  # The same client on a local copy of the package: SwiftPM treats it as a root package.
  mkdir -p "$work/local/Sources/Client"
  cp "$work/client/Sources/Client/main.swift" "$work/local/Sources/Client/"
  sed "s|.package(url: \"file://$work/attune\", exact: \"0.0.1-check\")|.package(path: \"$work/attune\")|" \
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
