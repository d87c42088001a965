import AttuneStats

/// How one strategy did over many simulated trials of one profile and noise model.
public struct SimulationSummary: Sendable, Hashable, Codable {
  /// The strategy.
  public let strategy: String
  /// The profile of true times.
  public let profile: String
  /// The noise model.
  public let noise: String
  /// Trials run.
  public let trials: Int
  /// Trials whose choice was within ε of the true fastest.
  public let correct: Int
  /// Wilson 95 % interval for the share correct.
  public let correctInterval: ConfidenceInterval
  /// Median slowdown of the choice against the true fastest (0.01 = 1 % slower).
  public let slowdownMedian: Double
  /// 95th percentile of the slowdown.
  public let slowdownP95: Double
  /// Mean measurements per trial.
  public let measurementsMean: Double
  /// 95th percentile of measurements per trial.
  public let measurementsP95: Double
  /// Mean simulated seconds per trial.
  public let secondsMean: Double
  /// 95th percentile of simulated seconds.
  public let secondsP95: Double
  /// Trials stopped by a budget rather than the strategy's rule.
  public let budgetStops: Int
  /// Trials in which the strategy claimed its choice beats every other candidate.
  public let declaredBest: Int

  /// Share of trials correct.
  public var accuracy: Double { Double(correct) / Double(trials) }
  /// Share of trials wrong: the empirical error rate.
  public var errorRate: Double { 1 - accuracy }
}
