/// One timed sample: `iterations` back-to-back calls of one candidate, as time per call.
public struct Sample: Sendable, Hashable, Codable {
  /// Index of the candidate in the measurement's list.
  public let candidate: Int
  /// The round (0-based); every candidate has one sample per round.
  public let round: Int
  /// Position within the round's shuffled order (0-based).
  public let position: Int
  /// Calls timed together.
  public let iterations: Int
  /// Seconds per call: the sample's duration divided by `iterations`.
  public let seconds: Double
  /// The process (0-based) that took it, when the rounds were spread over several processes
  /// (`ComparisonReport(merging:)`); nil for a run in one process.
  public let process: Int?

  /// Creates a sample.
  public init(
    candidate: Int, round: Int, position: Int, iterations: Int, seconds: Double,
    process: Int? = nil
  ) {
    self.candidate = candidate
    self.round = round
    self.position = position
    self.iterations = iterations
    self.seconds = seconds
    self.process = process
  }
}
