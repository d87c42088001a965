import AttuneKernels

/// What `attune report` measures: a compact version of every study Attune runs (kernels
/// compared, each tuning strategy, a duel, the simulator), sized to finish in minutes.
package struct StudyPlan: Sendable, Hashable, Codable {
  /// Kernels compared, the first being the baseline of speedups.
  package var kernels: [String]
  /// Matrix sizes N of the comparison (Nq = Nk = N).
  package var sizes: [Int]
  /// Head dimension d of every study.
  package var headDim: Int
  /// Block sizes of the comparison.
  package var blockSizes: [Int]
  /// Samples per entry of the comparison.
  package var repetitions: Int
  /// The kernel whose block size is tuned and duelled over.
  package var tunedKernel: String
  /// Matrix size of the tuning runs.
  package var tuneSize: Int
  /// Budget of each tuning run.
  package var tuneBudget: TuningBudgetSettings
  /// Matrix size of the duel.
  package var duelSize: Int
  /// Trials of the duel.
  package var duelTrials: Int
  /// Budget of each duel run.
  package var duelBudget: TuningBudgetSettings
  /// Trials per strategy, profile and noise model in the simulator.
  package var simulationTrials: Int
  /// Seed of every study.
  package var seed: UInt64

  /// A budget as the plan stores it.
  package struct TuningBudgetSettings: Sendable, Hashable, Codable {
    /// Most measurements.
    package var measurements: Int
    /// Most seconds.
    package var seconds: Double

    /// A budget.
    package init(measurements: Int, seconds: Double) {
      self.measurements = measurements
      self.seconds = seconds
    }
  }

  /// The default study: about two to three minutes on 2 cores.
  package static let standard = StudyPlan(
    kernels: ["naive", "blocked", "parallel", "simd", "fused"], sizes: [256, 512, 1024, 2048],
    headDim: 64, blockSizes: [32, 64, 128, 256], repetitions: 10, tunedKernel: "fused",
    tuneSize: 1024, tuneBudget: .init(measurements: 2000, seconds: 60), duelSize: 512,
    duelTrials: 10, duelBudget: .init(measurements: 500, seconds: 20), simulationTrials: 200,
    seed: 1)

  /// `--quick`: under a minute.
  package static let quick = StudyPlan(
    kernels: ["naive", "blocked", "parallel", "simd", "fused"], sizes: [128, 256, 512, 1024],
    headDim: 64, blockSizes: [32, 64, 128], repetitions: 5, tunedKernel: "fused",
    tuneSize: 512, tuneBudget: .init(measurements: 400, seconds: 15), duelSize: 256,
    duelTrials: 4, duelBudget: .init(measurements: 200, seconds: 8), simulationTrials: 50,
    seed: 1)

  /// A study of seconds, for tests of the whole path from measuring to the page.
  package static let tiny = StudyPlan(
    kernels: ["naive", "blocked", "fused"], sizes: [32, 64], headDim: 16, blockSizes: [16, 32],
    repetitions: 3, tunedKernel: "fused", tuneSize: 128,
    tuneBudget: .init(measurements: 40, seconds: 5), duelSize: 128, duelTrials: 2,
    duelBudget: .init(measurements: 30, seconds: 5), simulationTrials: 5, seed: 1)

  /// The `attune` commands that measure the same studies one by one.
  package var commands: [String] {
    let tuneCandidates = "--n \(tuneSize) --d \(headDim)"
    return [
      "attune compare --kernels \(kernels.joined(separator: ",")) --sizes \(sizes.map(String.init).joined(separator: ",")) --dims \(headDim) --block-sizes \(blockSizes.map(String.init).joined(separator: ",")) --repetitions \(repetitions) --seed \(seed)",
      "attune tune --kernel \(tunedKernel) \(tuneCandidates) --strategy grid|adaptive|race --budget-measurements \(tuneBudget.measurements) --budget-seconds \(NumberFormat.significant(tuneBudget.seconds, 6)) --seed \(seed)",
      "attune duel --kernel \(tunedKernel) --n \(duelSize) --d \(headDim) --trials \(duelTrials) --budget-measurements \(duelBudget.measurements) --budget-seconds \(NumberFormat.significant(duelBudget.seconds, 6)) --seed \(seed)",
      "attune simulate --trials \(simulationTrials) --seed \(seed)",
    ]
  }
}
