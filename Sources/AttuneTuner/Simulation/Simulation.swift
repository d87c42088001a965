import AttuneKernels
import AttuneStats
import Dispatch

/// Runs strategies on simulated candidates whose true times are known, and scores them.
///
/// Each trial assigns the profile's times to its labels in a fresh random order (so no strategy
/// can profit from where the best sits), scales them to `baseSeconds`, and runs the strategy to
/// its own stop or the budget. A choice is correct when its true time is within `epsilon` of the
/// fastest.
package struct Simulation: Sendable {
  /// The profile of true times.
  package var profile: SimulationProfile
  /// The noise model.
  package var noise: NoiseModel
  /// The fastest candidate's true time in seconds (the report's 2048 × 64 shape runs in about
  /// 20 ms here).
  package var baseSeconds: Double
  /// The indifference margin used to score choices.
  package var epsilon: Double
  /// The budget of every trial.
  package var budget: TuningBudget

  /// A simulation of `profile` under `noise`.
  package init(
    profile: SimulationProfile, noise: NoiseModel, baseSeconds: Double = 0.02,
    epsilon: Double = 0.01, budget: TuningBudget = TuningBudget()
  ) {
    self.profile = profile
    self.noise = noise
    self.baseSeconds = baseSeconds
    self.epsilon = epsilon
    self.budget = budget
  }

  /// The target for trial `trial` of a run seeded with `seed`.
  package func target(trial: Int, seed: UInt64) -> SimulatedTarget {
    var generator = SplitMix64(seed: seed &+ UInt64(trial) &* 0x9E37_79B9_7F4A_7C15)
    let times = profile.relativeTimes.shuffled(using: &generator).map { $0 * baseSeconds }
    return SimulatedTarget(
      trueTimes: times, labels: profile.labels, noise: noise, seed: generator.next())
  }

  /// What one trial gave.
  private struct Trial {
    let slowdown: Double
    let measurements: Int
    let seconds: Double
    let budget: Bool
    let best: Bool
    let margin: Double?
    let dependence: Bool
  }

  /// Runs `trials` trials of `strategy` on both cores and summarises them.
  ///
  /// - Complexity: each trial is at most `budget.measurements` measurements.
  package func run(_ strategy: any TuningStrategy, trials: Int, seed: UInt64) -> SimulationSummary {
    let results = Locked([Trial?](repeating: nil, count: trials))
    DispatchQueue.concurrentPerform(iterations: trials) { trial in
      let target = self.target(trial: trial, seed: seed)
      let outcome = strategy.tune(target, budget: budget, seed: seed &+ UInt64(trial))
      let fastest = target.trueTimes.min() ?? 1
      let chosen = outcome.choice.map { target.trueTimes[$0] } ?? .infinity
      let record = Trial(
        slowdown: chosen / fastest - 1, measurements: outcome.measurements,
        seconds: outcome.seconds, budget: outcome.stopReason != .converged,
        best: outcome.claim == .best, margin: outcome.margin,
        dependence: outcome.autocorrelation != nil)
      results.withLock { $0[trial] = record }
    }
    let records = results.withLock { $0.compactMap { $0 } }
    let correct = records.filter { $0.slowdown <= epsilon + 1e-12 }.count
    func quantile(_ values: [Double], _ p: Double) -> Double {
      (try? Summary(values).quantile(p)) ?? .nan
    }
    let slowdowns = records.map(\.slowdown)
    let measurements = records.map { Double($0.measurements) }
    let seconds = records.map(\.seconds)
    let budgetMargins = records.filter(\.budget).compactMap(\.margin)
    // A budget stop whose margin does not cover the true slowdown, with no warning of
    // dependence, is a broken claim too.
    let marginMisses = records.filter { record in
      record.budget && !record.dependence
        && record.margin.map { record.slowdown > $0 + 1e-12 } == true
    }.count
    return SimulationSummary(
      strategy: strategy.name, profile: profile.name, noise: noise.name, trials: records.count,
      correct: correct,
      correctInterval: (try? ConfidenceInterval.wilson(successes: correct, trials: records.count))
        ?? ConfidenceInterval(lower: 0, upper: 1, confidence: 0.95),
      slowdownMedian: quantile(slowdowns, 0.5), slowdownP95: quantile(slowdowns, 0.95),
      measurementsMean: measurements.reduce(0, +) / Double(max(records.count, 1)),
      measurementsP95: quantile(measurements, 0.95),
      secondsMean: seconds.reduce(0, +) / Double(max(records.count, 1)),
      secondsP95: quantile(seconds, 0.95), budgetStops: records.filter(\.budget).count,
      declaredBest: records.filter(\.best).count,
      budgetStopsWithMargin: budgetMargins.count,
      budgetMarginMedian: budgetMargins.isEmpty ? nil : quantile(budgetMargins, 0.5),
      marginMisses: marginMisses,
      dependenceReported: records.filter(\.dependence).count,
      wrongWithDependence: records.filter { $0.dependence && $0.slowdown > epsilon + 1e-12 }.count,
      declaredBestWithDependence: records.filter { $0.dependence && $0.best }.count)
  }
}
