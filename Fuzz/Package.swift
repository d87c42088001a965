// swift-tools-version: 6.0
//
// Fuzz targets for Attune's readers of untrusted input (files, and the command line), kept out of
// the main package so that a plain `swift build` there never needs libFuzzer. Build and run with
// scripts/robustness/fuzz.sh:
//
//     swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address
//     Fuzz/.build/release/FuzzNPY Fuzz/Corpus/npy -max_total_time=60

import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory: the clone's, whatever it is called.
let attune = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
  .lastPathComponent.lowercased()

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
  name: "AttuneFuzz",
  platforms: [.macOS(.v15)],
  dependencies: [.package(path: "..")],
  targets: [
    // libFuzzer's driver, handed each target's entry point.
    .target(name: "FuzzDriver"),
    // `.npy` decoding: any bytes must give an array or an NPYError, never a crash.
    .executableTarget(
      name: "FuzzNPY", dependencies: ["FuzzDriver", .product(name: "Attune", package: attune)],
      swiftSettings: fuzzer),
    // Wisdom files: any bytes must give entries or a WisdomError, never a crash.
    .executableTarget(
      name: "FuzzWisdom",
      dependencies: ["FuzzDriver", .product(name: "Attune", package: attune)],
      swiftSettings: fuzzer),
    // Command lines (arguments separated by NUL bytes): parsed and validated, or refused with a
    // message, never a crash.
    .executableTarget(
      name: "FuzzCLI", dependencies: ["FuzzDriver", .product(name: "_AttuneCLI", package: attune)],
      swiftSettings: fuzzer),
  ]
)
