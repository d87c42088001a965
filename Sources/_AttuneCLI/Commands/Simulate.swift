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
        Profiles (true times in a random order per trial): the seed report's four with 8 candidates, \
        clear (next best 12 % slower), top3 (top three within 1.2 % and 2 %), plateau (six within \
        0.5 %) and identical (A/A); then tiles (a 4 × 4 grid of blockQ × blockK, two within 1 %) \
        and identical16 (A/A with 16). --profile report (default) is the first four, all is six.

        Noise: a base (all 3 % CV) lognormal, outliers (2 % at 2–10×), drift (±10 % shared \
        sinusoid) or heavy (Student t, 3 df), with modifiers added by + (heavy+ar1+warmup):
        hetero (each candidate's CV log-uniform in CV/4…4·CV), noisyfastest (the fastest at 4·CV, \
        the others at CV/3), bimodal (half the candidates with two modes), bursts (per-candidate \
        runs of slow measurements), ar1 and ar1strong (per-candidate autocorrelation 0.5, 0.9), \
        warmup (first measurements slower). --noise report (default) is the four bases, audit \
        every modifier on lognormal and two on outliers, all both.

        A choice is correct when its true time is within ε of the fastest. Time is simulated:
        each measurement costs its own duration. The checks at the end test the race's \
        guarantees; the lines after them compare its cost with the other strategies'.
        """)

    @Option(help: "Strategies, comma-separated (grid, adaptive, race).")
    var strategy = "grid,adaptive,race"

    @Option(help: "Profiles, comma-separated, or report (the first four) or all.")
    var profile = "report"

    @Option(help: "Noise models (base+modifier…), comma-separated, or report, audit or all.")
    var noise = "report"

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
      let profiles: [SimulationProfile]
      switch profile {
      case "report": profiles = SimulationProfile.report
      case "all": profiles = SimulationProfile.presets
      default:
        profiles = try ListParsing.names(profile, flag: "--profile").map { name in
          do throws(SimulationError) { return try SimulationProfile.named(name) } catch {
            throw ValidationError("--profile: \(error)")
          }
        }
      }
      let names: [String]
      switch noise {
      case "report": names = NoiseModel.presets.map(\.name)
      case "audit": names = NoiseModel.audit
      case "all": names = NoiseModel.presets.map(\.name) + NoiseModel.audit
      default: names = try ListParsing.names(noise, flag: "--noise")
      }
      let models = try names.map { name in
        do throws(SimulationError) {
          let model = try NoiseModel.named(name)
          return cv.map { model.with(cv: $0) } ?? model
        } catch {
          throw ValidationError("--noise: \(error)")
        }
      }
      return (strategies, profiles, models)
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
      let notes = report.costNotes()
      if !notes.isEmpty { print(notes.map { "cost  " + $0 }.joined(separator: "\n")) }
    }
  }
}
