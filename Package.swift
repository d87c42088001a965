// swift-tools-version: 6.0
//
// Attune: CPU attention kernels that tune themselves.
//
// Vector code. The simd and fused kernels' inner loops are C micro-kernels, one set per instruction
// set (AVX-512F, AVX2 + FMA, NEON), each function compiled for its own ISA with a `target`
// attribute and chosen at run time from what the CPU reports (`_AttuneMicroKernels`). So the
// package needs no compiler flags: a plain build, the root package or a dependency fetched by URL,
// runs the best micro-kernels of whatever CPU it lands on, and one binary runs on every x86-64 CPU.
//
// `ATTUNE_MARCH` (root builds only; SwiftPM refuses flags in fetched dependencies) opts the Swift
// code itself into a `-march` (`native`, `x86-64-v3`…) with fused multiply-adds: it speeds up the
// report's scalar baselines (naive, blocked, parallel) and the portable entry, not the micro-kernels,
// and the binary then runs only on CPUs of that level.

import PackageDescription

/// The `-march` value for the kernel targets, or nil for the compiler's baseline.
let marchValue: String? = {
  #if arch(x86_64)
    guard let requested = Context.environment["ATTUNE_MARCH"], !requested.isEmpty else {
      return nil
    }
    let isFetchedDependency = Context.packageDirectory.contains("/checkouts/")
    if requested == "none" || isFetchedDependency { return nil }
    return requested
  #else
    return nil
  #endif
}()

let vectorSettings: [SwiftSetting] =
  if let march = marchValue {
    [.unsafeFlags(["-Xcc", "-march=\(march)"]), .define("ATTUNE_FMA")]
  } else {
    []
  }

let package = Package(
  name: "Attune",
  platforms: [.macOS(.v15)],
  products: [
    // The library: `import Attune` (re-exports the kernels, planner, benchmark, statistics and
    // `.npy` modules).
    .library(name: "Attune", targets: ["Attune"]),
    .executable(name: "attune", targets: ["attune"]),
    // Not API: the command line's parsing, for the fuzz targets in Fuzz/.
    .library(name: "_AttuneCLI", targets: ["_AttuneCLI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // The umbrella module: re-exports the public modules below.
    .target(
      name: "Attune",
      dependencies: ["AttuneKernels", "AttuneNPY", "AttuneStats", "AttuneBench", "AttunePlanner"]),
    // Attention kernels: no I/O, no dependencies beyond the bfloat16 loop below.
    .target(
      name: "AttuneKernels", dependencies: ["_AttuneShims", "_AttuneMicroKernels"],
      swiftSettings: vectorSettings),
    // The innermost loops per instruction set (C, each function with its own `target`
    // attribute, chosen at run time): no build flags.
    .target(name: "_AttuneMicroKernels"),
    // What Swift cannot express: AVX512-BF16 dot products, prefetch, thread affinity.
    .target(name: "_AttuneShims"),
    // Statistics: pure functions, no I/O.
    .target(name: "AttuneStats"),
    // The measurement engine and kernel comparisons: timing, raw samples, machine description.
    .target(name: "AttuneBench", dependencies: ["AttuneKernels", "AttuneStats"]),
    // Block-size tuners (the seed report's grid and adaptive, Attune's race) and their simulator;
    // package-internal: the planner and the command line use them.
    .target(name: "AttuneTuner", dependencies: ["AttuneKernels", "AttuneStats", "AttuneBench"]),
    // SVG charts and the self-contained HTML report, rendered from saved results; package-internal.
    .target(
      name: "AttuneReport", dependencies: ["AttuneBench", "AttuneTuner", "AttuneStats"]),
    // Wisdom (tuned results kept per machine) and plans that use it.
    .target(
      name: "AttunePlanner",
      dependencies: ["AttuneKernels", "AttuneStats", "AttuneBench", "AttuneTuner", "AttuneFiles"]),
    // `.npy` reading and writing.
    .target(name: "AttuneNPY", dependencies: ["AttuneFiles"]),
    // Files written atomically, alone or several together; package-internal (`.npy` files, wisdom,
    // the command line's JSON and reports use it).
    .target(name: "AttuneFiles"),
    // The command-line tool: parses, calls the libraries, prints. Its own target (an executable
    // cannot be imported) so that its option parsing can be fuzzed; not API.
    .executableTarget(name: "attune", dependencies: ["_AttuneCLI"]),
    .target(
      name: "_AttuneCLI",
      dependencies: [
        "AttuneKernels",
        "AttuneNPY",
        "AttuneFiles",
        "AttuneBench",
        "AttuneStats",
        "AttuneTuner",
        "AttuneReport",
        "AttunePlanner",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Float64 oracle, seeded generator, problem builders: shared by the tests, not a product.
    .target(name: "_AttuneTestSupport", dependencies: ["AttuneKernels"]),
    .testTarget(
      name: "AttuneKernelsTests",
      dependencies: ["AttuneKernels", "_AttuneTestSupport"]
    ),
    .testTarget(name: "AttuneStatsTests", dependencies: ["AttuneStats"]),
    .testTarget(
      name: "AttuneTunerTests", dependencies: ["AttuneTuner", "AttuneStats", "AttuneKernels"]
    ),
    .testTarget(
      name: "AttuneBenchTests",
      dependencies: ["AttuneBench", "AttuneKernels", "AttuneStats", "_AttuneTestSupport"]
    ),
    .testTarget(
      name: "AttuneReportTests",
      dependencies: ["AttuneReport", "AttuneBench", "AttuneTuner", "AttuneKernels"],
      exclude: ["Snapshots", "Fixtures"]
    ),
    .testTarget(
      name: "AttunePlannerTests",
      dependencies: ["AttunePlanner", "AttuneKernels", "_AttuneTestSupport"]
    ),
    .testTarget(
      name: "AttuneNPYTests", dependencies: ["AttuneNPY", "AttuneFiles", "AttuneKernels"]),
    .testTarget(
      name: "AttuneCLITests",
      dependencies: ["attune", "AttuneNPY", "_AttuneTestSupport"]
    ),
  ]
)
