/// How the engine measures: rounds, warm-up, calibration, order, inputs.
public struct MeasurementPlan: Sendable, Hashable, Codable {
  /// Samples per candidate; each round takes one sample of every candidate.
  public var rounds: Int
  /// Untimed calls of each candidate before measuring (caches, page faults, thread start).
  public var warmupCalls: Int
  /// Calibration target: a sample repeats the call until it lasts at least this long, so the
  /// clock's resolution and overhead stay below 0.1 % of a sample.
  public var minimumSampleSeconds: Double
  /// Upper bound on calls per sample.
  public var maximumIterations: Int
  /// Seeds the shuffled order of each round (and fresh inputs).
  public var seed: UInt64
  /// Give each sample new random inputs (through `Candidate.refresh`).
  public var freshInputs: Bool
  /// Separate processes that each ran `rounds` rounds (`ComparisonReport(merging:)`), or nil
  /// for one.
  public var processes: Int?

  /// A plan; the defaults are the report's 10 repetitions.
  public init(
    rounds: Int = 10, warmupCalls: Int = 1, minimumSampleSeconds: Double = 0.01,
    maximumIterations: Int = 1_000_000, seed: UInt64 = 1, freshInputs: Bool = false
  ) {
    self.rounds = rounds
    self.warmupCalls = warmupCalls
    self.minimumSampleSeconds = minimumSampleSeconds
    self.maximumIterations = maximumIterations
    self.seed = seed
    self.freshInputs = freshInputs
  }
}
