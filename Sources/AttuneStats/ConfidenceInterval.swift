/// An interval `[lower, upper]` that covers a parameter with probability `confidence`.
public struct ConfidenceInterval: Sendable, Hashable, Codable {
  /// The lower end.
  public let lower: Double
  /// The upper end.
  public let upper: Double
  /// The coverage this interval actually has (for the median, the nearest achievable one).
  public let confidence: Double

  /// Creates an interval.
  public init(lower: Double, upper: Double, confidence: Double) {
    self.lower = lower
    self.upper = upper
    self.confidence = confidence
  }

  /// Whether `value` lies inside, ends included.
  public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

  /// The coverage in whole percent, rounded down so a label never claims more than the interval
  /// reaches (0.9375 is 93).
  public var levelPercent: Int { Int((confidence * 100).rounded(.down)) }

  /// The Student t interval for the mean: `mean ± t_{(1+c)/2, n−1} · s/√n`.
  ///
  /// Zero variance gives the degenerate interval `[mean, mean]`.
  ///
  /// - Throws: `StatsError.tooFewSamples` below 2 samples, `.invalidProbability` for a level
  ///   outside (0, 1), `.nonFinite`.
  public static func mean(_ samples: [Double], confidence: Double = 0.95) throws(StatsError)
    -> ConfidenceInterval
  {
    guard confidence > 0, confidence < 1 else { throw .invalidProbability(confidence) }
    try StatsError.check(samples)
    guard samples.count >= 2 else { throw .tooFewSamples(needed: 2, got: samples.count) }
    let summary = try Summary(samples)
    let n = Double(samples.count)
    let t = try StudentT(degreesOfFreedom: n - 1).quantile((1 + confidence) / 2)
    let half = t * (summary.standardDeviation ?? 0) / n.squareRoot()
    return ConfidenceInterval(
      lower: summary.mean - half, upper: summary.mean + half, confidence: confidence)
  }

  /// The distribution-free interval for the median from order statistics:
  /// `[x_(k), x_(n−k+1)]` with the largest `k` whose coverage `1 − 2·P(B < k)`, B ~ Binomial(n, ½),
  /// is at least `confidence`.
  ///
  /// With too few samples for the level (5 or fewer at 95 %), it returns `[min, max]` with the
  /// coverage that interval has, which is below the level asked for: read `confidence`.
  ///
  /// - Throws: `StatsError.empty`, `.nonFinite`, `.invalidProbability`.
  /// - Complexity: O(n log n).
  public static func median(_ samples: [Double], confidence: Double = 0.95) throws(StatsError)
    -> ConfidenceInterval
  {
    guard confidence > 0, confidence < 1 else { throw .invalidProbability(confidence) }
    try StatsError.check(samples)
    let sorted = samples.sorted()
    let n = sorted.count
    // atMost[j] = P(B ≤ j) for B ~ Binomial(n, 1/2), summed in log space so large n stay exact.
    var atMost: [Double] = []
    var logTerm = -Double(n) * SpecialFunctions.log(2)  // ln[C(n, 0) · 2^−n]
    var total = 0.0
    for j in 0...n {
      if j > 0 { logTerm += SpecialFunctions.log(Double(n - j + 1) / Double(j)) }
      total += SpecialFunctions.exp(logTerm)
      atMost.append(min(total, 1))
    }
    // [x_(k), x_(n−k+1)] covers the median with probability 1 − 2·P(B ≤ k − 1).
    var k = 1
    while k + 1 <= (n + 1) / 2, 1 - 2 * atMost[k] >= confidence { k += 1 }
    return ConfidenceInterval(
      lower: sorted[k - 1], upper: sorted[n - k], confidence: 1 - 2 * atMost[k - 1])
  }
}

extension ConfidenceInterval {
  /// The Wilson score interval for a binomial proportion (Wilson, *JASA* 22, 1927): well behaved
  /// near 0 and 1, where the normal "p ± z·√(p(1−p)/n)" interval fails.
  ///
  /// - Throws: `StatsError.empty` when `trials` is 0, `.invalidProbability` for a level outside
  ///   (0, 1); `successes` is clamped to `0...trials`.
  public static func wilson(successes: Int, trials: Int, confidence: Double = 0.95)
    throws(StatsError) -> ConfidenceInterval
  {
    guard trials > 0 else { throw .empty }
    guard confidence > 0, confidence < 1 else { throw .invalidProbability(confidence) }
    let n = Double(trials)
    let p = Double(min(max(successes, 0), trials)) / n
    let z = SpecialFunctions.normalQuantile((1 + confidence) / 2)
    let z2 = z * z
    let center = (p + z2 / (2 * n)) / (1 + z2 / n)
    let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
    return ConfidenceInterval(
      lower: max(0, center - half), upper: min(1, center + half), confidence: confidence)
  }
}
