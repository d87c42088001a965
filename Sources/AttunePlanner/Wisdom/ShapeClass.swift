import AttuneKernels

/// The shapes one tuned result serves: the same head dimensions, and query and key counts that
/// round up to the same power of two.
///
/// The rule: a configuration tuned at (Nq, Nk, dk, dv) applies to every (Nq', Nk', dk, dv) with
/// ⌈log₂ Nq'⌉ = ⌈log₂ Nq⌉ and ⌈log₂ Nk'⌉ = ⌈log₂ Nk⌉. Head dimensions decide the micro-kernels'
/// work and are few in practice, so they must match exactly; the sequence lengths change the
/// tiles' count, not their shape, so within a factor of two the best tiles stay the same.
public struct ShapeClass: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The power of two at or above Nq.
  public let queries: Int
  /// The power of two at or above Nk.
  public let keys: Int
  /// dk.
  public let headDim: Int
  /// dv.
  public let valueDim: Int

  /// The class of `shape`.
  public init(_ shape: AttentionShape) {
    queries = Self.ceilingPowerOfTwo(shape.queries)
    keys = Self.ceilingPowerOfTwo(shape.keys)
    headDim = shape.headDim
    valueDim = shape.valueDim
  }

  static func ceilingPowerOfTwo(_ n: Int) -> Int {
    guard n > 1 else { return 1 }
    let power = Int.bitWidth - (n - 1).leadingZeroBitCount
    return power >= Int.bitWidth - 1 ? Int.max : 1 << power
  }

  /// `Nq ≤ 2048, Nk ≤ 2048, dk = 64, dv = 64`.
  public var description: String {
    "Nq ≤ \(queries), Nk ≤ \(keys), dk = \(headDim), dv = \(valueDim)"
  }
}
