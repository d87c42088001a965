import ArgumentParser
import AttuneNPY
import AttuneTuner
import Foundation

extension Attune {
  /// `attune simulate`: the tuners on synthetic timings whose right answer is known.
  struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Score the tuning strategies on simulated candidates with known true times.",
      discussion: """
        Profiles (8 candidates, the report's block sizes, true times in a random order per trial):
        clear (next best 12 % slower), top3 (top three within 1.2 % and 2 %), plateau (six within
        0.5 %), identical (A/A). Noise (all 3 % CV): lognormal, outliers (2 % at 2–10×), drift
        (±10 % shared sinusoid), heavy (Student t, 3 df). A choice is correct when its true time is
        within ε of the fastest. Time is simulated: each measurement costs its own duration.
        The checks at the end test the race against the acceptance criteria of issue 4.
        """)

    @Option(help: "Strategies, comma-separated (grid, adaptive, race).")
    var strategy = "grid,adaptive,race"

    @Option(help: "Profiles, comma-separated, or all.")
    var profile = "all"

    @Option(help: "Noise models, comma-separated, or all.")
    var noise = "all"

    @Option(help: "Trials per strategy, profile and noise model (1 to 100000).")
    var trials = 1000

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(help: "Indifference margin ε, relative.")
    var epsilon = 0.01

    @Option(help: "Error level δ of the race.")
    var delta = 0.05

    @Option(help: "Coefficient of variation of the noise, for every model (default 0.03).")
    var cv: Double?

    @Option(help: "Measurement budget per trial (1 to 10⁷).")
    var budgetMeasurements = 5000

    @Option(help: "Time budget per trial, in simulated seconds (at most a week).")
    var budgetSeconds = 600.0

    @Option(help: "Write every summary as JSON to this file (- for stdout).")
    var json: String?

    func validate() throws {
      _ = try selection()
      if let cv, !(cv > 0 && cv < 1) { throw ValidationError("--cv must lie in (0, 1)") }
      try OptionLimits.count(trials, "--trials", 1...100_000)
      guard epsilon >= 0, epsilon < 1 else { throw ValidationError("--epsilon must lie in [0, 1)") }
      guard delta > 0, delta < 1 else { throw ValidationError("--delta must lie in (0, 1)") }
      try OptionLimits.count(budgetMeasurements, "--budget-measurements", 1...10_000_000)
      try OptionLimits.seconds(budgetSeconds, "--budget-seconds")
    }

    func selection() throws -> (
      strategies: [any TuningStrategy], profiles: [SimulationProfile], noises: [NoiseModel]
    ) {
      let strategies = try StrategyOptions.strategies(strategy, epsilon: epsilon, delta: delta)
      func pick<T>(_ text: String, _ all: [T], _ name: (T) -> String, flag: String) throws -> [T] {
        if text == "all" { return all }
        return try ListParsing.names(text, flag: flag).map { wanted in
          guard let found = all.first(where: { name($0) == wanted }) else {
            throw ValidationError(
              "\(flag): no '\(wanted)'; known: \(all.map(name).joined(separator: ", ")), all")
          }
          return found
        }
      }
      let models = try pick(noise, NoiseModel.presets, \.name, flag: "--noise").map { model in
        cv.map { model.with(cv: $0) } ?? model
      }
      return (
        strategies, try pick(profile, SimulationProfile.presets, \.name, flag: "--profile"), models
      )
    }

    func run() throws {
      let (strategies, profiles, noises) = try selection()
      try OutputFile.check(json)
      let budget = TuningBudget(measurements: budgetMeasurements, seconds: budgetSeconds)
      var summaries: [SimulationSummary] = []
      let total = profiles.count * noises.count * strategies.count
      for profile in profiles {
        for noise in noises {
          let simulation = Simulation(
            profile: profile, noise: noise, epsilon: epsilon, budget: budget)
          for strategy in strategies {
            if isatty(STDERR_FILENO) != 0 {
              FileHandle.standardError.write(
                Data(
                  "\r\u{1B}[K\(summaries.count + 1)/\(total): \(strategy.name) on \(profile.name), \(noise.name)"
                    .utf8))
            }
            summaries.append(simulation.run(strategy, trials: trials, seed: seed))
          }
        }
      }
      if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      let report = SimulationReport(
        trials: trials, seed: seed, epsilon: epsilon, delta: delta, budget: budget,
        summaries: summaries)
      if let json, try OutputFile.write(try JSONOutput.data(report), to: json) { return }
      print(report.table())
      print("")
      print(report.checks().map(\.line).joined(separator: "\n"))
    }
  }
}
