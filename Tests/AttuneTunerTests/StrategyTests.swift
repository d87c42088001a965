import AttuneStats
import AttuneTuner
import Foundation
import Testing

/// The strategies on simulated candidates whose true times are known (fixed seeds, no timing).
struct StrategyTests {
  func simulation(_ profile: String, _ noise: String = "lognormal") -> Simulation {
    Simulation(
      profile: (try? SimulationProfile.named(profile)) ?? SimulationProfile.presets[0],
      noise: (try? NoiseModel.named(noise)) ?? NoiseModel.presets[0])
  }

  /// A budget stop on a noisy host can bound a margin so loosely that e^(−bound) − 1 overflows:
  /// the claim's percentage must still print (it trapped converting ∞ to Int).
  @Test("the race's percentages print for any margin, however large")
  func racePercentages() {
    #expect(RaceSearch.percent(0.00123) == "0.2 %")
    #expect(RaceSearch.percent(0.05) == "5.0 %")
    #expect(RaceSearch.percent(0.95) == "95 %")
    #expect(RaceSearch.percent(9_999) == "999900 %")
    #expect(RaceSearch.percent(123_456) == "1.2e+07 %")
    #expect(RaceSearch.percent(1e300) == "1.0e+302 %")
    #expect(RaceSearch.percent(Foundation.expm1(800)) == "∞ %")
    #expect(RaceSearch.percent(.nan) == "an unknown %")
  }

  /// "With probability ≥ p": p printed as a lower bound, never rounded up to a certainty.
  @Test("the race's confidence prints as a lower bound")
  func confidenceIsALowerBound() {
    #expect(RaceSearch.probabilityAtLeast(0.95) == "95 %")
    #expect(RaceSearch.probabilityAtLeast(0.995) == "99.5 %")
    #expect(RaceSearch.probabilityAtLeast(1 - 1e-6) == "99.9999 %")
    #expect(RaceSearch.probabilityAtLeast(0.949_99) == "94 %")
    #expect(RaceSearch.probabilityAtLeast(1) == "100 %")
    #expect(RaceSearch.probabilityAtLeast(0) == "0 %")
    #expect(RaceSearch.probabilityAtLeast(.nan) == "an unknown %")
  }

  @Test("grid measures every candidate twice in round 1, then once per round: constant rounds")
  func gridRounds() {
    let target = simulation("plateau").target(trial: 0, seed: 3)
    let outcome = GridSearch().tune(target, budget: TuningBudget(measurements: 200), seed: 3)
    let rounds = outcome.measurementsPerRound
    #expect(rounds.first == 16)
    #expect(rounds.dropFirst().allSatisfy { $0 == 8 })
    #expect(outcome.stopReason == .measurementBudget)
    #expect(outcome.measurements == 200)
  }

  @Test("adaptive measures fewer candidates per round as challengers drop out")
  func adaptiveRounds() {
    let target = simulation("top3").target(trial: 1, seed: 5)
    let outcome = AdaptiveSearch().tune(target, budget: TuningBudget(), seed: 5)
    let rounds = outcome.measurementsPerRound
    #expect(rounds.first == 16)
    #expect(rounds.count >= 3)
    #expect(rounds.dropFirst().allSatisfy { $0 < 8 }, "\(rounds)")
  }

  @Test(
    "race picks within ε of the fastest in ≥ 95 % of trials, error ≤ δ, on every profile",
    arguments: ["clear", "top3", "plateau", "identical"])
  func raceAccuracy(profile: String) {
    let summary = simulation(profile).run(RaceSearch(), trials: 300, seed: 11)
    #expect(summary.accuracy >= 0.95, "\(summary.correct)/\(summary.trials)")
    #expect(summary.errorRate <= 0.05)
  }

  @Test("race stops by its own rule in A/A, without claiming a best, and grid does not")
  func identical() {
    let sim = simulation("identical")
    let race = sim.run(RaceSearch(), trials: 200, seed: 2)
    #expect(race.budgetStops == 0)
    #expect(race.declaredBest == 0)
    #expect(race.dependenceReported < 20, "independent noise rarely looks dependent")
    let grid = sim.run(GridSearch(), trials: 50, seed: 2)
    #expect(grid.budgetStops > 40, "the report's grid runs to the budget when all are tied")
  }

  @Test("with heavy outliers the report's methods err, the race does not")
  func outliers() {
    let sim = simulation("top3", "outliers")
    let race = sim.run(RaceSearch(), trials: 200, seed: 4)
    let grid = sim.run(GridSearch(), trials: 200, seed: 4)
    #expect(race.accuracy >= 0.95)
    #expect(grid.accuracy < race.accuracy)
  }

  @Test("every strategy respects the measurement and time budgets and says so")
  func budgets() {
    let target = simulation("identical").target(trial: 2, seed: 7)
    for strategy in [GridSearch(), AdaptiveSearch(), RaceSearch()] as [any TuningStrategy] {
      let byCount = strategy.tune(target, budget: TuningBudget(measurements: 30), seed: 1)
      #expect(byCount.measurements <= 30 && byCount.stopReason == .measurementBudget)
      #expect(byCount.claim == .none && byCount.choice != nil)
      #expect(byCount.margin == nil, "30 measurements of 8 candidates: no look, no margin")
      let byTime = strategy.tune(
        target, budget: TuningBudget(measurements: 10_000, seconds: 1), seed: 1)
      #expect(byTime.stopReason == .timeBudget && byTime.seconds <= 1)
    }
  }

  @Test("a measurement that would end past the time budget is not started, the first included")
  func budgetIsAPromise() {
    /// Candidates whose every measurement takes `seconds` of the target's clock.
    struct Fixed: TuningTarget {
      let seconds: [Double]
      let expected: Double?
      var elapsedSeconds = 0.0
      var candidateCount: Int { seconds.count }
      func label(_ index: Int) -> String { "c\(index)" }
      mutating func measure(_ index: Int) throws -> Double {
        elapsedSeconds += seconds[index]
        return seconds[index]
      }
      func expectedMeasurementSeconds(_ index: Int) -> Double? { expected }
    }
    for strategy in [GridSearch(), AdaptiveSearch(), RaceSearch()] as [any TuningStrategy] {
      // 0.3 s per measurement and a budget of 1 s: three measurements, never a fourth.
      let even = strategy.tune(
        Fixed(seconds: [0.3, 0.3, 0.3], expected: 0.3), budget: TuningBudget(seconds: 1), seed: 1)
      #expect(even.measurements == 3 && even.seconds <= 1, "\(strategy.name)")
      // A first measurement expected to outlast the budget is not started: no choice, and the
      // outcome says the budget stopped it (not that every candidate failed).
      let tooSlow = strategy.tune(
        Fixed(seconds: [2, 2], expected: 2), budget: TuningBudget(seconds: 1), seed: 1)
      #expect(tooSlow.measurements == 0 && tooSlow.choice == nil)
      #expect(tooSlow.stopReason == .timeBudget)
    }
  }

  @Test("the trace holds every measurement with its round")
  func trace() {
    let target = simulation("top3").target(trial: 3, seed: 9)
    for strategy in [GridSearch(), AdaptiveSearch(), RaceSearch()] as [any TuningStrategy] {
      let outcome = strategy.tune(target, budget: TuningBudget(), seed: 9)
      #expect(outcome.trace.count == outcome.measurements)
      #expect(outcome.measurementsPerRound.reduce(0, +) == outcome.measurements)
      #expect(outcome.trace.allSatisfy { $0.seconds > 0 && $0.candidate < 8 })
    }
  }

  @Test("a candidate that fails is dropped and reported, not fatal")
  func failingCandidate() {
    struct Failing: TuningTarget {
      var inner: SimulatedTarget
      var candidateCount: Int { inner.candidateCount }
      func label(_ index: Int) -> String { inner.label(index) }
      var elapsedSeconds: Double { inner.elapsedSeconds }
      mutating func measure(_ index: Int) throws -> Double {
        struct Crash: Error {}
        if index == 2 { throw Crash() }
        return try inner.measure(index)
      }
    }
    let target = Failing(inner: simulation("clear").target(trial: 4, seed: 1))
    for strategy in [GridSearch(), AdaptiveSearch(), RaceSearch()] as [any TuningStrategy] {
      let outcome = strategy.tune(target, budget: TuningBudget(), seed: 1)
      #expect(outcome.failures.keys.contains(target.label(2)))
      #expect(outcome.choice != nil && outcome.choice != 2)
    }
  }

  @Test("a candidate over the time limit per call is dropped and reported")
  func slowCandidate() {
    // Candidate 5 about 2 s per call; the others 20–40 ms.
    let target = SlowedCandidate(
      inner: simulation("clear").target(trial: 2, seed: 1), index: 5, factor: 100)
    for strategy in [GridSearch(), AdaptiveSearch(), RaceSearch()] as [any TuningStrategy] {
      let limited = strategy.tune(target, budget: TuningBudget(candidateSeconds: 0.5), seed: 1)
      #expect(limited.failures[target.label(5)]?.contains("over the limit of 0.5 s") == true)
      #expect(limited.choice != nil && limited.choice != 5)
      let unlimited = strategy.tune(target, budget: TuningBudget(), seed: 1)
      #expect(unlimited.failures.isEmpty)
    }
  }

  @Test("the race looks on a geometric schedule, from the first round trimming removes a value")
  func schedule() {
    #expect(RaceSearch().firstLook == 5)
    #expect(RaceSearch().looks(upTo: 30) == [5, 6, 8, 10, 12, 15, 18, 22, 27])
    #expect(RaceSearch(trim: 0.1).firstLook == 10)
    // The levels of all looks sum to at most δ / (K − 1), however many looks there are.
    let race = RaceSearch(delta: 0.05)
    let total = (1...100_000).reduce(0.0) { $0 + race.level(look: $1, candidates: 8) }
    #expect(total <= 0.05 / 7 && total > 0.05 / 7 * 0.9999)
  }
}

struct RobustStatisticsTests {
  @Test("trimmed mean and Winsorized variance match SciPy")
  func trimmedMean() throws {
    let x = [3.1, 2.7, 5.9, 3.3, 3.0, 2.9, 12.0, 3.2, 2.8, 3.05]
    let t = try TrimmedMean(x, proportion: 0.2)
    #expect(abs(t.mean - 3.0916666666666663) < 1e-12)  // scipy.stats.trim_mean(x, 0.2)
    // np.var(scipy.stats.mstats.winsorize(x, limits=(0.2, 0.2)), ddof=1)
    #expect(abs(t.winsorizedVariance - 0.02913888888888888) < 1e-12)
    #expect(t.effectiveCount == 6)
    #expect(throws: StatsError.invalidProbability(0.5)) { try TrimmedMean(x, proportion: 0.5) }
  }

  @Test("the Wilson interval matches its formula's values")
  func wilson() throws {
    // (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with z = scipy.stats.norm.ppf(0.975)
    let a = try ConfidenceInterval.wilson(successes: 950, trials: 1000)
    #expect(abs(a.lower - 0.9346861797557492) < 1e-9 && abs(a.upper - 0.9618697376072513) < 1e-9)
    let b = try ConfidenceInterval.wilson(successes: 0, trials: 20)
    #expect(b.lower == 0 && abs(b.upper - 0.16112515805281938) < 1e-9)
    #expect(throws: StatsError.empty) { try ConfidenceInterval.wilson(successes: 0, trials: 0) }
  }
}
