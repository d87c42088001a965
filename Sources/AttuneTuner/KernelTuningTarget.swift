import AttuneBench
import AttuneKernels

/// Real kernel configurations as tuning candidates: one measurement times a kernel on fixed
/// random inputs with the monotonic clock.
///
/// Calls shorter than `minimumMeasurementSeconds` are repeated within one measurement (the count
/// is fixed once, from the first candidate, so every measurement of a run does the same work).
package final class KernelTuningTarget: TuningTarget {
  /// The candidates.
  package let kernels: [any AttentionKernel]
  /// Their labels (the varied parameter, as in `blockQ=64`).
  package let labels: [String]
  /// Calls per measurement.
  package let callsPerMeasurement: Int
  /// Seconds of one measurement as the first candidate's timed call predicts it.
  private let firstMeasurementSeconds: Double
  /// Called after every measurement with (candidate, seconds per call, measurements so far).
  package var onMeasurement: ((Int, Double, Int) -> Void)?
  private let workspace: Workspace
  private let clock = MonotonicClock()
  private let start: Double
  private var count = 0

  /// Candidates `kernels` on random inputs of `shape` drawn from `seed`.
  ///
  /// - Throws: `AttentionError` for an invalid shape or scratch beyond the machine's memory.
  package init(
    kernels: [any AttentionKernel], labels: [String], shape: AttentionShape, seed: UInt64,
    minimumMeasurementSeconds: Double = 0.005
  ) throws(AttentionError) {
    try Workspace.checkMemory(for: shape, kernels: kernels)
    self.kernels = kernels
    self.labels = labels
    workspace = try Workspace(shape: shape, seed: seed)
    if let first = kernels.first {
      workspace.run(first)  // warm-up
      let before = clock.seconds()
      workspace.run(first)
      let once = max(clock.seconds() - before, 1e-9)
      callsPerMeasurement = max(1, Int((minimumMeasurementSeconds / once).rounded(.up)))
      firstMeasurementSeconds = once * Double(callsPerMeasurement)
    } else {
      callsPerMeasurement = 1
      firstMeasurementSeconds = 0
    }
    start = clock.seconds()
  }

  /// Number of candidates.
  package var candidateCount: Int { kernels.count }

  /// The candidate's label.
  package func label(_ index: Int) -> String { labels[index] }

  /// The first candidate's measurement time, for every candidate not yet measured (tile sizes of
  /// one kernel differ by less than the budget's granularity).
  package func expectedMeasurementSeconds(_ index: Int) -> Double? { firstMeasurementSeconds }

  /// Wall-clock seconds since the target was made.
  package var elapsedSeconds: Double { clock.seconds() - start }

  /// Times `callsPerMeasurement` calls of candidate `index`; returns seconds per call.
  package func measure(_ index: Int) throws -> Double {
    let before = clock.seconds()
    for _ in 0..<callsPerMeasurement { workspace.run(kernels[index]) }
    let seconds = (clock.seconds() - before) / Double(callsPerMeasurement)
    count += 1
    onMeasurement?(index, seconds, count)
    return seconds
  }
}
