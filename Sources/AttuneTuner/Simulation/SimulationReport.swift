import AttuneBench

/// The summaries of a simulation run, with a table and the acceptance checks of the race.
package struct SimulationReport: Sendable, Hashable, Codable {
  /// Trials per summary.
  package let trials: Int
  /// Seed.
  package let seed: UInt64
  /// Indifference margin ε.
  package let epsilon: Double
  /// The race's error level δ.
  package let delta: Double
  /// Budget per trial.
  package let budget: TuningBudget
  /// One summary per strategy, profile and noise model.
  package let summaries: [SimulationSummary]

  /// Creates a report.
  package init(
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
  package func table() -> String {
    var rows = [
      [
        "profile", "noise", "strategy", "correct", "95% CI", "slowdown med/p95",
        "measurements mean/p95",
        "sim. s mean/p95", "budget stops", "margin med", "claimed best", "dependent",
      ]
    ]
    for s in summaries {
      rows.append([
        s.profile, s.noise, s.strategy, pct(s.accuracy),
        "\(pct(s.correctInterval.lower))–\(pct(s.correctInterval.upper))",
        "\(pct(s.slowdownMedian, 2))/\(pct(s.slowdownP95, 2))",
        "\(Int(s.measurementsMean.rounded()))/\(Int(s.measurementsP95.rounded()))",
        "\(fixed(s.secondsMean))/\(fixed(s.secondsP95))", "\(s.budgetStops)",
        s.budgetMarginMedian.map { pct($0, 2) } ?? "-", "\(s.declaredBest)",
        "\(s.dependenceReported)",
      ])
    }
    return TextTable.render(rows, leftAligned: 3)
  }

  /// One acceptance check.
  package struct Check: Sendable, Hashable {
    /// Whether it holds.
    package let passed: Bool
    /// What was checked, with the figures.
    package let description: String
    /// `PASS …` or `FAIL …`.
    package var line: String { (passed ? "PASS  " : "FAIL  ") + description }
  }

  /// The race's guarantees, per profile and noise model:
  ///
  /// - its error rate is at most δ (the point estimate), and at least 99 % of choices are right
  ///   on the report's four noise models; where the noise is strongly autocorrelated
  ///   (`ar1strong`), an error rate above δ passes only if most outcomes reported the dependence
  ///   and the wrong choices without that warning stay at most δ;
  /// - every budget stop states the margin it reached, and no margin stated without a warning of
  ///   dependence is broken;
  /// - among identical candidates (A/A) it never claims a best on the report's noise models, and
  ///   on the others claims one without a warning of dependence in at most δ of trials.
  package func checks() -> [Check] {
    var checks: [Check] = []
    let baseNoises = Set(NoiseModel.presets.map(\.name))
    for race in summaries where race.strategy == "race" {
      let scenario = "\(race.profile)/\(race.noise)"
      let withinDelta = race.errorRate <= delta
      if race.noise.contains("ar1strong") && !withinDelta {
        let reported = Double(race.dependenceReported) / Double(max(race.trials, 1))
        checks.append(
          Check(
            passed: reported > 0.5 && race.cleanErrorRate <= delta,
            description:
              "\(scenario): race error rate \(pct(race.errorRate)) (over δ = \(pct(delta))), dependence reported in \(race.dependenceReported) of \(race.trials) trials (most) and \(race.wrongWithDependence) of the \(race.trials - race.correct) wrong; wrong without a warning \(pct(race.cleanErrorRate)) (≤ \(pct(delta)))"
          ))
      } else {
        let floor = baseNoises.contains(race.noise) ? 0.99 : 0
        checks.append(
          Check(
            passed: withinDelta && race.accuracy >= floor,
            description:
              "\(scenario): race correct in \(pct(race.accuracy))\(floor > 0 ? " (≥ 99 %)" : ""), error rate \(pct(race.errorRate)) (≤ \(pct(delta)))"
          ))
      }
      if race.budgetStops > 0 {
        checks.append(
          Check(
            passed: race.budgetStopsWithMargin == race.budgetStops && race.marginMisses == 0,
            description:
              "\(scenario): \(race.budgetStopsWithMargin) of \(race.budgetStops) budget stops state the margin reached (median \(pct(race.budgetMarginMedian ?? .nan, 2))), \(race.marginMisses) broken without a warning"
          ))
      }
      if race.profile.hasPrefix("identical") {
        // A claim of a best among identical candidates is a false elimination, which the error
        // level bounds; on the report's noise models the race makes none at all.
        let clean = race.declaredBest - race.declaredBestWithDependence
        let base = baseNoises.contains(race.noise)
        let limit = base ? 0 : Int((delta * Double(race.trials)).rounded(.down))
        checks.append(
          Check(
            passed: clean <= limit,
            description:
              "\(scenario): race claimed a best among identical candidates in \(race.declaredBest) of \(race.trials) trials, \(clean) without a warning of dependence (\(base ? "0" : "≤ δ"))"
          ))
      }
    }
    return checks
  }

  /// The race's cost against each other strategy that is at least 95 % right in the same
  /// scenario: mean simulated time, as a ratio.
  package func costNotes() -> [String] {
    var notes: [String] = []
    for race in summaries where race.strategy == "race" {
      for other in summaries
      where other.strategy != "race" && other.profile == race.profile
        && other.noise == race.noise && other.accuracy >= 0.95
      {
        notes.append(
          "\(race.profile)/\(race.noise): race time / \(other.strategy) time = \(fixed(race.secondsMean / other.secondsMean)) (\(other.strategy) \(pct(other.accuracy)) correct)"
        )
      }
    }
    return notes
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
