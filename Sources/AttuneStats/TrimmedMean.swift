/// The γ-trimmed mean and its Winsorized variance: a location estimate that ignores the
/// `⌊γn⌋` smallest and largest values, so rare outliers do not move it, while keeping most of the
/// mean's efficiency for normal data (Tukey and McLaughlin, *Sankhyā* A 25, 1963; Wilcox,
/// *Introduction to Robust Estimation and Hypothesis Testing*, 2017, §3.2 and §4.3).
///
/// Matches `scipy.stats.trim_mean(x, γ)` and the variance of `scipy.stats.mstats.winsorize(x,
/// limits=(γ, γ))` (`TrimmedMeanTests`).
public struct TrimmedMean: Sendable, Hashable {
  /// Values trimmed from each end, `⌊γn⌋`.
  public let trimmed: Int
  /// The mean of the values left.
  public let mean: Double
  /// The sample variance (divisor `n − 1`) after Winsorizing: each trimmed value replaced by the
  /// nearest value kept.
  public let winsorizedVariance: Double
  /// Number of values.
  public let count: Int

  /// Trims `proportion` (γ, in `0..<0.5`) from each end of `samples`.
  ///
  /// - Throws: `StatsError.empty`, `.nonFinite`, or `.invalidProbability` for γ outside [0, 0.5).
  /// - Complexity: O(n log n).
  public init(_ samples: [Double], proportion: Double = 0.2) throws(StatsError) {
    guard proportion >= 0, proportion < 0.5 else { throw .invalidProbability(proportion) }
    try StatsError.check(samples)
    let sorted = samples.sorted()
    let n = sorted.count
    let g = Int((proportion * Double(n)).rounded(.down))
    let kept = sorted[g..<(n - g)]
    count = n
    trimmed = g
    mean = kept.reduce(0, +) / Double(kept.count)
    let low = sorted[g]
    let high = sorted[n - 1 - g]
    let winsorized = sorted.map { min(max($0, low), high) }
    let winsorizedMean = winsorized.reduce(0, +) / Double(n)
    winsorizedVariance =
      n > 1
      ? winsorized.reduce(0) { $0 + ($1 - winsorizedMean) * ($1 - winsorizedMean) } / Double(n - 1)
      : 0
  }

  /// Values kept, `h = n − 2⌊γn⌋`; the Tukey–McLaughlin test has `h − 1` degrees of freedom.
  public var effectiveCount: Int { count - 2 * trimmed }

  /// The Tukey–McLaughlin standard error, `s_w / ((1 − 2γ)·√n)`, with `(1 − 2γ)` taken as `h / n`.
  public var standardError: Double {
    winsorizedVariance.squareRoot() * Double(count) / Double(effectiveCount)
      / Double(count).squareRoot()
  }
}
