/// A dense C-order array of integers read from an `.npy` file of int32, int64, uint32 or uint64,
/// such as a ragged batch's sequence offsets.
public struct NPYIntegers: Equatable, Sendable {
  /// The dimensions, outermost first.
  public let shape: [Int]
  /// The elements in C (row-major) order.
  public let values: [Int]

  /// Creates an array (nothing is checked: `NPY.decodeIntegers` builds valid ones).
  public init(shape: [Int], values: [Int]) {
    self.shape = shape
    self.values = values
  }
}
