import AttuneTuner
import Foundation
import Testing

/// The race's promise on candidates whose noise differs (fixed seeds, simulated time only).
struct RaceGuaranteeTests {
  func simulation(_ profile: String, _ noise: String) throws -> Simulation {
    Simulation(profile: try SimulationProfile.named(profile), noise: try NoiseModel.named(noise))
  }

  @Test(
    "error rate ≤ δ when candidates differ in noise level, shape, bursts and warm-up",
    arguments: [
      "lognormal+noisyfastest", "lognormal+hetero", "lognormal+bimodal", "lognormal+bursts",
      "lognormal+warmup",
    ])
  func differingNoise(noise: String) throws {
    // With the fastest at 12 % CV and the others at 1 % (noisyfastest), one variance pooled
    // over all comparisons made this about 92 % right; each comparison's own keeps it above 95 %.
    let summary = try simulation("top3", noise).run(RaceSearch(), trials: 120, seed: 21)
    #expect(summary.errorRate <= 0.05, "\(summary.correct)/\(summary.trials) correct")
  }

  @Test("16 identical candidates: no claim of a best, and every budget stop states its margin")
  func aa16() throws {
    let summary = try simulation("identical16", "outliers").run(
      RaceSearch(), trials: 30, seed: 3)
    #expect(summary.declaredBest == 0)
    #expect(summary.budgetStopsWithMargin == summary.budgetStops)
    #expect(summary.marginMisses == 0)
  }

  @Test("strong autocorrelation is reported in the outcome in most trials")
  func strongDependence() throws {
    let summary = try simulation("top3", "lognormal+ar1strong").run(
      RaceSearch(), trials: 50, seed: 8)
    #expect(summary.dependenceReported > 25, "\(summary.dependenceReported) of 50")
    #expect(
      summary.cleanErrorRate <= 0.05 + 0.05, "wrong without warning: \(summary.cleanErrorRate)")
  }

  @Test("a budget stop claims the margin its last look supports, for its own choice")
  func budgetMargin() throws {
    let target = try simulation("plateau", "lognormal").target(trial: 0, seed: 4)
    let outcome = RaceSearch().tune(target, budget: TuningBudget(measurements: 400), seed: 4)
    #expect(outcome.stopReason == .measurementBudget && outcome.claim == .none)
    let margin = try #require(outcome.margin)
    #expect(margin > 0.01 && margin < 0.2)
    let label = try #require(outcome.choiceLabel)
    #expect(outcome.confidence.contains("\(label) is within"), "\(outcome.confidence)")
    // The claim holds: the choice is within the stated margin of the true fastest.
    let chosen = target.trueTimes[try #require(outcome.choice)]
    #expect(chosen <= (target.trueTimes.min() ?? 0) * (1 + margin))
  }

  @Test("a candidate many times slower is dropped after its first measurement, with its reason")
  func pathological() throws {
    let target = SlowedCandidate(
      inner: try simulation("clear", "lognormal").target(trial: 1, seed: 2), index: 3, factor: 50)
    let outcome = RaceSearch().tune(target, budget: TuningBudget(), seed: 2)
    #expect(outcome.trace.filter { $0.candidate == 3 }.count == 1)
    #expect(outcome.screened?[target.label(3)]?.contains("first measurement") == true)
    #expect(outcome.choice != 3)
  }

  @Test("no candidate leaves by a bound before trimming is active (round 5)")
  func noEarlyLooks() throws {
    let sim = try simulation("clear", "lognormal")
    for trial in 0..<20 {
      let outcome = RaceSearch().tune(
        sim.target(trial: trial, seed: 6), budget: TuningBudget(), seed: 6)
      let perRound = outcome.measurementsPerRound
      // Rounds 3 to 5 measure the same candidates: only the screen (rounds 1 and 2) drops any.
      #expect(perRound.count >= 5)
      #expect(Set(perRound[2..<5]).count == 1, "\(perRound)")
    }
  }
}

/// The simulator's noise: each modifier does what it says.
struct NoiseModelTests {
  @Test("names combine a base and modifiers; unknown parts are one clear error")
  func names() throws {
    let model = try NoiseModel.named("heavy+ar1+warmup")
    #expect(model.tailDegreesOfFreedom == 3 && model.autocorrelation == 0.5)
    #expect(model.warmupAmplitude > 0 && model.name == "heavy+ar1+warmup")
    #expect(throws: SimulationError.self) { try NoiseModel.named("lognormal+nope") }
    #expect(throws: SimulationError.self) { try NoiseModel.named("pink") }
    #expect(throws: SimulationError.self) { try SimulationProfile.named("flat") }
    for name in NoiseModel.audit { _ = try NoiseModel.named(name) }
  }

  /// `count` log-times of candidate `index` of a fresh target.
  func logTimes(_ noise: String, candidate index: Int, count: Int, times: [Double] = [1, 1.1])
    throws -> [Double]
  {
    var target = SimulatedTarget(
      trueTimes: times, labels: times.map { "\($0)" }, noise: try NoiseModel.named(noise),
      seed: 17)
    return try (0..<count).map { _ in Foundation.log(try target.measure(index)) }
  }

  func deviation(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1))
      .squareRoot()
  }

  @Test("noisyfastest: the fastest at 4·CV, the other at CV/3")
  func levels() throws {
    let fast = deviation(try logTimes("lognormal+noisyfastest", candidate: 0, count: 4000))
    let slow = deviation(try logTimes("lognormal+noisyfastest", candidate: 1, count: 4000))
    #expect(abs(fast - 0.12) < 0.01 && abs(slow - 0.01) < 0.001, "\(fast) \(slow)")
  }

  @Test("ar1strong: lag-1 autocorrelation near 0.9 over a candidate's own measurements")
  func autocorrelation() throws {
    let values = try logTimes("lognormal+ar1strong", candidate: 0, count: 20_000)
    let mean = values.reduce(0, +) / Double(values.count)
    let centred = values.map { $0 - mean }
    let rho =
      zip(centred, centred.dropFirst()).map { $0 * $1 }.reduce(0, +)
      / centred.map { $0 * $0 }.reduce(0, +)
    #expect(abs(rho - 0.9) < 0.03, "\(rho)")
  }

  @Test("bimodal and bursts keep the median at the true time (bursts shift it a little)")
  func location() throws {
    for noise in ["lognormal+bimodal", "lognormal+bursts"] {
      var target = SimulatedTarget(
        trueTimes: [1, 1], labels: ["a", "b"], noise: try NoiseModel.named(noise), seed: 3)
      let index = target.bimodal.firstIndex(of: true) ?? 0
      var values: [Double] = []
      for _ in 0..<20_000 { values.append(Foundation.log(try target.measure(index))) }
      let median = values.sorted()[values.count / 2]
      #expect(abs(median) < 0.01, "\(noise): median log-time \(median)")
    }
  }

  @Test("warm-up slows the first measurements only")
  func warmup() throws {
    let values = try logTimes("lognormal+warmup", candidate: 0, count: 40)
    #expect(values[0] > 0.2 && abs(values.suffix(20).reduce(0, +) / 20) < 0.03)
  }
}
