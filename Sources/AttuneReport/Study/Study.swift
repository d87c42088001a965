import AttuneBench
import AttuneKernels
import AttuneTuner

/// Runs a `StudyPlan`: the comparison, one tuning run per strategy, the duel and the simulator,
/// in that order, and bundles what they measured for the report.
package enum Study {
  /// The strategies every study runs, the report's two first.
  static func strategies() -> [any TuningStrategy] {
    [GridSearch(), AdaptiveSearch(), RaceSearch()]
  }

  /// Runs `plan`.
  ///
  /// - Parameters:
  ///   - plan: What to measure.
  ///   - progress: Called often (after every sample or measurement) from this thread.
  ///   - finished: Called when each stage ends, with what it measured (to save it at once).
  /// - Returns: Everything measured, ready to save and draw.
  /// - Throws: `AttentionError` for a plan the machine cannot run (an unknown kernel, memory
  ///   beyond the machine's), `StatsError` if a comparison entry has no samples.
  package static func run(
    _ plan: StudyPlan, progress: @escaping (StudyProgress) -> Void = { _ in },
    finished: (StudyStage) throws -> Void = { _ in }
  ) throws -> ReportData {
    let clock = MonotonicClock()
    let start = clock.seconds()
    let stages = 4
    func report(_ stage: Int, _ name: String, _ fraction: Double, _ detail: String) {
      progress(
        StudyProgress(
          stage: stage, stages: stages, name: name, fraction: min(max(fraction, 0), 1),
          detail: detail, elapsedSeconds: clock.seconds() - start))
    }

    // 1. Kernels compared, as `attune compare`.
    var comparison = Comparison(
      shapes: plan.sizes.map { .square(tokens: $0, headDim: plan.headDim) },
      blockSizes: plan.blockSizes, baselineKernel: plan.kernels.first ?? "naive",
      plan: MeasurementPlan(rounds: plan.repetitions, seed: plan.seed))
    for kernel in plan.kernels { try comparison.add(builtIn: kernel) }
    let compared = try comparison.run { step in
      report(
        1, "compare", Double(step.completed) / Double(max(step.total, 1)), step.current)
    }

    try finished(.compared(compared))

    // 2. One tuning run per strategy, as `attune tune`.
    let (kernels, labels) = try candidates(plan.tunedKernel, size: plan.tuneSize)
    let tuneShape = AttentionShape.square(tokens: plan.tuneSize, headDim: plan.headDim)
    let tuneBudget = TuningBudget(
      measurements: plan.tuneBudget.measurements, seconds: plan.tuneBudget.seconds)
    var tuning: [TuningRecord] = []
    let strategies = strategies()
    for (index, strategy) in strategies.enumerated() {
      let target = try KernelTuningTarget(
        kernels: kernels, labels: labels, shape: tuneShape, seed: plan.seed)
      target.onMeasurement = { candidate, _, count in
        let share = max(
          Double(count) / Double(tuneBudget.measurements),
          target.elapsedSeconds / tuneBudget.seconds)
        report(
          2, "tune", (Double(index) + min(share, 1)) / Double(strategies.count),
          "\(strategy.name): \(count) measurements, measuring \(labels[candidate])")
      }
      let outcome = strategy.tune(target, budget: tuneBudget, seed: plan.seed)
      tuning.append(
        TuningRecord(
          kernel: plan.tunedKernel, shape: tuneShape, candidates: labels,
          callsPerMeasurement: target.callsPerMeasurement, machine: .current(), outcome: outcome))
    }

    try finished(.tuned(tuning))

    // 3. The duel, as `attune duel`.
    let (duelKernels, duelLabels) = try candidates(plan.tunedKernel, size: plan.duelSize)
    let trials = max(plan.duelTrials, 1)
    var runsDone = 0
    var lastKey = ""
    let duel = try DuelReport.run(
      kernel: plan.tunedKernel, kernels: duelKernels, labels: duelLabels,
      shape: .square(tokens: plan.duelSize, headDim: plan.headDim), strategies: strategies,
      trials: trials,
      budget: TuningBudget(
        measurements: plan.duelBudget.measurements, seconds: plan.duelBudget.seconds),
      seed: plan.seed
    ) { trial, strategy, count in
      let key = "\(trial) \(strategy)"
      if key != lastKey {
        if !lastKey.isEmpty { runsDone += 1 }
        lastKey = key
      }
      report(
        3, "duel", Double(runsDone) / Double(trials * strategies.count),
        "trial \(trial)/\(trials): \(strategy), \(count) measurements")
    }

    try finished(.duelled(duel))

    // 4. The simulator, as `attune simulate`.
    let budget = TuningBudget()
    var summaries: [SimulationSummary] = []
    let scenarios = SimulationProfile.report.flatMap { profile in
      NoiseModel.presets.map { (profile, $0) }
    }
    for (index, (profile, noise)) in scenarios.enumerated() {
      let simulation = Simulation(profile: profile, noise: noise, budget: budget)
      for strategy in strategies {
        report(
          4, "simulate", Double(index) / Double(scenarios.count),
          "\(strategy.name) on \(profile.name), \(noise.name)")
        summaries.append(simulation.run(strategy, trials: plan.simulationTrials, seed: plan.seed))
      }
    }
    let simulation = SimulationReport(
      trials: plan.simulationTrials, seed: plan.seed, epsilon: 0.01, delta: 0.05, budget: budget,
      summaries: summaries)
    report(4, "simulate", 1, "done")
    try finished(.simulated(simulation))

    let manifest = ReportManifest(
      attuneVersion: BuildInfo.version, plan: plan, machine: compared.machine,
      seconds: clock.seconds() - start)
    return ReportData(
      manifest: manifest, comparison: compared, tuning: tuning, duel: duel,
      simulation: simulation)
  }

  /// The kernel's block-size candidates: the report's 64…512, up to `size` (or `size` alone).
  static func candidates(_ name: String, size: Int) throws(AttentionError) -> (
    [any AttentionKernel], [String]
  ) {
    let sizes = BlockCandidates.reportSizes.filter { $0 <= size }
    return try BlockCandidates.kernels(name, sizes: sizes.isEmpty ? [size] : sizes)
  }
}
