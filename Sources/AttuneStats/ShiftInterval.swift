/// The shift between two independent samples: the Hodges–Lehmann estimate (the median of all
/// pairwise differences `xᵢ − yⱼ`) and its distribution-free interval from the Mann–Whitney
/// distribution (Hollander, Wolfe and Chicken, *Nonparametric Statistical Methods*, 2014, §4.3).
///
/// Valid when the two samples differ by a shift (the same shape); applied to log-times, the
/// shift is a ratio of times. Unlike a paired ratio, it needs no rounds in common: it compares
/// two separate runs, such as a saved baseline and today's.
public struct ShiftInterval: Sendable, Hashable {
  /// The median of the pairwise differences.
  public let estimate: Double
  /// The interval `[D₍ₖ₎, D₍ₘₙ₋ₖ₊₁₎]` of the ordered differences.
  public let interval: ConfidenceInterval

  /// The shift of `x` over `y` at `confidence` (the normal approximation to the Mann–Whitney
  /// distribution, with a continuity correction, picks k).
  ///
  /// - Throws: `StatsError.empty`, `.nonFinite`, `.invalidProbability`.
  /// - Complexity: O(mn log mn).
  public init(_ x: [Double], _ y: [Double], confidence: Double = 0.95) throws(StatsError) {
    guard confidence > 0, confidence < 1 else { throw .invalidProbability(confidence) }
    try StatsError.check(x)
    try StatsError.check(y)
    var differences: [Double] = []
    differences.reserveCapacity(x.count * y.count)
    for a in x { for b in y { differences.append(a - b) } }
    differences.sort()
    let total = differences.count
    let middle = total / 2
    estimate =
      total % 2 == 1 ? differences[middle] : (differences[middle - 1] + differences[middle]) / 2
    let m = Double(x.count)
    let n = Double(y.count)
    let z = SpecialFunctions.normalQuantile(1 - (1 - confidence) / 2)
    let spread = (m * n * (m + n + 1) / 12).squareRoot()
    // k − 1 = the largest U below the lower critical value.
    let k = max(Int((m * n / 2 - z * spread - 0.5).rounded(.down)) + 1, 1)
    let lower = differences[min(k - 1, total - 1)]
    let upper = differences[max(total - k, 0)]
    let achieved =
      k > 1 ? 1 - 2 * SpecialFunctions.normalCDF((Double(k - 1) + 0.5 - m * n / 2) / spread) : 0
    interval = ConfidenceInterval(lower: lower, upper: upper, confidence: achieved)
  }
}
