import AttuneBench
import AttuneKernels

/// The report's Graph 3: tuning strategies run on several random matrices, side by side.
///
/// What `attune duel --json` writes and the report reads.
package struct DuelReport: Sendable, Hashable, Codable {
  /// The tuned kernel's name.
  package let kernel: String
  /// The problem's sizes.
  package let shape: AttentionShape
  /// The candidates' labels.
  package let candidates: [String]
  /// Where it ran.
  package let machine: MachineDescription
  /// The trials, in order.
  package let trials: [DuelTrial]

  /// Creates a report.
  package init(
    kernel: String, shape: AttentionShape, candidates: [String], machine: MachineDescription,
    trials: [DuelTrial]
  ) {
    self.kernel = kernel
    self.shape = shape
    self.candidates = candidates
    self.machine = machine
    self.trials = trials
  }

  /// The strategies' names, in the order of the first trial.
  package var strategies: [String] { trials.first?.outcomes.map(\.strategy) ?? [] }

  /// The outcomes of `strategy`, one per trial that ran it.
  package func outcomes(of strategy: String) -> [TuningOutcome] {
    trials.compactMap { $0.outcomes.first { $0.strategy == strategy } }
  }

  /// Trials in which every strategy chose the same candidate.
  package var agreeingTrials: Int {
    trials.filter { Set($0.outcomes.compactMap(\.choice)).count == 1 }.count
  }

  /// Runs `strategies` on `trials` random matrices of `shape` (seeds `seed + 1`, `seed + 2`…),
  /// in a shuffled order per trial.
  ///
  /// - Parameters:
  ///   - kernel: The kernel's name, for the record.
  ///   - kernels: The candidates, one kernel per block size.
  ///   - labels: The candidates' labels.
  ///   - shape: The problem's sizes.
  ///   - strategies: The strategies, in the order the report lists them.
  ///   - trials: Random matrices, one per trial.
  ///   - budget: Each run's budget.
  ///   - seed: Seeds the matrices and the shuffled orders.
  ///   - progress: Called after every measurement with (trial, strategy, measurements).
  /// - Returns: Every trial's outcomes.
  /// - Throws: `AttentionError` for an invalid shape or scratch beyond the machine's memory.
  package static func run(
    kernel: String, kernels: [any AttentionKernel], labels: [String], shape: AttentionShape,
    strategies: [any TuningStrategy], trials: Int, budget: TuningBudget, seed: UInt64,
    progress: @escaping (Int, String, Int) -> Void = { _, _, _ in }
  ) throws(AttentionError) -> DuelReport {
    var generator = SplitMix64(seed: seed)
    var results: [DuelTrial] = []
    for trial in 1...max(trials, 1) {
      if TuningInterruption.isRequested && !results.isEmpty { break }  // keep the trials done
      let trialSeed = seed &+ UInt64(trial)
      var outcomes: [TuningOutcome] = []
      for tuner in strategies.shuffled(using: &generator) {
        let target = try KernelTuningTarget(
          kernels: kernels, labels: labels, shape: shape, seed: trialSeed)
        target.onMeasurement = { _, _, count in progress(trial, tuner.name, count) }
        outcomes.append(tuner.tune(target, budget: budget, seed: trialSeed))
      }
      let order = strategies.map(\.name)
      outcomes.sort {
        (order.firstIndex(of: $0.strategy) ?? 0) < (order.firstIndex(of: $1.strategy) ?? 0)
      }
      results.append(DuelTrial(trial: trial, seed: trialSeed, outcomes: outcomes))
    }
    return DuelReport(
      kernel: kernel, shape: shape, candidates: labels, machine: .current(), trials: results)
  }

  /// A plain-text table of the trials and a summary per strategy.
  package func text() -> String {
    var lines = [
      "duel: \(kernel) at \(shape), candidates \(candidates.joined(separator: ", "))", "",
    ]
    let header = ["trial"] + strategies.map { "\($0): choice, measurements, seconds" }
    lines.append(header.joined(separator: "  |  "))
    for trial in trials {
      let cells = trial.outcomes.map { outcome in
        "\(outcome.choiceLabel ?? "-"), \(outcome.measurements), \(twoDecimals(outcome.seconds))\(outcome.stopReason == .converged ? "" : " (budget)")"
      }
      lines.append((["\(trial.trial)"] + cells).joined(separator: "  |  "))
    }
    lines.append("")
    lines.append(
      "all strategies chose the same candidate in \(agreeingTrials) of \(trials.count) trials")
    for name in strategies {
      let outcomes = outcomes(of: name)
      let count = Double(max(outcomes.count, 1))
      let seconds = outcomes.map(\.seconds).reduce(0, +) / count
      let measurements = Double(outcomes.map(\.measurements).reduce(0, +)) / count
      let choices = Dictionary(grouping: outcomes.compactMap(\.choiceLabel), by: { $0 })
        .map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", ")
      lines.append(
        "\(name): mean \(twoDecimals(seconds)) s and \(Int(measurements.rounded())) measurements to decide; chose \(choices)"
      )
    }
    return lines.joined(separator: "\n")
  }

  private func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}
