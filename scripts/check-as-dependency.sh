#!/usr/bin/env bash
# Checks that another package can depend on Attune the way users will: fetched by URL at a tagged
# version (SwiftPM refuses fetched dependencies that carry unsafe build flags). Builds a small
# client in a temporary directory, runs it, and checks its answer against the naive kernel.
#
# Usage: scripts/check-as-dependency.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
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
let shape = AttentionShape(queries: 70, keys: 90, headDim: 40)
let inputs = try AttentionInputs.random(shape: shape, seed: 5)
let fused = try inputs.run(FusedAttention())
let naive = try inputs.run(NaiveAttention())
let error = zip(fused, naive).map { abs($0 - $1) }.max() ?? .infinity
print("fused vs naive through a fetched dependency: max |difference| = \(error)")
struct ResultsDiffer: Error {}
if !(error < 1e-5) { throw ResultsDiffer() }
SWIFT

cd "$work/client"
swift build -c release 2>&1 | tail -3
.build/release/Client
