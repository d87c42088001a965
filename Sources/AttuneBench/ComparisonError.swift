import AttuneKernels

/// A comparison that cannot be trusted as set up.
public enum ComparisonError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A kernel's output disagrees with the naive kernel's on the same inputs: it would be timed
  /// computing something other than attention.
  case wrongOutput(
    kernel: String, shape: AttentionShape, element: Int, value: Double, expected: Double)
  /// Runs that cannot be merged into one report (`ComparisonReport(merging:)`): none, or runs of
  /// different comparisons.
  case unmergeable(String)

  /// One line saying what was wrong.
  public var description: String {
    switch self {
    case .wrongOutput(let kernel, let shape, let element, let value, let expected):
      return
        "\(kernel) does not compute attention at \(shape): output element \(element) is \(value), the naive kernel gives \(expected); refused before timing"
    case .unmergeable(let reason):
      return "the processes' runs cannot be merged: \(reason)"
    }
  }
}
