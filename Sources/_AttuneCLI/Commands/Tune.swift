import ArgumentParser
import AttuneBench
import AttuneKernels
import AttuneNPY
import AttunePlanner
import AttuneTuner
import Foundation

extension Attune {
  /// `attune tune`: find the fastest block size of a kernel on this machine.
  struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Find the fastest block size of a kernel on this machine.",
      discussion: """
        Strategies: race (Attune's: successive elimination with an indifference margin ε and an \
        error level δ over all candidates and looks), grid (the seed report's exhaustive grid, t-test \
        stop) and adaptive (the seed report's Welch / p_switch method). Candidates default to the \
        seed report's block sizes 64…512, up to N. Prints the choice, what the strategy can claim \
        about it, and the cost; --json writes every measurement. When the budget ends first, the \
        race states the margin it reached ("within 1.8 % of the fastest"); when consecutive \
        measurements are correlated, it widens its bounds and says so.
        """)

    @OptionGroup var options: TuningOptions

    @Option(help: "Strategy: race, grid or adaptive.")
    var strategy = "race"

    @Option(help: "Seed of the inputs and of the race's order.")
    var seed: UInt64 = 1

    @Option(help: "Write the outcome with every measurement as JSON to this file (- for stdout).")
    var json: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(help: "Save the choice as wisdom for this machine (see `attune wisdom`).")
    var save = false

    @OptionGroup var location: WisdomOptions

    func validate() throws {
      let strategies = try StrategyOptions.strategies(
        strategy, epsilon: options.epsilon, delta: options.delta)
      guard strategies.count == 1 else { throw ValidationError("--strategy takes one strategy") }
    }

    func run() throws {
      let (kernels, labels) = try options.candidateKernels()
      guard
        let tuner = try StrategyOptions.strategies(
          strategy, epsilon: options.epsilon, delta: options.delta
        ).first
      else { return }
      try OutputFile.check(json)
      let store = save ? try location.store() : nil
      let target = try ensure { () throws(AttentionError) in
        try KernelTuningTarget(kernels: kernels, labels: labels, shape: options.shape, seed: seed)
      }
      let line = ProgressLine(quiet: quiet || json == "-")
      let budget = options.budget
      target.onMeasurement = { candidate, _, count in
        line.show(
          "\(tuner.name): \(count) measurements, \(Int(target.elapsedSeconds)) s, measuring \(labels[candidate]) (budget \(budget.measurements) / \(Int(budget.seconds)) s)"
        )
      }
      Interruption.install()
      let outcome = tuner.tune(target, budget: budget, seed: seed)
      line.clear()
      let interrupted = outcome.stopReason == .interrupted
      let record = TuningRecord(
        kernel: options.kernel, shape: options.shape, candidates: labels,
        callsPerMeasurement: target.callsPerMeasurement, machine: .current(), outcome: outcome)
      var saved: String?
      // Wisdom is saved once the JSON file is staged, and the JSON file put in place only once
      // wisdom is saved: both outputs, or neither.
      let saveWisdom: () throws -> Void = {
        guard let store, !interrupted else { return }
        guard
          let entry = WisdomEntry(
            outcome: outcome, candidates: kernels, labels: labels, shape: options.shape,
            context: .current())
        else {
          throw CommandError(
            outcome.stopReason == .noCandidates
              ? "nothing to save: every candidate failed"
              : "nothing to save: the budget ended before a first measurement")
        }
        printWarnings(try ensure { () throws(WisdomError) in try store.record([entry]) })
        saved = "saved   \(entry.configurationDescription) for \(entry.shapeClass) in \(store.path)"
      }
      if let json {
        let data = [UInt8](try JSONOutput.data(record))
        if try OutputFile.write([(data, json)], beforeCommit: saveWisdom) {
          try Interruption.exitIfRequested(kept: outcome.measurements)
          return
        }
      } else {
        try saveWisdom()
      }
      print("tuning  \(options.kernel) at \(options.shape) over \(labels.joined(separator: ", "))")
      print("choice  \(outcome.choiceLabel ?? "none")")
      print("claim   \(outcome.confidence)")
      print(
        "cost    \(outcome.measurements) measurements in \(String(format: "%.1f", outcome.seconds)) s, \(outcome.rounds) rounds (stopped: \(outcome.stopReason.rawValue))"
      )
      if let saved { print(saved) }
      if !outcome.failures.isEmpty {
        for (label, failure) in outcome.failures.sorted(by: { $0.key < $1.key }) {
          print("dropped \(label): \(failure)")
        }
      }
      for (label, reason) in (outcome.screened ?? [:]).sorted(by: { $0.key < $1.key }) {
        print("dropped \(label) before the first look: \(reason)")
      }
      if interrupted && save { print("note    interrupted: nothing saved as wisdom") }
      try Interruption.exitIfRequested(kept: outcome.measurements)
    }
  }
}

/// A single status line on stderr, redrawn in place, only when stderr is a terminal.
final class ProgressLine {
  private let enabled: Bool
  private var last = 0.0
  private let clock = MonotonicClock()

  init(quiet: Bool) { enabled = !quiet && isatty(STDERR_FILENO) != 0 }

  func show(_ text: String) {
    guard enabled, clock.seconds() - last >= 0.1 else { return }
    last = clock.seconds()
    FileHandle.standardError.write(Data("\r\(text.prefix(150))\u{1B}[K".utf8))
  }

  func clear() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
