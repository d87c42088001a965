/// A dense C-order array of Float32 values with 1 to 4 dimensions, as read from or written to an
/// `.npy` file.
public struct NPYArray: Equatable, Sendable {
  /// The element type an `.npy` file stored.
  public enum StoredType: String, Sendable, Equatable {
    /// `<f4` or `>f4`.
    case float32
    /// `<f8` or `>f8`, rounded to Float32 on reading.
    case float64
    /// `<f2` or `>f2`, widened exactly.
    case float16
    /// `|b1`, read as 0 and 1.
    case bool
  }

  /// The dimensions, outermost first.
  public let shape: [Int]
  /// The elements in C (row-major) order; `values.count` is the product of `shape`.
  public let values: [Float]
  /// What the source file stored (`.float32` for arrays built in memory).
  public let storedType: StoredType
  /// The first float64 value of the file that is finite but beyond Float32's range (±3.4e38),
  /// and so became ±∞ here; nil when there is none.
  public internal(set) var firstOutOfRange: OutOfRangeValue?

  /// Creates an array.
  ///
  /// - Throws: `NPYError.unsupportedRank` unless `shape` has 1 to 4 dimensions, or
  ///   `NPYError.countMismatch` if `values` does not fill it.
  public init(shape: [Int], values: [Float]) throws(NPYError) {
    try self.init(shape: shape, values: values, storedType: .float32)
  }

  init(shape: [Int], values: [Float], storedType: StoredType) throws(NPYError) {
    guard (1...4).contains(shape.count) else { throw .unsupportedRank(shape.count) }
    guard let count = Self.elementCount(shape), count == values.count else {
      throw .countMismatch(shape: shape, count: values.count)
    }
    self.shape = shape
    self.values = values
    self.storedType = storedType
  }

  /// The product of `shape`, or nil if a dimension is negative or the product overflows.
  static func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for dimension in shape {
      guard dimension >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// The shape written as NumPy prints it, such as `(2048, 64)`.
  public var shapeDescription: String {
    shape.count == 1
      ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }
}
