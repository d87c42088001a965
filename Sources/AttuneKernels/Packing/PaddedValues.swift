/// V with each row padded to a multiple of the micro-kernel table's `lanes`, so the product
/// micro-kernel needs no column tail. When `dv` is already such a multiple the caller's V is used
/// in place, without a copy.
package final class PaddedValues: @unchecked Sendable {
  /// The first row; rows are `stride` floats apart.
  package let base: UnsafePointer<Float>
  /// Floats per row, `dv` rounded up to a multiple of `lanes`.
  package let stride: Int
  private let storage: AlignedBuffer?

  /// Pads the values of a validated `problem` (read-only; kept alive by the caller).
  package init(_ problem: AttentionProblem, lanes: Int) {
    let dv = problem.shape.valueDim
    let nk = problem.shape.keys
    stride = Self.stride(dv, lanes: lanes)
    if stride == dv {
      storage = nil
      base = problem.vBase
    } else {
      let buffer = AlignedBuffer(count: nk * stride, for: problem)
      for row in 0..<nk {
        (buffer.base + row * stride).update(from: problem.vBase + row * dv, count: dv)
      }
      storage = buffer
      base = UnsafePointer(buffer.base)
    }
  }

  /// `dv` rounded up to a multiple of `lanes`.
  package static func stride(_ dv: Int, lanes: Int) -> Int {
    (dv + lanes - 1) / lanes * lanes
  }

  /// Bytes of the padded copy for `shape`, zero when no copy is made.
  package static func scratchBytes(for shape: AttentionShape, lanes: Int) -> Int {
    let s = stride(shape.valueDim, lanes: lanes)
    return s == shape.valueDim ? 0 : AlignedBuffer.bytes(shape.keys * s)
  }
}
