import AttuneKernels
import AttuneStats
import Foundation

/// The full record of one comparison: machine, plan, entries, every raw sample, statistics.
///
/// Encodes to the JSON described by `schemas/compare.schema.json` and decodes back unchanged.
public struct ComparisonReport: Sendable, Hashable, Codable {
  /// The version of this format; readers refuse other versions.
  public static let currentSchemaVersion = 1

  /// This file's format version.
  public let schemaVersion: Int
  /// Where it was measured.
  public let machine: MachineDescription
  /// How it was measured.
  public let plan: MeasurementPlan
  /// The baseline kernel's name.
  public let baselineKernel: String
  /// The measured configurations; `Sample.candidate` indexes this list.
  public let entries: [ComparisonEntry]
  /// Every raw sample, in the order taken.
  public let samples: [Sample]
  /// Statistics per entry, in the order of `entries`.
  public let statistics: [EntryStatistics]

  /// Assembles a result and computes its statistics.
  ///
  /// - Throws: `StatsError` if an entry has no samples.
  init(
    machine: MachineDescription, plan: MeasurementPlan, baselineKernel: String,
    entries: [ComparisonEntry], measurement: Measurement
  ) throws(StatsError) {
    schemaVersion = Self.currentSchemaVersion
    self.machine = machine
    self.plan = plan
    self.baselineKernel = baselineKernel
    self.entries = entries
    samples = measurement.samples
    var statistics: [EntryStatistics] = []
    for (index, entry) in entries.enumerated() {
      let base = Self.baselineIndex(for: index, in: entries, kernel: baselineKernel)
      statistics.append(
        try EntryStatistics(
          seconds: measurement.seconds(of: index), flops: entry.flops,
          baseline: base.map { entries[$0].label },
          ratios: base.map { measurement.pairedRatios($0, over: index) }))
    }
    self.statistics = statistics
  }

  /// The entry of the baseline kernel for the same shape: the one with the same block size if
  /// there is one, else the first.
  static func baselineIndex(for index: Int, in entries: [ComparisonEntry], kernel: String) -> Int? {
    let entry = entries[index]
    let candidates = entries.indices.filter {
      entries[$0].kernel == kernel && entries[$0].shape == entry.shape
    }
    return candidates.first { entries[$0].blockSize == entry.blockSize } ?? candidates.first
  }

  /// Reads a result written by `attune compare --json`.
  ///
  /// - Throws: `DecodingError` for malformed JSON, or `ComparisonFormatError` for another
  ///   schema version.
  public static func decode(_ data: Data) throws -> ComparisonReport {
    struct Version: Decodable { let schemaVersion: Int }
    let version = try JSONDecoder().decode(Version.self, from: data).schemaVersion
    guard version == currentSchemaVersion else {
      throw ComparisonFormatError(found: version, expected: currentSchemaVersion)
    }
    return try JSONDecoder().decode(ComparisonReport.self, from: data)
  }

  /// The JSON text, keys sorted, indented.
  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }
}

/// A comparison file of a schema version this build cannot read.
public struct ComparisonFormatError: Error, CustomStringConvertible {
  /// The version in the file.
  public let found: Int
  /// The version this build reads.
  public let expected: Int
  /// One line.
  public var description: String {
    "comparison file has schema version \(found); this attune reads version \(expected)"
  }
}
