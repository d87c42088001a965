/// The true times of a simulated set of candidates, relative to the fastest.
public struct SimulationProfile: Sendable, Hashable, Codable {
  /// Short name (`clear`, `top3`, `plateau`, `identical`).
  public let name: String
  /// What it models.
  public let summary: String
  /// Each candidate's true time divided by the fastest's.
  public let relativeTimes: [Double]

  /// Creates a profile.
  public init(name: String, summary: String, relativeTimes: [Double]) {
    self.name = name
    self.summary = summary
    self.relativeTimes = relativeTimes
  }

  /// The report's candidates: block sizes 64 to 512.
  public static let labels = BlockCandidates.reportSizes.map { "block \($0)" }

  /// The four named profiles, 8 candidates each.
  public static let presets: [SimulationProfile] = [
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
  ]
}
