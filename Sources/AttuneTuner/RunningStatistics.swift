/// Mean and variance kept incrementally (Welford, *Technometrics* 4, 1962), so a test after
/// every round costs O(1) per candidate instead of a pass over all its samples.
struct RunningStatistics: Sendable {
  private(set) var count = 0
  private(set) var mean = 0.0
  private var sumOfSquares = 0.0

  /// The sample variance (divisor `n − 1`); 0 below two values.
  var variance: Double { count > 1 ? sumOfSquares / Double(count - 1) : 0 }

  mutating func add(_ value: Double) {
    count += 1
    let delta = value - mean
    mean += delta / Double(count)
    sumOfSquares += delta * (value - mean)
  }
}
