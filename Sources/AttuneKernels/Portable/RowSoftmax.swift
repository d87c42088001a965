/// The portable entry's passes over one row of scores (or one accumulator row), 16 lanes at a
/// time: the table's `scaleMax`, `expSum` and `multiply`.
///
/// Each pass reads and writes exactly `count` entries: a partial last vector goes through a copy,
/// and its missing lanes are left out of every maximum and sum.
package enum RowSoftmax {
  /// Replaces each entry `x` by `x · scale` (`+ bias[j]` when there is a bias) and returns the
  /// largest new entry (−∞ for an empty row; NaN entries never win).
  @inline(__always)
  package static func scaleAndMax(
    _ row: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, count: Int, scale: Float
  ) -> Float {
    let factor = Vector(repeating: scale)
    var best = Vector(repeating: -.infinity)
    var j = 0
    while j &+ vectorWidth <= count {
      var s = Vector.load(row + j) * factor
      if let bias { s += Vector.load(bias + j) }
      s.store(row + j)
      best = maximum(best, s)
      j &+= vectorWidth
    }
    var result = best.max()
    while j < count {
      let s = row[j] * scale + (bias?[j] ?? 0)
      row[j] = s
      if s > result { result = s }
      j &+= 1
    }
    return result
  }

  /// Replaces each entry `x` by `e^(x · scale − rowMax)` and returns the sum of the new entries.
  @inline(__always)
  package static func exponentiateAndSum(
    _ row: UnsafeMutablePointer<Float>, count: Int, rowMax: Float, scale: Float = 1
  ) -> Float {
    let m = Vector(repeating: -rowMax)
    let f = Vector(repeating: scale)
    var sum0 = Vector.zero
    var sum1 = Vector.zero
    var j = 0
    while j &+ 2 &* vectorWidth <= count {
      let e0 = exponential(multiplyAdd(m, Vector.load(row + j), f))
      let e1 = exponential(multiplyAdd(m, Vector.load(row + (j &+ vectorWidth)), f))
      e0.store(row + j)
      e1.store(row + (j &+ vectorWidth))
      sum0 += e0
      sum1 += e1
      j &+= 2 &* vectorWidth
    }
    while j < count {
      let valid = min(vectorWidth, count &- j)
      var x = Vector.zero
      for lane in 0..<valid { x[lane] = row[j &+ lane] }
      let e = exponential(multiplyAdd(m, x, f))  // lanes past `valid` are left out of the sum
      for lane in 0..<valid { row[j &+ lane] = e[lane] }
      sum0 += e.replacing(with: 0, where: tailMask(valid))
      j &+= vectorWidth
    }
    return (sum0 + sum1).sum()
  }

  /// The backward pass's step from a tile's scores to their gradients, in place (see
  /// `attune_f32_softmax_backward_fn`): `p = e^(s · scale[r] − shift[r])` as
  /// `exponentiateAndSum` computes it, `s = p`, `dp = p · (dp − dot[r])`, 0 where `p` is 0.
  ///
  /// - Complexity: O(rows · columns).
  package static func softmaxBackward(
    _ s: UnsafeMutablePointer<Float>, _ dp: UnsafeMutablePointer<Float>, ld: Int, rows: Int,
    columns: Int, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
    dot: UnsafePointer<Float>
  ) {
    for r in 0..<rows {
      let p = s + r &* ld
      let g = dp + r &* ld
      _ = exponentiateAndSum(p, count: columns, rowMax: shift[r], scale: scale[r])
      for j in 0..<columns { g[j] = p[j] == 0 ? 0 : p[j] * (g[j] - dot[r]) }
    }
  }

  /// Multiplies the first `count` entries by `factor`.
  @inline(__always)
  package static func multiply(_ row: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
    let f = Vector(repeating: factor)
    var j = 0
    while j &+ vectorWidth <= count {
      (Vector.load(row + j) * f).store(row + j)
      j &+= vectorWidth
    }
    while j < count {
      row[j] *= factor
      j &+= 1
    }
  }

  /// Lanes at or past `valid` (the invalid tail of a partial vector).
  @inline(__always)
  package static func tailMask(_ valid: Int) -> SIMDMask<SIMD16<Int32>> {
    SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
      .>= SIMD16(repeating: Int32(truncatingIfNeeded: valid))
  }
}
