/// Descriptive statistics of one set of samples.
///
/// Quantiles use linear interpolation between order statistics (Hyndman–Fan type 7, NumPy's
/// default); `mad` is the unscaled median absolute deviation (multiply by 1.4826 to estimate σ
/// for normal data), as `scipy.stats.median_abs_deviation` returns by default.
public struct Summary: Sendable, Hashable, Codable {
  /// Number of samples.
  public let count: Int
  /// Arithmetic mean.
  public let mean: Double
  /// Sample standard deviation (divisor `n − 1`); nil for a single sample.
  public let standardDeviation: Double?
  /// The median (average of the two middle values for even counts).
  public let median: Double
  /// The smallest sample.
  public let minimum: Double
  /// The largest sample.
  public let maximum: Double
  /// Median absolute deviation from the median, unscaled.
  public let mad: Double
  /// The samples in increasing order.
  public let sorted: [Double]

  /// Summarises `samples`.
  ///
  /// - Throws: `StatsError.empty` or `.nonFinite`.
  /// - Complexity: O(n log n).
  public init(_ samples: [Double]) throws(StatsError) {
    try StatsError.check(samples)
    let sorted = samples.sorted()
    let n = samples.count
    self.sorted = sorted
    count = n
    mean = samples.reduce(0, +) / Double(n)
    if n >= 2 {
      let m = mean
      standardDeviation = (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1))
        .squareRoot()
    } else {
      standardDeviation = nil
    }
    median = Self.quantile(sorted: sorted, 0.5)
    minimum = sorted[0]
    maximum = sorted[n - 1]
    let m = median
    mad = Self.quantile(sorted: samples.map { abs($0 - m) }.sorted(), 0.5)
  }

  /// The `p`-quantile, `0 ≤ p ≤ 1`, by linear interpolation (type 7).
  public func quantile(_ p: Double) -> Double { Self.quantile(sorted: sorted, p) }

  /// The type-7 `p`-quantile of already sorted, non-empty values.
  static func quantile(sorted: [Double], _ p: Double) -> Double {
    let position = min(max(p, 0), 1) * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
  }
}
