import AttuneBench
import AttuneKernels
import AttuneStats
import Testing

/// What the comparison's statistics conclude from synthetic timings whose truth is known:
/// identical candidates are not told apart, a 20 % slower one is, even under drift.
struct DetectionTests {
  /// The speedup interval of candidate 1 against candidate 0 over `rounds` rounds.
  func speedup(of factor: Double, seed: UInt64, drift: @escaping @Sendable (Double) -> Double)
    throws -> EntryStatistics
  {
    let clock = SyntheticClock(seed: seed, noise: 0.05, drift: drift)
    let measurement = MeasurementEngine(clock: clock).measure(
      [clock.candidate("base", seconds: 0.01), clock.candidate("other", seconds: 0.01 * factor)],
      plan: MeasurementPlan(rounds: 10, minimumSampleSeconds: 0, seed: seed))
    return try EntryStatistics(
      seconds: measurement.seconds(of: 1), flops: 1, baseline: "base",
      ratios: measurement.pairedRatios(0, over: 1))
  }

  /// Slow drift: the machine gets up to 30 % slower and back over the run.
  static let drift: @Sendable (Double) -> Double = { t in
    1 + 0.3 * (t / 0.1).truncatingRemainder(dividingBy: 1)
  }

  @Test("A/A: two identical candidates give a speedup interval containing 1", arguments: 1...5)
  func identical(seed: Int) throws {
    let stats = try speedup(of: 1.0, seed: UInt64(seed), drift: Self.drift)
    let interval = try #require(stats.speedupInterval)
    #expect(interval.contains(1), "\(interval)")
  }

  @Test("a candidate 20 % slower is detected: the whole interval lies below 1", arguments: 1...5)
  func slower(seed: Int) throws {
    let stats = try speedup(of: 1.2, seed: UInt64(seed), drift: Self.drift)
    let interval = try #require(stats.speedupInterval)
    #expect(interval.upper < 1, "\(interval)")
    #expect(abs((stats.speedup ?? 0) - 1 / 1.2) < 0.05)
  }

  @Test("pairing by round cancels drift that unpaired medians would suffer")
  func pairing() throws {
    // A step: the machine is twice as slow in the second half of the run. Paired per-round
    // ratios still find the true ratio of 1.
    let step: @Sendable (Double) -> Double = { t in t > 0.1 ? 2 : 1 }
    let stats = try speedup(of: 1.0, seed: 9, drift: step)
    #expect(abs((stats.speedup ?? 0) - 1) < 0.05)
  }
}

/// A run against a saved baseline (two separate runs, no rounds in common) on the synthetic
/// clock: identical code shows no change, a 5 % slower one is a regression.
struct BaselineTests {
  /// `rounds` samples of one candidate taking `seconds`, from a clock seeded with `seed`.
  func run(seconds: Double, seed: UInt64, rounds: Int = 30) -> [Double] {
    let clock = SyntheticClock(seed: seed, noise: 0.02, drift: { _ in 1 })
    let measurement = MeasurementEngine(clock: clock).measure(
      [clock.candidate("kernel", seconds: seconds)],
      plan: MeasurementPlan(rounds: rounds, minimumSampleSeconds: 0, seed: seed))
    return measurement.seconds(of: 0)
  }

  @Test("A/A against a saved baseline: no change in at least 19 of 20 runs")
  func identical() throws {
    var unchanged = 0
    for seed in 1...20 {
      let change = try BaselineComparison.change(
        now: run(seconds: 0.01, seed: UInt64(100 + seed)), then: run(seconds: 0.01, seed: 7))
      if change.verdict == .noChange { unchanged += 1 }
    }
    #expect(unchanged >= 19, "\(unchanged) of 20")
  }

  @Test("a 5 % slower build is a regression in every run; 5 % faster an improvement")
  func regression() throws {
    for seed in 1...20 {
      let baseline = run(seconds: 0.01, seed: 7)
      let slower = try BaselineComparison.change(
        now: run(seconds: 0.0105, seed: UInt64(200 + seed)), then: baseline)
      #expect(slower.verdict == .slower, "\(slower)")
      #expect(abs(slower.ratio - 1.05) < 0.02 && slower.interval.contains(slower.ratio))
      let faster = try BaselineComparison.change(
        now: run(seconds: 0.01 / 1.05, seed: UInt64(300 + seed)), then: baseline)
      #expect(faster.verdict == .faster, "\(faster)")
    }
  }

  @Test("a change inside the threshold is no change, even when significant")
  func threshold() throws {
    let change = try BaselineComparison.change(
      now: run(seconds: 0.0101, seed: 5, rounds: 200),
      then: run(seconds: 0.01, seed: 6, rounds: 200),
      threshold: 0.02)
    #expect(change.verdict == .noChange && change.interval.lower > 1, "\(change)")
  }
}

/// Against a saved baseline on a machine that changed speed as a whole between the runs (a shared
/// host): times relative to a reference kernel measured in the same rounds cancel the change.
struct BaselineReferenceTests {
  /// A run of two correct kernels on the synthetic clock: `reference` (10 ms) and `mine`
  /// (`mine` seconds), on a machine `machine` times slower than usual.
  func run(mine: Double, machine: Double, seed: UInt64) throws -> ComparisonReport {
    let clock = SyntheticClock(seed: seed, noise: 0.02, drift: { _ in machine })
    var comparison = Comparison(
      shapes: [.square(tokens: 8, headDim: 4)], baselineKernel: "reference",
      plan: MeasurementPlan(rounds: 20, minimumSampleSeconds: 0, seed: seed))
    let naive = NaiveAttention()
    for (name, seconds) in [("reference", 0.01), ("mine", mine)] {
      comparison.add(
        CustomAttention(name: name) { problem, output in
          naive.compute(problem, into: output)
          clock.spend(seconds)
        })
    }
    return try comparison.run(engine: MeasurementEngine(clock: clock))
  }

  @Test(
    "a machine 15 % slower as a whole: a regression by raw times, no change relative to a reference"
  )
  func machineDrift() throws {
    let baseline = try run(mine: 0.01, machine: 1, seed: 7)
    var unchanged = 0
    for seed in 1...20 {
      let today = try run(mine: 0.01, machine: 1.15, seed: UInt64(400 + seed))
      let raw = try BaselineComparison(current: today, baseline: baseline)
      #expect(raw.rows.count == 2 && raw.hasRegression, "\(raw.rows)")
      let relative = try BaselineComparison(
        current: today, baseline: baseline, reference: "reference")
      #expect(relative.rows.map(\.label) == ["mine"], "the reference gets no verdict")
      if relative.rows.first?.verdict == .noChange { unchanged += 1 }
    }
    #expect(unchanged >= 19, "\(unchanged) of 20")
  }

  @Test("a 5 % slower kernel on a 15 % slower machine is a regression relative to the reference")
  func regressionUnderDrift() throws {
    let baseline = try run(mine: 0.01, machine: 1, seed: 7)
    for seed in 1...20 {
      let today = try run(mine: 0.0105, machine: 1.15, seed: UInt64(500 + seed))
      let relative = try BaselineComparison(
        current: today, baseline: baseline, reference: "reference")
      let row = try #require(relative.rows.first)
      #expect(row.verdict == .slower && abs(row.ratio - 1.05) < 0.02, "\(row)")
      #expect(relative.summary().contains("relative to reference"))
    }
  }

  @Test("a shape without the reference kernel is listed as unmatched, not compared")
  func missingReference() throws {
    let baseline = try run(mine: 0.01, machine: 1, seed: 7)
    let today = try run(mine: 0.01, machine: 1, seed: 8)
    let relative = try BaselineComparison(current: today, baseline: baseline, reference: "other")
    #expect(relative.rows.isEmpty)
    #expect(relative.unmatched.count == 2 && relative.unmatched[0].contains("no other"))
  }
}

struct ShiftIntervalTests {
  @Test("Hodges–Lehmann shift and its interval match brute force over the pairwise differences")
  func reference() throws {
    // x − 10: the shift is exactly 10, and the interval of 5×5 differences at 95 % is
    // [D(3), D(23)] (k = 3 by the normal approximation with continuity correction).
    let y = [1.0, 2.5, 3.0, 4.2, 5.1]
    let x = y.map { $0 + 10 }
    let shift = try ShiftInterval(x, y)
    #expect(shift.estimate == 10)
    let differences = x.flatMap { a in y.map { a - $0 } }.sorted()
    #expect(shift.interval.lower == differences[2] && shift.interval.upper == differences[22])
    #expect(shift.interval.confidence > 0.9 && shift.interval.confidence < 1)
    #expect(throws: StatsError.empty) { try ShiftInterval([], y) }
  }
}
