/// A finite float64 value of an `.npy` file that Float32 cannot hold (beyond ±3.4e38), and where
/// it was: reading turned it into ±∞, which a caller may refuse with this value in its message.
public struct OutOfRangeValue: Equatable, Sendable {
  /// Flat (C-order) index of the element.
  public let index: Int
  /// The value as the file stored it.
  public let value: Double

  /// A value and its index.
  public init(index: Int, value: Double) {
    self.index = index
    self.value = value
  }
}
