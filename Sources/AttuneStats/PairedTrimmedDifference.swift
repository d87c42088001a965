/// The difference of two γ-trimmed means measured in pairs: Yuen's test for dependent groups.
///
/// From `n` pairs `(xⱼ, yⱼ)` (two candidates measured in the same round), estimates
/// `μₜ(X) − μₜ(Y)`, the difference of the two marginal trimmed means, with the standard error
///
/// ```
/// SE² = (n − 1) / (h (h − 1)) · (s²_wx + s²_wy − 2 s_wxy),     h = n − 2⌊γn⌋,
/// ```
///
/// where each sample is Winsorized on its own and `s_wxy` is their Winsorized covariance; the
/// statistic `(estimate − Δ) / SE` is referred to Student's t with `h − 1` degrees of freedom
/// (Yuen, *Biometrika* 61, 1974; Wilcox, *Introduction to Robust Estimation and Hypothesis
/// Testing*, 2017, §5.9.5). Each comparison carries its own variance, so two noisy samples get a
/// wide interval whatever the other comparisons of a race look like, and the covariance term
/// cancels what the pair shares (a machine's drift during the round).
///
/// What is estimated is stated exactly: the difference of the trimmed means of the two
/// distributions. When both are symmetric (log-normal or Student-t noise on log-times, a bimodal
/// mixture with equal modes) it is also the difference of medians and of means; when their shapes
/// differ it is still the difference of two well-defined locations, which is what a race ranks
/// candidates by.
///
/// It also reports the lag-1 autocorrelation of the Winsorized differences in pair order, so a
/// caller can tell when consecutive pairs are not independent (`lagOneAutocorrelation`).
///
/// - Complexity: O(n log n).
public struct PairedTrimmedDifference: Sendable, Hashable {
  /// Number of pairs, `n`.
  public let count: Int
  /// Values trimmed from each end of each sample, `⌊γn⌋`.
  public let trimmed: Int
  /// `μ̂ₜ(X) − μ̂ₜ(Y)`.
  public let estimate: Double
  /// Yuen's standard error of `estimate`.
  public let standardError: Double
  /// The lag-1 autocorrelation of the differences `xⱼ − yⱼ`, Winsorized at the same proportion,
  /// in pair order (0 when they are constant). The differences, not each sample, are Winsorized:
  /// drift shared by the pair cancels in them, where Winsorizing each sample would clip the
  /// rounds at a drift's peaks and make them look correlated.
  public let lagOneAutocorrelation: Double

  /// Values kept per sample, `h = n − 2⌊γn⌋`.
  public var effectiveCount: Int { count - 2 * trimmed }

  /// Degrees of freedom of Yuen's statistic, `h − 1`.
  public var degreesOfFreedom: Int { effectiveCount - 1 }

  /// Compares `x` and `y`, paired by index, trimming `proportion` (γ in `0..<0.5`) from each end.
  ///
  /// - Throws: `StatsError.empty`, `.nonFinite`, `.invalidProbability` for γ outside [0, 0.5),
  ///   `.tooFewSamples` below 2 pairs or when trimming leaves fewer than 2 values (`h < 2`).
  /// - Complexity: O(n log n).
  public init(_ x: [Double], _ y: [Double], proportion: Double = 0.2) throws(StatsError) {
    guard proportion >= 0, proportion < 0.5 else { throw .invalidProbability(proportion) }
    guard x.count == y.count else { throw .mismatchedCounts(x.count, y.count) }
    try StatsError.check(x)
    try StatsError.check(y)
    let n = x.count
    let g = Int((proportion * Double(n)).rounded(.down))
    let h = n - 2 * g
    guard n >= 2, h >= 2 else { throw .tooFewSamples(needed: 2, got: h) }
    let (meanX, winsorX) = Self.trimmedMeanAndWinsorized(x, g)
    let (meanY, winsorY) = Self.trimmedMeanAndWinsorized(y, g)
    let averageX = winsorX.reduce(0, +) / Double(n)
    let averageY = winsorY.reduce(0, +) / Double(n)
    var sxx = 0.0
    var syy = 0.0
    var sxy = 0.0
    for index in 0..<n {
      let a = winsorX[index] - averageX
      let b = winsorY[index] - averageY
      sxx += a * a
      syy += b * b
      sxy += a * b
    }
    // (n − 1)·s² = Σ(w − w̄)², so the factor (n − 1) / (h(h − 1)) times the variances is the sum
    // of squares over h(h − 1).
    let squares = max(sxx + syy - 2 * sxy, 0)
    count = n
    trimmed = g
    estimate = meanX - meanY
    standardError = (squares / Double(h * (h - 1))).squareRoot()
    let (_, differences) = Self.trimmedMeanAndWinsorized(zip(x, y).map { $0 - $1 }, g)
    lagOneAutocorrelation = Self.lagOne(differences)
  }

  /// The trimmed mean of `values` and the values Winsorized at `g` from each end, in their
  /// original order.
  private static func trimmedMeanAndWinsorized(_ values: [Double], _ g: Int) -> (
    Double, [Double]
  ) {
    let sorted = values.sorted()
    let kept = sorted[g..<(sorted.count - g)]
    let low = sorted[g]
    let high = sorted[sorted.count - 1 - g]
    return (kept.reduce(0, +) / Double(kept.count), values.map { min(max($0, low), high) })
  }

  /// `Σ (vⱼ − v̄)(vⱼ₊₁ − v̄) / Σ (vⱼ − v̄)²`, the usual (biased, bounded by 1) estimate.
  static func lagOne(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    var numerator = 0.0
    var denominator = 0.0
    for index in values.indices {
      let centred = values[index] - mean
      denominator += centred * centred
      if index + 1 < values.count { numerator += centred * (values[index + 1] - mean) }
    }
    return denominator > 0 ? numerator / denominator : 0
  }
}
