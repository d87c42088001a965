// swift-tools-version: 6.0
//
// Attune: CPU attention kernels that tune themselves.
//
// Vector code. A plain `swiftc -O` build on x86-64 targets SSE2 only: `SIMD16<Float>` becomes four
// 128-bit registers and every fused multiply-add becomes a libm call. So when Attune is built as
// the root package (a clone of this repository), the kernel targets are compiled for the build
// machine's CPU (`-Xcc -march=native`: AVX2 + FMA, AVX-512 where present) and define
// `ATTUNE_FMA`, which switches the kernels' `a + b * c` to fused multiply-adds.
//
// Those are "unsafe" flags, and SwiftPM refuses a fetched dependency whose targets carry any
// (even under a condition). So when this manifest is evaluated as a dependency checked out by
// SwiftPM or Xcode (its directory lies under `checkouts/`), it adds none; the dependent chooses the
// CPU for its whole build instead:
//
//     swift build -c release -Xcc -march=native -Xswiftc -DATTUNE_FMA
//
// `ATTUNE_MARCH` overrides the choice: a `-march` value (`x86-64-v3`, `x86-64-v4`, `znver4`…) for
// a binary that must run on other machines, or `none` for the compiler's baseline.
// On arm64, NEON is the baseline and no flag is needed.

import PackageDescription

/// The `-march` value for the kernel targets, or nil for the compiler's baseline.
let marchValue: String? = {
  #if arch(x86_64)
    let requested = Context.environment["ATTUNE_MARCH"] ?? "native"
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
    .library(name: "AttuneKernels", targets: ["AttuneKernels"]),
    .library(name: "AttuneNPY", targets: ["AttuneNPY"]),
    .library(name: "AttuneStats", targets: ["AttuneStats"]),
    .library(name: "AttuneBench", targets: ["AttuneBench"]),
    .library(name: "AttuneTuner", targets: ["AttuneTuner"]),
    .library(name: "AttuneReport", targets: ["AttuneReport"]),
    .library(name: "AttunePlanner", targets: ["AttunePlanner"]),
    .executable(name: "attune", targets: ["attune"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
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
    // Block-size tuners (the report's grid and adaptive, Attune's race) and their simulator.
    .target(name: "AttuneTuner", dependencies: ["AttuneKernels", "AttuneStats", "AttuneBench"]),
    // SVG charts and the self-contained HTML report, rendered from saved results.
    .target(
      name: "AttuneReport", dependencies: ["AttuneBench", "AttuneTuner", "AttuneStats"]),
    // Wisdom (tuned results kept per machine) and plans that use it.
    .target(
      name: "AttunePlanner",
      dependencies: ["AttuneKernels", "AttuneStats", "AttuneBench", "AttuneTuner", "AttuneNPY"]),
    // `.npy` reading and writing, atomic files.
    .target(name: "AttuneNPY"),
    // The command-line tool: parses, calls the libraries, prints.
    .executableTarget(
      name: "attune",
      dependencies: [
        "AttuneKernels",
        "AttuneNPY",
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
    .testTarget(name: "AttuneNPYTests", dependencies: ["AttuneNPY", "AttuneKernels"]),
    .testTarget(
      name: "AttuneCLITests",
      dependencies: ["attune", "AttuneNPY", "_AttuneTestSupport"]
    ),
  ]
)
