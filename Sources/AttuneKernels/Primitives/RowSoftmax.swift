/// Vectorised passes over one row of scores, shared by the `simd` and `fused` kernels.
///
/// Each pass handles `count` valid entries 16 at a time. The row's storage must extend to
/// `count` rounded up to a multiple of 16: the last vector is loaded and stored whole, and lanes
/// past `count` are masked out of every maximum and sum (their stored values are garbage).
package enum RowSoftmax {
  /// Multiplies each entry by `scale` in place and returns the maximum of the scaled entries.
  @inline(__always)
  package static func scaleAndMax(
    _ row: UnsafeMutablePointer<Float>, count: Int, scale: Float
  ) -> Float {
    let factor = Vector(repeating: scale)
    var best = Vector(repeating: -.infinity)
    var j = 0
    while j &+ vectorWidth <= count {
      let s = Vector.load(row + j) * factor
      s.store(row + j)
      best = maximum(best, s)
      j &+= vectorWidth
    }
    if j < count {
      let s = Vector.load(row + j) * factor
      s.store(row + j)
      best = maximum(best, s.replacing(with: -.infinity, where: tailMask(count &- j)))
    }
    return best.max()
  }

  /// Replaces each entry `x` by `x · scale + bias[j]` and returns the maximum of the new entries
  /// (`bias` has `count` readable entries; only they are read).
  @inline(__always)
  package static func scaleAddAndMax(
    _ row: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, count: Int, scale: Float
  ) -> Float {
    let factor = Vector(repeating: scale)
    var best = Vector(repeating: -.infinity)
    var j = 0
    while j &+ vectorWidth <= count {
      let s = multiplyAdd(Vector.load(bias + j), Vector.load(row + j), factor)
      s.store(row + j)
      best = maximum(best, s)
      j &+= vectorWidth
    }
    while j < count {
      row[j] = row[j] * scale + bias[j]
      best[0] = Swift.max(best[0], row[j])
      j &+= 1
    }
    return best.max()
  }

  /// Replaces each entry `x` by `e^(x − rowMax)` and returns the sum of the new entries.
  @inline(__always)
  package static func exponentiateAndSum(
    _ row: UnsafeMutablePointer<Float>, count: Int, rowMax: Float
  ) -> Float {
    let m = Vector(repeating: rowMax)
    var sum0 = Vector.zero
    var sum1 = Vector.zero
    var j = 0
    while j &+ 2 &* vectorWidth <= count {
      let e0 = exponential(Vector.load(row + j) - m)
      let e1 = exponential(Vector.load(row + (j &+ vectorWidth)) - m)
      e0.store(row + j)
      e1.store(row + (j &+ vectorWidth))
      sum0 += e0
      sum1 += e1
      j &+= 2 &* vectorWidth
    }
    while j < count {
      let e = exponential(Vector.load(row + j) - m)
      e.store(row + j)
      sum0 += count &- j >= vectorWidth ? e : e.replacing(with: 0, where: tailMask(count &- j))
      j &+= vectorWidth
    }
    return (sum0 + sum1).sum()
  }

  /// Multiplies the first `count` entries by `factor` (whole vectors; see the type's note).
  @inline(__always)
  package static func multiply(_ row: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
    let f = Vector(repeating: factor)
    var j = 0
    while j < count {
      (Vector.load(row + j) * f).store(row + j)
      j &+= vectorWidth
    }
  }

  /// Lanes at or past `valid` (the invalid tail of a partial vector).
  @inline(__always)
  package static func tailMask(_ valid: Int) -> SIMDMask<SIMD16<Int32>> {
    SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
      .>= SIMD16(repeating: Int32(truncatingIfNeeded: valid))
  }
}
