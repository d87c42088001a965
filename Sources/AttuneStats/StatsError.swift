/// Inputs a statistic cannot be computed from.
public enum StatsError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No samples.
  case empty
  /// Fewer samples than the statistic needs.
  case tooFewSamples(needed: Int, got: Int)
  /// Every sample is identical (or both groups are constant), so the statistic is 0/0.
  case zeroVariance
  /// A sample is NaN or infinite.
  case nonFinite
  /// A probability or confidence level outside its open interval.
  case invalidProbability(Double)
  /// A degrees-of-freedom value that is not finite and positive.
  case invalidDegreesOfFreedom(Double)
  /// Paired samples of different lengths.
  case mismatchedCounts(Int, Int)

  /// One line saying what was wrong.
  public var description: String {
    switch self {
    case .empty: return "no samples"
    case .tooFewSamples(let needed, let got): return "needs at least \(needed) samples, got \(got)"
    case .zeroVariance: return "the samples have no variance, so the statistic is undefined"
    case .nonFinite: return "a sample is NaN or infinite"
    case .invalidProbability(let p):
      return "a probability must lie strictly between 0 and 1, got \(p)"
    case .invalidDegreesOfFreedom(let df):
      return "degrees of freedom must be finite and positive, got \(df)"
    case .mismatchedCounts(let a, let b):
      return "paired samples must have the same length, got \(a) and \(b)"
    }
  }

  /// Throws `.empty` or `.nonFinite` unless `samples` is non-empty and finite.
  static func check(_ samples: [Double]) throws(StatsError) {
    guard !samples.isEmpty else { throw .empty }
    guard samples.allSatisfy(\.isFinite) else { throw .nonFinite }
  }
}
