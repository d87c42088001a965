/// The Mann–Whitney U test (Wilcoxon rank-sum) of two independent samples, with the normal
/// approximation, tie correction and continuity correction.
///
/// `U₁ = R₁ − n₁(n₁+1)/2` where `R₁` is the sum of the first sample's mid-ranks;
/// `σ² = n₁n₂/12 · ((n+1) − Σ(tᵢ³ − tᵢ)/(n(n−1)))` over tie groups of size `tᵢ`;
/// `z = (U₁ − n₁n₂/2 ∓ ½) / σ`. Matches `scipy.stats.mannwhitneyu(method="asymptotic")`
/// (`MannWhitneyUTests`). Rank-based, so one wild outlier moves it no more than any other
/// largest value: suited to right-skewed timings.
public struct MannWhitneyU: Sendable, Hashable, Codable {
  /// `U₁`, the number of pairs (x from the first sample, y from the second) with x > y, ties ½.
  public let u: Double
  /// `P(the samples differ in location)` (two-sided).
  public let pTwoSided: Double
  /// Evidence that the first sample tends to be smaller.
  public let pLess: Double
  /// Evidence that the first sample tends to be larger.
  public let pGreater: Double

  /// Tests `first` against `second`.
  ///
  /// - Throws: `StatsError.empty` if a sample is empty, `.zeroVariance` when every value of both
  ///   is the same (no ranking exists), `.nonFinite`.
  /// - Complexity: O(n log n).
  public init(_ first: [Double], _ second: [Double]) throws(StatsError) {
    try StatsError.check(first)
    try StatsError.check(second)
    let n1 = Double(first.count)
    let n2 = Double(second.count)
    let pooled = (first.map { ($0, 0) } + second.map { ($0, 1) }).sorted { $0.0 < $1.0 }
    var rankSum = 0.0
    var tieTerm = 0.0
    var i = 0
    while i < pooled.count {
      var j = i
      while j + 1 < pooled.count, pooled[j + 1].0 == pooled[i].0 { j += 1 }
      let midRank = Double(i + j + 2) / 2  // ranks are 1-based
      let size = Double(j - i + 1)
      tieTerm += size * size * size - size
      for index in i...j where pooled[index].1 == 0 { rankSum += midRank }
      i = j + 1
    }
    let n = n1 + n2
    u = rankSum - n1 * (n1 + 1) / 2
    let mean = n1 * n2 / 2
    let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
    guard variance > 0 else { throw .zeroVariance }
    let sigma = variance.squareRoot()
    pGreater = SpecialFunctions.normalCDF(-(u - mean - 0.5) / sigma)
    pLess = SpecialFunctions.normalCDF((u - mean + 0.5) / sigma)
    pTwoSided = min(1, 2 * SpecialFunctions.normalCDF(-(abs(u - mean) - 0.5) / sigma))
  }
}
