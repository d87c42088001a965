/// Welch's unequal-variances t-test of two independent samples (Welch, *Biometrika* 34, 1947).
///
/// `t = (x̄₁ − x̄₂) / √(s₁²/n₁ + s₂²/n₂)` with the Welch–Satterthwaite degrees of freedom
/// `ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1))`.
/// Agrees with `scipy.stats.ttest_ind(equal_var=False)` (`WelchTTestTests`).
public struct WelchTTest: Sendable, Hashable, Codable {
  /// The t statistic; negative when the first sample's mean is smaller.
  public let t: Double
  /// The Welch–Satterthwaite degrees of freedom (not an integer in general).
  public let degreesOfFreedom: Double
  /// `P(|T| ≥ |t|)`: the means differ.
  public let pTwoSided: Double
  /// `P(T ≤ t)`: evidence that the first mean is smaller.
  public let pLess: Double
  /// `P(T ≥ t)`: evidence that the first mean is larger.
  public let pGreater: Double

  /// Tests `first` against `second`.
  ///
  /// - Throws: `StatsError.tooFewSamples` when a sample has fewer than 2 values (a variance needs
  ///   two), `.zeroVariance` when both samples are constant (t would be 0/0 or ±∞ with undefined
  ///   degrees of freedom), `.nonFinite`.
  public init(_ first: [Double], _ second: [Double]) throws(StatsError) {
    try StatsError.check(first)
    try StatsError.check(second)
    for sample in [first, second] where sample.count < 2 {
      throw .tooFewSamples(needed: 2, got: sample.count)
    }
    let a = try Summary(first)
    let b = try Summary(second)
    try self.init(
      meanA: a.mean, varianceA: (a.standardDeviation ?? 0) * (a.standardDeviation ?? 0),
      countA: a.count, meanB: b.mean,
      varianceB: (b.standardDeviation ?? 0) * (b.standardDeviation ?? 0), countB: b.count)
  }

  /// Tests two samples given by their means, sample variances (divisor `n − 1`) and counts: for
  /// callers that keep running sums instead of every value.
  ///
  /// - Throws: As `init(_:_:)`.
  public init(
    meanA: Double, varianceA: Double, countA: Int, meanB: Double, varianceB: Double, countB: Int
  ) throws(StatsError) {
    for count in [countA, countB] where count < 2 {
      throw .tooFewSamples(needed: 2, got: count)
    }
    guard [meanA, varianceA, meanB, varianceB].allSatisfy(\.isFinite) else { throw .nonFinite }
    let va = max(varianceA, 0) / Double(countA)
    let vb = max(varianceB, 0) / Double(countB)
    guard va + vb > 0 else { throw .zeroVariance }
    t = (meanA - meanB) / (va + vb).squareRoot()
    degreesOfFreedom =
      (va + vb) * (va + vb) / (va * va / Double(countA - 1) + vb * vb / Double(countB - 1))
    let distribution = try StudentT(degreesOfFreedom: degreesOfFreedom)
    pLess = distribution.cdf(t)
    pGreater = distribution.survival(t)
    pTwoSided = min(1, 2 * distribution.survival(abs(t)))
  }
}
