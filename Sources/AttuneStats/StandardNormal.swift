/// The standard normal distribution: its CDF and quantile, to full Float64 precision.
public enum StandardNormal {
  /// `Φ(z)`, accurate in both tails (through `erfc`).
  public static func cdf(_ z: Double) -> Double { SpecialFunctions.normalCDF(z) }

  /// `Φ⁻¹(p)`.
  ///
  /// - Throws: `StatsError.invalidProbability` unless `0 < p < 1`.
  public static func quantile(_ p: Double) throws(StatsError) -> Double {
    guard p > 0, p < 1 else { throw .invalidProbability(p) }
    return SpecialFunctions.normalQuantile(p)
  }
}
