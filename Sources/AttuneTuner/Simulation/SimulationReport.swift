import AttuneBench

/// The summaries of a simulation run, with a table and the acceptance checks of the race.
public struct SimulationReport: Sendable, Hashable, Codable {
  /// Trials per summary.
  public let trials: Int
  /// Seed.
  public let seed: UInt64
  /// Indifference margin ε.
  public let epsilon: Double
  /// The race's error level δ.
  public let delta: Double
  /// Budget per trial.
  public let budget: TuningBudget
  /// One summary per strategy, profile and noise model.
  public let summaries: [SimulationSummary]

  /// Creates a report.
  public init(
    trials: Int, seed: UInt64, epsilon: Double, delta: Double, budget: TuningBudget,
    summaries: [SimulationSummary]
  ) {
    self.trials = trials
    self.seed = seed
    self.epsilon = epsilon
    self.delta = delta
    self.budget = budget
    self.summaries = summaries
  }

  /// An aligned table, one row per summary.
  public func table() -> String {
    var rows = [
      [
        "profile", "noise", "strategy", "correct", "95% CI", "slowdown med/p95",
        "measurements mean/p95",
        "sim. s mean/p95", "budget stops", "claimed best",
      ]
    ]
    for s in summaries {
      rows.append([
        s.profile, s.noise, s.strategy, pct(s.accuracy),
        "\(pct(s.correctInterval.lower))–\(pct(s.correctInterval.upper))",
        "\(pct(s.slowdownMedian, 2))/\(pct(s.slowdownP95, 2))",
        "\(Int(s.measurementsMean.rounded()))/\(Int(s.measurementsP95.rounded()))",
        "\(fixed(s.secondsMean))/\(fixed(s.secondsP95))", "\(s.budgetStops)", "\(s.declaredBest)",
      ])
    }
    return TextTable.render(rows, leftAligned: 3)
  }

  /// One acceptance check.
  public struct Check: Sendable, Hashable {
    /// Whether it holds.
    public let passed: Bool
    /// What was checked, with the figures.
    public let description: String
    /// `PASS …` or `FAIL …`.
    public var line: String { (passed ? "PASS  " : "FAIL  ") + description }
  }

  /// The race against issue 4's criteria, per profile and noise model: at least 95 % correct,
  /// error rate at most δ, stopping by its own rule in A/A, and where grid or adaptive is also at
  /// least 95 % correct, at most half of grid's and no more than adaptive's mean simulated time.
  public func checks() -> [Check] {
    var checks: [Check] = []
    let scenarios = summaries.map { "\($0.profile)/\($0.noise)" }.reduce(into: [String]()) {
      if !$0.contains($1) { $0.append($1) }
    }
    for scenario in scenarios {
      let rows = summaries.filter { "\($0.profile)/\($0.noise)" == scenario }
      guard let race = rows.first(where: { $0.strategy == "race" }) else { continue }
      checks.append(
        Check(
          passed: race.accuracy >= 0.95 && race.errorRate <= delta,
          description:
            "\(scenario): race correct in \(pct(race.accuracy)) (≥ 95 %), error rate \(pct(race.errorRate)) (≤ \(pct(delta)))"
        ))
      if race.profile == "identical" {
        checks.append(
          Check(
            passed: race.budgetStops == 0,
            description:
              "\(scenario): race stopped by its own rule in \(race.trials - race.budgetStops) of \(race.trials) A/A trials"
          ))
      }
      for other in rows where other.strategy != "race" && other.accuracy >= 0.95 {
        let ratio = race.secondsMean / other.secondsMean
        let limit = other.strategy == "grid" ? 0.5 : 1.0
        checks.append(
          Check(
            passed: ratio <= limit,
            description:
              "\(scenario): race time / \(other.strategy) time = \(fixed(ratio)) (≤ \(fixed(limit)); \(other.strategy) \(pct(other.accuracy)) correct)"
          ))
      }
    }
    return checks
  }

  private func pct(_ value: Double, _ decimals: Int = 1) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return "\((value * 100 * scale).rounded() / scale) %"
  }

  private func fixed(_ value: Double) -> String {
    guard value.isFinite else { return "-" }
    return "\((value * 100).rounded() / 100)"
  }
}
