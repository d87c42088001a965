import AttuneBench
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
