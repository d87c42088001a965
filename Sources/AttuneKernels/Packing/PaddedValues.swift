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
  package convenience init(_ problem: AttentionProblem, lanes: Int) {
    self.init(
      rows: problem.vBase, count: problem.shape.keys, width: problem.shape.valueDim,
      lanes: lanes, for: problem)
  }

  /// Pads `count` rows of `width` floats from `rows` (V, or any matrix a product micro-kernel
  /// reads as its right operand, as Q, K and dO in the backward pass); used in place when
  /// `width` is already a multiple of `lanes`. Scratch is counted for `problem`.
  package init(
    rows: UnsafePointer<Float>, count: Int, width: Int, lanes: Int,
    for problem: AttentionProblem
  ) {
    stride = Self.stride(width, lanes: lanes)
    if stride == width {
      storage = nil
      base = rows
    } else {
      let buffer = AlignedBuffer(count: count * stride, for: problem)
      for row in 0..<count {
        (buffer.base + row * stride).update(from: rows + row * width, count: width)
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
