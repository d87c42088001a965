import ArgumentParser
import AttuneBench
import AttuneKernels
import AttunePlanner
import AttuneStats
import Foundation

extension Attune {
  /// `attune plan`: what configuration the library would use for a shape, and why.
  struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Choose a kernel configuration for a shape: defaults, wisdom, or tuned now.",
      discussion: """
        Levels: estimate (built-in defaults only), automatic (wisdom when an entry applies, else \
        defaults; what library calls do by default), wisdom-only (fail without wisdom), measure \
        (wisdom, else tune now with the race within --budget-seconds and save the result). \
        --check then times the plan against the defaults in one interleaved run and prints the \
        ratio with a 95 % interval.
        """)

    @Option(help: "Query rows Nq.")
    var n = 2048

    @Option(help: "Key rows Nk (default: N).")
    var nk: Int?

    @Option(help: "Head dimension dk.")
    var d = 64

    @Option(help: "Value dimension dv (default: d).")
    var dv: Int?

    @Option(help: "Planning level: estimate, automatic, wisdom-only or measure.")
    var level = "automatic"

    @Option(help: "Most seconds a measure plan may take, in all (at most a week).")
    var budgetSeconds = 10.0

    @Flag(help: "Time the plan against the defaults in one interleaved run.")
    var check = false

    @Option(help: "Rounds of the --check comparison (2 to 100000).")
    var checkRounds = 20

    @OptionGroup var location: WisdomOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    var shape: AttentionShape {
      AttentionShape(queries: n, keys: nk ?? n, headDim: d, valueDim: dv)
    }

    func planningLevel() throws -> PlanningLevel {
      switch level {
      case "estimate": return .estimate
      case "automatic": return .automatic
      case "wisdom-only": return .wisdomOnly
      case "measure":
        try OptionLimits.seconds(budgetSeconds, "--budget-seconds")
        return .measure(seconds: budgetSeconds)
      default:
        throw ValidationError(
          "--level: no '\(level)'; known: estimate, automatic, wisdom-only, measure")
      }
    }

    func validate() throws {
      _ = try planningLevel()
      for (value, flag) in [(n, "--n"), (nk, "--nk"), (d, "--d"), (dv, "--dv")] {
        try OptionLimits.dimension(value, flag)
      }
      try OptionLimits.count(checkRounds, "--check-rounds", 2...100_000)
    }

    func run() throws {
      let planner = AttentionPlanner(wisdom: try location.store())
      let level = try planningLevel()
      if case .measure = level, !json, isatty(STDERR_FILENO) != 0 {
        FileHandle.standardError.write(
          Data("tuning \(shape) for at most \(budgetSeconds) s…\n".utf8))
      }
      let plan = try ensure { () throws(PlanningError) in
        try planner.plan(for: shape, level: level)
      }
      printWarnings(plan.warnings)
      let check = self.check ? try compare(plan) : nil
      if json {
        let record = PlanRecord(
          shape: shape, kernel: plan.kernel.name, settings: plan.kernel.settings,
          source: plan.source, reason: plan.reason, measurements: plan.measurements,
          planningSeconds: plan.planningSeconds, wisdom: planner.wisdom?.path, check: check)
        print(try JSONOutput.string(record))
        return
      }
      print("shape   \(shape)")
      print("kernel  \(plan.kernel.configurationDescription)")
      print("source  \(plan.reason)")
      print(
        "cost    \(plan.measurements) measurements, \(String(format: "%.2f", plan.planningSeconds)) s of planning"
      )
      if let check {
        print(
          "check   defaults / plan time = \(String(format: "%.3f", check.ratio)) (95 % interval \(String(format: "%.3f", check.low))–\(String(format: "%.3f", check.high)), \(check.rounds) interleaved rounds; above 1: the plan is faster)"
        )
      }
    }

    /// The plan against the defaults, interleaved on the same inputs.
    private func compare(_ plan: AttentionPlan) throws -> PlanCheck {
      let workspace = try ensure { () throws(AttentionError) in
        try Workspace(shape: shape, seed: 1)
      }
      let planned = plan.kernel
      let defaults = AttentionPlanner.defaultKernel()
      let measurement = MeasurementEngine().measure(
        [
          Candidate(name: "plan") { workspace.run(planned) },
          Candidate(name: "defaults") { workspace.run(defaults) },
        ], plan: MeasurementPlan(rounds: checkRounds, minimumSampleSeconds: 0.02, seed: 1))
      let ratios = measurement.pairedRatios(1, over: 0)
      let interval = try ensure { () throws(StatsError) in try ConfidenceInterval.median(ratios) }
      let median = try ensure { () throws(StatsError) in try Summary(ratios).median }
      return PlanCheck(
        ratio: median, low: interval.lower, high: interval.upper, rounds: ratios.count)
    }
  }
}

/// `attune plan --check`'s figures: defaults' time over the plan's, per round.
struct PlanCheck: Encodable {
  let ratio: Double
  let low: Double
  let high: Double
  let rounds: Int
}

/// What `attune plan --json` prints.
struct PlanRecord: Encodable {
  let shape: AttentionShape
  let kernel: String
  let settings: [KernelSetting]
  let source: PlanSource
  let reason: String
  let measurements: Int
  let planningSeconds: Double
  let wisdom: String?
  let check: PlanCheck?
}
