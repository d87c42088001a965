/// The true times of a simulated set of candidates, relative to the fastest.
package struct SimulationProfile: Sendable, Hashable, Codable {
  /// Short name (`clear`, `top3`, `plateau`, `identical`, `tiles`, `identical16`).
  package let name: String
  /// What it models.
  package let summary: String
  /// Each candidate's true time divided by the fastest's.
  package let relativeTimes: [Double]
  /// Each candidate's label.
  package let labels: [String]

  /// Creates a profile; labels default to the report's block sizes (8 candidates) or `c1`, `c2`….
  package init(name: String, summary: String, relativeTimes: [Double], labels: [String]? = nil) {
    self.name = name
    self.summary = summary
    self.relativeTimes = relativeTimes
    self.labels =
      labels
      ?? (relativeTimes.count == Self.reportLabels.count
        ? Self.reportLabels : relativeTimes.indices.map { "c\($0 + 1)" })
  }

  /// The report's candidates: block sizes 64 to 512.
  package static let reportLabels = BlockCandidates.reportSizes.map { "block \($0)" }

  /// The report's four profiles (8 candidates each), then two with 16.
  package static let presets: [SimulationProfile] = [
    SimulationProfile(
      name: "clear", summary: "one clear winner, the next 12 % slower",
      relativeTimes: [1.0, 1.12, 1.25, 1.4, 1.6, 1.85, 2.1, 2.4]),
    SimulationProfile(
      name: "top3", summary: "the top three within 1.2 % and 2 %",
      relativeTimes: [1.0, 1.012, 1.02, 1.12, 1.25, 1.4, 1.6, 1.85]),
    SimulationProfile(
      name: "plateau", summary: "six candidates within 0.5 %, two slower",
      relativeTimes: [1.0, 1.001, 1.002, 1.003, 1.004, 1.005, 1.15, 1.3]),
    SimulationProfile(
      name: "identical", summary: "A/A: all eight identical",
      relativeTimes: [Double](repeating: 1, count: 8)),
    SimulationProfile(
      name: "tiles",
      summary: "a 4 × 4 grid of (blockQ, blockK): a bowl, two within 1 %, two more within 1.5 %",
      relativeTimes: [
        1.30, 1.18, 1.12, 1.15,
        1.16, 1.04, 1.008, 1.02,
        1.10, 1.015, 1.0, 1.012,
        1.22, 1.09, 1.05, 1.07,
      ],
      labels: [32, 64, 128, 256].flatMap { q in
        [64, 128, 256, 512].map { k in "blockQ=\(q),blockK=\(k)" }
      }),
    SimulationProfile(
      name: "identical16", summary: "A/A: sixteen identical",
      relativeTimes: [Double](repeating: 1, count: 16)),
  ]

  /// The report's four profiles.
  package static let report: [SimulationProfile] = Array(presets.prefix(4))

  /// The profile named `name`.
  ///
  /// - Throws: `SimulationError.unknownProfile`.
  package static func named(_ name: String) throws(SimulationError) -> SimulationProfile {
    guard let found = presets.first(where: { $0.name == name }) else {
      throw .unknownProfile(name, known: presets.map(\.name))
    }
    return found
  }
}
