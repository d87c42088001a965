import AttuneKernels

/// Measures candidates fairly on a noisy machine.
///
/// 1. Warm-up: `warmupCalls` untimed calls of each candidate, then its memory probe.
/// 2. Calibration: each candidate's calls per sample, so a sample lasts at least
///    `minimumSampleSeconds` (sub-millisecond kernels are timed over many calls).
/// 3. Rounds: each round takes one sample of every candidate, in an order shuffled by a seeded
///    generator, so slow drift of the machine (frequency, other load) falls on all candidates alike
///    and can be cancelled by pairing samples of the same round.
///
/// Every raw sample is kept with its round and position.
public struct MeasurementEngine: Sendable {
  private let clock: any BenchmarkClock

  /// An engine reading `clock` (the system's monotonic clock by default).
  public init(clock: any BenchmarkClock = MonotonicClock()) { self.clock = clock }

  /// Measures `candidates` according to `plan`.
  ///
  /// - Parameters:
  ///   - candidates: What to measure; names should be unique.
  ///   - plan: Rounds, warm-up, calibration and order.
  ///   - progress: Called after each unit of work, on the calling thread.
  /// - Returns: Every sample, plus each candidate's calls per sample and memory.
  /// - Complexity: `rounds × candidates` samples after calibration.
  public func measure(
    _ candidates: [Candidate], plan: MeasurementPlan,
    progress: (MeasurementProgress) -> Void = { _ in }
  ) -> Measurement {
    let start = clock.seconds()
    let total = candidates.count * (1 + max(plan.rounds, 0))
    var completed = 0
    func report(_ current: String) {
      completed += 1
      progress(
        MeasurementProgress(
          completed: completed, total: total, current: current,
          elapsedSeconds: clock.seconds() - start))
    }

    var iterations: [Int] = []
    var memory: [Int?] = []
    for candidate in candidates {
      var lastCall = 0.0
      for _ in 0..<max(plan.warmupCalls, 1) {
        let before = clock.seconds()
        candidate.run()
        lastCall = clock.seconds() - before
      }
      memory.append(candidate.measureMemory?())
      iterations.append(calibrate(candidate, firstCall: lastCall, plan: plan))
      report(candidate.name)
    }

    var generator = SplitMix64(seed: plan.seed)
    var samples: [Sample] = []
    samples.reserveCapacity(candidates.count * max(plan.rounds, 0))
    for round in 0..<max(plan.rounds, 0) {
      let order = Array(candidates.indices).shuffled(using: &generator)
      for (position, index) in order.enumerated() {
        let candidate = candidates[index]
        if plan.freshInputs, let refresh = candidate.refresh { refresh(generator.next()) }
        let count = iterations[index]
        let before = clock.seconds()
        for _ in 0..<count { candidate.run() }
        let seconds = (clock.seconds() - before) / Double(count)
        samples.append(
          Sample(
            candidate: index, round: round, position: position, iterations: count,
            seconds: seconds))
        report(candidate.name)
      }
    }
    return Measurement(
      names: candidates.map(\.name), iterations: iterations, memoryBytes: memory,
      samples: samples, plan: plan)
  }

  /// Calls per sample: enough that a sample lasts `minimumSampleSeconds`.
  private func calibrate(_ candidate: Candidate, firstCall: Double, plan: MeasurementPlan) -> Int {
    let target = plan.minimumSampleSeconds
    guard target > 0 else { return 1 }
    var count = 1
    var perCall = firstCall
    // A call too short for the clock: time growing batches until one is measurable.
    while perCall * Double(count) < target / 10, count < plan.maximumIterations {
      count = min(count * 10, plan.maximumIterations)
      let before = clock.seconds()
      for _ in 0..<count { candidate.run() }
      perCall = (clock.seconds() - before) / Double(count)
    }
    guard perCall > 0 else { return plan.maximumIterations }
    return max(1, min(plan.maximumIterations, Int((target / perCall).rounded(.up))))
  }
}
