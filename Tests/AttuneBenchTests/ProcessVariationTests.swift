import AttuneBench
import AttuneKernels
import Testing
import _AttuneTestSupport

/// Against a saved baseline when each process runs a kernel at its own speed (code and data laid
/// out differently: a percent or two on real machines, more than the spread inside a process).
/// Rounds spread over several processes (`ComparisonReport(merging:)`) let the verdict see it.
struct ProcessVariationTests {
  /// One process's run of `reference` (10 ms) and `mine` (`mine` seconds times this process's
  /// own factor, log-normal with a 1.5 % spread, drawn from `seed`), 0.5 % noise per call.
  func process(mine: Double, seed: UInt64) throws -> ComparisonReport {
    var generator = SplitMix64(seed: seed &* 7919)
    let layout = (0.015 * Double(generator.nextGaussian())).exponential()
    let clock = SyntheticClock(seed: seed, noise: 0.005)
    var comparison = Comparison(
      shapes: [.square(tokens: 8, headDim: 4)], baselineKernel: "reference",
      plan: MeasurementPlan(rounds: 10, minimumSampleSeconds: 0, seed: seed))
    let naive = NaiveAttention()
    for (name, seconds) in [("reference", 0.01), ("mine", mine * layout)] {
      comparison.add(
        CustomAttention(name: name) { problem, output in
          naive.compute(problem, into: output)
          clock.spend(seconds)
        })
    }
    return try comparison.run(engine: MeasurementEngine(clock: clock))
  }

  /// `count` processes from seed `seed` on, merged (one process: its report alone).
  func run(mine: Double, processes count: Int, seed: UInt64) throws -> ComparisonReport {
    let parts = try (0..<UInt64(count)).map { try process(mine: mine, seed: seed + $0) }
    return count == 1 ? parts[0] : try ComparisonReport(merging: parts)
  }

  func verdict(_ today: ComparisonReport, _ baseline: ComparisonReport) throws
    -> BaselineComparison.Row
  {
    let versus = try BaselineComparison(
      current: today, baseline: baseline, reference: "reference")
    return try #require(versus.rows.first)
  }

  @Test("A/A across processes: one process each errs often; five each, no change in 19 of 20")
  func identical() throws {
    var single = 0
    var spread = 0
    for run in 0..<20 {
      let seed = UInt64(1000 + 100 * run)
      let one = try verdict(
        self.run(mine: 0.01, processes: 1, seed: seed),
        self.run(mine: 0.01, processes: 1, seed: seed + 50))
      if one.verdict == .noChange { single += 1 }
      let five = try verdict(
        self.run(mine: 0.01, processes: 5, seed: seed),
        self.run(mine: 0.01, processes: 5, seed: seed + 50))
      if five.verdict == .noChange { spread += 1 }
    }
    // The model must show the problem: samples of one process alone claim changes that are
    // only another layout.
    #expect(single <= 16, "one process each: \(single) of 20 no change")
    #expect(spread >= 19, "five processes each: \(spread) of 20 no change")
  }

  @Test("a 5 % slower kernel across five processes each is a regression in 19 of 20 runs")
  func regression() throws {
    var caught = 0
    for run in 0..<20 {
      let seed = UInt64(5000 + 100 * run)
      let row = try verdict(
        self.run(mine: 0.0105, processes: 5, seed: seed),
        self.run(mine: 0.01, processes: 5, seed: seed + 50))
      if row.verdict == .slower { caught += 1 }
      #expect(row.verdict != .faster, "run \(run): \(row)")
    }
    #expect(caught >= 19, "\(caught) of 20")
  }

  @Test("merged runs: rounds follow one another, samples keep their process, levels labelled")
  func merging() throws {
    let parts = try (0..<3).map { try process(mine: 0.01, seed: 70 + UInt64($0)) }
    let merged = try ComparisonReport(merging: parts)
    #expect(merged.plan.rounds == 30 && merged.plan.processes == 3)
    #expect(merged.samples.count == parts.map(\.samples.count).reduce(0, +))
    for (p, part) in parts.enumerated() {
      let mine = merged.samples.filter { $0.process == p }
      #expect(mine.map(\.seconds) == part.samples.map(\.seconds))
      #expect(mine.map(\.round) == part.samples.map { $0.round + 10 * p })
    }
    let decoded = try ComparisonReport.decode(merged.json())
    #expect(decoded.samples.map(\.process) == merged.samples.map(\.process))
    // Three processes against three: the widest interval of the processes' medians, whose
    // level is 1 − 2 / C(6, 3) = 90 %.
    let row = try verdict(merged, try run(mine: 0.01, processes: 3, seed: 90))
    #expect(abs(row.interval.confidence - 0.9) < 1e-12, "\(row.interval)")
    #expect(throws: ComparisonError.self) { try ComparisonReport(merging: []) }
    let other = try run(mine: 0.01, processes: 1, seed: 3)
    var fewer = Comparison(
      shapes: [.square(tokens: 8, headDim: 4)], baselineKernel: "naive",
      plan: MeasurementPlan(rounds: 10, minimumSampleSeconds: 0))
    fewer.add(NaiveAttention())
    #expect(throws: ComparisonError.self) {
      try ComparisonReport(merging: [other, try fewer.run()])
    }
  }
}
