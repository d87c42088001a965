import AttuneStats

/// How one strategy did over many simulated trials of one profile and noise model.
package struct SimulationSummary: Sendable, Hashable, Codable {
  /// The strategy.
  package let strategy: String
  /// The profile of true times.
  package let profile: String
  /// The noise model.
  package let noise: String
  /// Trials run.
  package let trials: Int
  /// Trials whose choice was within ε of the true fastest.
  package let correct: Int
  /// Wilson 95 % interval for the share correct.
  package let correctInterval: ConfidenceInterval
  /// Median slowdown of the choice against the true fastest (0.01 = 1 % slower).
  package let slowdownMedian: Double
  /// 95th percentile of the slowdown.
  package let slowdownP95: Double
  /// Mean measurements per trial.
  package let measurementsMean: Double
  /// 95th percentile of measurements per trial.
  package let measurementsP95: Double
  /// Mean simulated seconds per trial.
  package let secondsMean: Double
  /// 95th percentile of simulated seconds.
  package let secondsP95: Double
  /// Trials stopped by a budget rather than the strategy's rule.
  package let budgetStops: Int
  /// Trials in which the strategy claimed its choice beats every other candidate.
  package let declaredBest: Int
  /// Budget stops whose outcome states the margin reached (`TuningOutcome.margin`).
  package let budgetStopsWithMargin: Int
  /// The median of those margins, nil without any.
  package let budgetMarginMedian: Double?
  /// Budget stops whose stated margin is smaller than the choice's true slowdown, with no warning
  /// of dependence: broken claims.
  package let marginMisses: Int
  /// Trials whose outcome reports dependence between consecutive measurements.
  package let dependenceReported: Int
  /// Wrong trials whose outcome reports dependence (so the claim came with a warning).
  package let wrongWithDependence: Int
  /// Trials claiming a best whose outcome reports dependence.
  package let declaredBestWithDependence: Int

  /// Creates a summary.
  package init(
    strategy: String, profile: String, noise: String, trials: Int, correct: Int,
    correctInterval: ConfidenceInterval, slowdownMedian: Double, slowdownP95: Double,
    measurementsMean: Double, measurementsP95: Double, secondsMean: Double, secondsP95: Double,
    budgetStops: Int, declaredBest: Int, budgetStopsWithMargin: Int = 0,
    budgetMarginMedian: Double? = nil, marginMisses: Int = 0, dependenceReported: Int = 0,
    wrongWithDependence: Int = 0, declaredBestWithDependence: Int = 0
  ) {
    self.strategy = strategy
    self.profile = profile
    self.noise = noise
    self.trials = trials
    self.correct = correct
    self.correctInterval = correctInterval
    self.slowdownMedian = slowdownMedian
    self.slowdownP95 = slowdownP95
    self.measurementsMean = measurementsMean
    self.measurementsP95 = measurementsP95
    self.secondsMean = secondsMean
    self.secondsP95 = secondsP95
    self.budgetStops = budgetStops
    self.declaredBest = declaredBest
    self.budgetStopsWithMargin = budgetStopsWithMargin
    self.budgetMarginMedian = budgetMarginMedian
    self.marginMisses = marginMisses
    self.dependenceReported = dependenceReported
    self.wrongWithDependence = wrongWithDependence
    self.declaredBestWithDependence = declaredBestWithDependence
  }

  private enum CodingKeys: String, CodingKey {
    case strategy, profile, noise, trials, correct, correctInterval, slowdownMedian, slowdownP95
    case measurementsMean, measurementsP95, secondsMean, secondsP95, budgetStops, declaredBest
    case budgetStopsWithMargin, budgetMarginMedian, marginMisses, dependenceReported
    case wrongWithDependence, declaredBestWithDependence
  }

  /// Decodes a summary; files saved before the margin and dependence counts read them as 0.
  package init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    strategy = try c.decode(String.self, forKey: .strategy)
    profile = try c.decode(String.self, forKey: .profile)
    noise = try c.decode(String.self, forKey: .noise)
    trials = try c.decode(Int.self, forKey: .trials)
    correct = try c.decode(Int.self, forKey: .correct)
    correctInterval = try c.decode(ConfidenceInterval.self, forKey: .correctInterval)
    slowdownMedian = try c.decode(Double.self, forKey: .slowdownMedian)
    slowdownP95 = try c.decode(Double.self, forKey: .slowdownP95)
    measurementsMean = try c.decode(Double.self, forKey: .measurementsMean)
    measurementsP95 = try c.decode(Double.self, forKey: .measurementsP95)
    secondsMean = try c.decode(Double.self, forKey: .secondsMean)
    secondsP95 = try c.decode(Double.self, forKey: .secondsP95)
    budgetStops = try c.decode(Int.self, forKey: .budgetStops)
    declaredBest = try c.decode(Int.self, forKey: .declaredBest)
    budgetStopsWithMargin = try c.decodeIfPresent(Int.self, forKey: .budgetStopsWithMargin) ?? 0
    budgetMarginMedian = try c.decodeIfPresent(Double.self, forKey: .budgetMarginMedian)
    marginMisses = try c.decodeIfPresent(Int.self, forKey: .marginMisses) ?? 0
    dependenceReported = try c.decodeIfPresent(Int.self, forKey: .dependenceReported) ?? 0
    wrongWithDependence = try c.decodeIfPresent(Int.self, forKey: .wrongWithDependence) ?? 0
    declaredBestWithDependence =
      try c.decodeIfPresent(Int.self, forKey: .declaredBestWithDependence) ?? 0
  }

  /// Share of trials correct.
  package var accuracy: Double { Double(correct) / Double(trials) }
  /// Share of trials wrong: the empirical error rate.
  package var errorRate: Double { 1 - accuracy }
  /// Share of trials wrong without a warning of dependence: claims that were clean and false.
  package var cleanErrorRate: Double {
    Double(trials - correct - wrongWithDependence) / Double(max(trials, 1))
  }
}
