import AttuneStats

extension ComparisonReport {
  /// Runs of one comparison in separate processes, as one report.
  ///
  /// A process lays out its code, heap and inputs its own way, and on a real machine that moves
  /// a kernel's time by a percent or more from one process to the next, more than the spread
  /// inside one process. Rounds taken in several processes (pyperf's remedy) make that variation
  /// visible: `BaselineComparison` then bounds a change by the processes' medians as well as by
  /// the pooled samples. Process `p`'s rounds follow process `p − 1`'s (round `r` becomes
  /// `p · rounds + r`, so per-round ratios still pair samples of one process) and its samples
  /// keep `p`; statistics are computed again over every sample.
  ///
  /// - Parameter parts: One report per process, of the same entries and plan (seeds aside).
  /// - Throws: `ComparisonError.unmergeable` when `parts` is empty or the runs differ;
  ///   `StatsError` when an entry has no samples.
  public init(merging parts: [ComparisonReport]) throws {
    guard let first = parts.first else { throw ComparisonError.unmergeable("no runs") }
    func identity(_ report: ComparisonReport) -> [String] {
      report.entries.map { "\($0.label) at \($0.shape)" }
    }
    var samples: [Sample] = []
    var rounds = 0
    for (p, part) in parts.enumerated() {
      guard identity(part) == identity(first), part.baselineKernel == first.baselineKernel,
        part.plan.rounds == first.plan.rounds
      else {
        throw ComparisonError.unmergeable(
          "process \(p + 1) measured other configurations, baseline or rounds than process 1")
      }
      for s in part.samples {
        samples.append(
          Sample(
            candidate: s.candidate, round: rounds + s.round, position: s.position,
            iterations: s.iterations, seconds: s.seconds, process: p))
      }
      rounds += part.plan.rounds
    }
    var plan = first.plan
    plan.rounds = rounds
    plan.processes = parts.count
    try self.init(
      machine: first.machine, plan: plan, baselineKernel: first.baselineKernel,
      entries: first.entries,
      measurement: Measurement(
        names: first.entries.map(\.label), iterations: first.entries.map(\.iterations),
        memoryBytes: first.entries.map(\.measuredMemoryBytes), samples: samples, plan: plan))
  }
}
