import ArgumentParser
import AttuneBench
import AttuneKernels
import AttuneNPY
import AttuneTuner
import Foundation

extension Attune {
  /// `attune duel`: the report's Graph 3: the strategies on many random matrices.
  struct Duel: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run the tuning strategies on several random matrices and compare them.",
      discussion: """
        The report's Graph 3: on --trials different random matrices, each strategy tunes the
        same kernel (in a shuffled order per trial), and each trial reports per strategy the time
        and measurements it needed and its choice. The summary gives how often they agreed.
        """)

    @OptionGroup var tuning: TuningOptions

    /// The tuning options with duel's defaults: N = 1024 and 500 measurements per run.
    var options: TuningOptions {
      var options = tuning
      options.defaults = (n: 1024, measurements: 500)
      return options
    }

    @Option(help: "Strategies, comma-separated.")
    var strategy = "grid,adaptive,race"

    @Option(help: "Random matrices, one per trial.")
    var trials = 20

    @Option(help: "Seed of the first trial's matrices.")
    var seed: UInt64 = 1

    @Option(help: "Write every trial, with every measurement, as JSON to this file (- for stdout).")
    var json: String?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
      _ = try StrategyOptions.strategies(strategy, epsilon: options.epsilon, delta: options.delta)
      guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
    }

    func run() throws {
      let (kernels, labels) = try options.candidateKernels()
      let strategies = try StrategyOptions.strategies(
        strategy, epsilon: options.epsilon, delta: options.delta)
      try OutputFile.check(json)
      let line = ProgressLine(quiet: quiet || json == "-")
      var generator = SplitMix64(seed: seed)
      var results: [DuelTrial] = []
      for trial in 1...trials {
        let trialSeed = seed &+ UInt64(trial)
        var outcomes: [TuningOutcome] = []
        for tuner in strategies.shuffled(using: &generator) {
          let target = try ensure { () throws(AttentionError) in
            try KernelTuningTarget(
              kernels: kernels, labels: labels, shape: options.shape, seed: trialSeed)
          }
          target.onMeasurement = { _, _, count in
            line.show("trial \(trial)/\(trials): \(tuner.name), \(count) measurements")
          }
          outcomes.append(tuner.tune(target, budget: options.budget, seed: trialSeed))
        }
        outcomes.sort { a, b in
          strategies.firstIndex { $0.name == a.strategy } ?? 0
            < strategies.firstIndex { $0.name == b.strategy } ?? 0
        }
        results.append(DuelTrial(trial: trial, seed: trialSeed, outcomes: outcomes))
      }
      line.clear()
      let report = DuelReport(
        kernel: options.kernel, shape: options.shape, candidates: labels, machine: .current(),
        trials: results)
      if let json, try OutputFile.write(try JSONOutput.data(report), to: json) { return }
      print(report.text(strategies: strategies.map(\.name)))
    }
  }
}

/// One trial of a duel.
struct DuelTrial: Codable {
  let trial: Int
  let seed: UInt64
  let outcomes: [TuningOutcome]
}

/// What `attune duel` prints and writes.
struct DuelReport: Encodable {
  let kernel: String
  let shape: AttentionShape
  let candidates: [String]
  let machine: MachineDescription
  let trials: [DuelTrial]

  func text(strategies: [String]) -> String {
    var lines = [
      "duel: \(kernel) at \(shape), candidates \(candidates.joined(separator: ", "))", "",
    ]
    let header = ["trial"] + strategies.map { "\($0): choice, measurements, seconds" }
    lines.append(header.joined(separator: "  |  "))
    for trial in trials {
      let cells = trial.outcomes.map { outcome in
        "\(outcome.choiceLabel ?? "-"), \(outcome.measurements), \(String(format: "%.2f", outcome.seconds))\(outcome.stopReason == .converged ? "" : " (budget)")"
      }
      lines.append((["\(trial.trial)"] + cells).joined(separator: "  |  "))
    }
    lines.append("")
    let agreeing = trials.filter { Set($0.outcomes.compactMap(\.choice)).count == 1 }.count
    lines.append("all strategies chose the same candidate in \(agreeing) of \(trials.count) trials")
    for name in strategies {
      let outcomes = trials.compactMap { $0.outcomes.first { $0.strategy == name } }
      let seconds = outcomes.map(\.seconds).reduce(0, +) / Double(max(outcomes.count, 1))
      let count = Double(outcomes.map(\.measurements).reduce(0, +)) / Double(max(outcomes.count, 1))
      let choices = Dictionary(grouping: outcomes.compactMap(\.choiceLabel), by: { $0 })
        .map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", ")
      lines.append(
        "\(name): mean \(String(format: "%.2f", seconds)) s and \(Int(count.rounded())) measurements to decide; chose \(choices)"
      )
    }
    return lines.joined(separator: "\n")
  }
}
