import AttuneTuner

/// Simulated candidates with one of them made `factor` times slower: a pathological
/// configuration, or one over a per-call time limit.
struct SlowedCandidate: TuningTarget {
  var inner: SimulatedTarget
  /// The candidate slowed.
  let index: Int
  /// How many times slower it is.
  let factor: Double
  var candidateCount: Int { inner.candidateCount }
  func label(_ index: Int) -> String { inner.label(index) }
  var elapsedSeconds: Double { inner.elapsedSeconds }
  mutating func measure(_ index: Int) throws -> Double {
    let seconds = try inner.measure(index)
    return index == self.index ? seconds * factor : seconds
  }
}
