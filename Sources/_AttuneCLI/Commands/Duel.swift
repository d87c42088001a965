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
        As the seed report's third chart: on --trials different random matrices, each strategy tunes the \
        same kernel (in a shuffled order per trial), and each trial reports per strategy the time \
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

    @Option(help: "Random matrices, one per trial (1 to 100000).")
    var trials = 20

    @Option(help: "Seed of the first trial's matrices.")
    var seed: UInt64 = 1

    @Option(help: "Write every trial, with every measurement, as JSON to this file (- for stdout).")
    var json: String?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
      _ = try StrategyOptions.strategies(strategy, epsilon: options.epsilon, delta: options.delta)
      try OptionLimits.count(trials, "--trials", 1...100_000)
    }

    func run() throws {
      let (kernels, labels) = try options.candidateKernels()
      let strategies = try StrategyOptions.strategies(
        strategy, epsilon: options.epsilon, delta: options.delta)
      try OutputFile.check(json)
      let line = ProgressLine(quiet: quiet || json == "-")
      Interruption.install()
      let report = try ensure { () throws(AttentionError) in
        try DuelReport.run(
          kernel: options.kernel, kernels: kernels, labels: labels, shape: options.shape,
          strategies: strategies, trials: trials, budget: options.budget, seed: seed
        ) { trial, strategy, count in
          line.show("trial \(trial)/\(trials): \(strategy), \(count) measurements")
        }
      }
      line.clear()
      let measured = report.trials.flatMap(\.outcomes).map(\.measurements).reduce(0, +)
      if let json, try OutputFile.write(try JSONOutput.data(report), to: json) {
        try Interruption.exitIfRequested(kept: measured)
        return
      }
      print(report.text())
      try Interruption.exitIfRequested(kept: measured)
    }
  }
}
