/// The portable entry's micro-kernels, in generic Swift SIMD (`Vector`, 16 lanes): the fallback on
/// CPUs without a C entry, and a second implementation for the tests.
///
/// Each keeps a block of results in vector registers for a whole reduction and touches memory only
/// to stream operands. On AVX-512 the 16-lane vectors are one register each; elsewhere they are
/// two (AVX2) or four (SSE, NEON) and the accumulators spill: the C entries are the fast paths.
package enum PortableKernels {
  /// Query rows per score micro-kernel call.
  package static let scoreRows = 4
  /// Keys per packed panel.
  package static let panelKeys = 32
  /// Rows per product micro-kernel call.
  package static let productRows = 4
  /// Features summed in registers before a partial sum is added to memory.
  package static let chunk = 64

  /// Scores of up to 4 query rows against one panel of 32 packed keys:
  /// `s[r][j] = Σ_c q[r][c] · panel[c][j]` for `r < rows`, `j < 32`, summed over chunks of 64
  /// features whose partial sums are then added (the error grows with `64 + dk / 64`, not `dk`).
  ///
  /// - Parameters:
  ///   - q: The first query row, `dk` floats.
  ///   - ldq: Floats between query rows.
  ///   - rows: Rows to compute, 1...4. Missing rows repeat row 0 and are not stored.
  ///   - panel: A `PackedKeys` panel, `[dk][32]`.
  ///   - dk: Query and key width.
  ///   - s: Where row 0 of the result goes; 32 floats per row are written.
  ///   - lds: Floats between result rows.
  /// - Complexity: `128 · dk` multiply-adds in 8 vector accumulators.
  package static func scores(
    q: UnsafePointer<Float>, ldq: Int, rows: Int, panel: UnsafePointer<Float>, dk: Int,
    s: UnsafeMutablePointer<Float>, lds: Int
  ) {
    var start = 0
    while start < dk {
      let end = min(start &+ chunk, dk)
      scores(
        q: q, ldq: ldq, rows: rows, panel: panel, features: start..<end, adding: start > 0, s: s,
        lds: lds)
      start = end
    }
  }

  /// `scores` over the features `features` only, stored or (when `adding`) added to `s`.
  @inline(__always)
  private static func scores(
    q: UnsafePointer<Float>, ldq: Int, rows: Int, panel: UnsafePointer<Float>,
    features: Range<Int>, adding: Bool, s: UnsafeMutablePointer<Float>, lds: Int
  ) {
    let q0 = q
    let q1 = rows > 1 ? q + ldq : q
    let q2 = rows > 2 ? q + 2 &* ldq : q
    let q3 = rows > 3 ? q + 3 &* ldq : q
    var c00 = Vector.zero
    var c01 = Vector.zero
    var c10 = Vector.zero
    var c11 = Vector.zero
    var c20 = Vector.zero
    var c21 = Vector.zero
    var c30 = Vector.zero
    var c31 = Vector.zero
    var b = panel + features.lowerBound &* panelKeys
    for c in features {
      let k0 = Vector.load(b)
      let k1 = Vector.load(b + 16)
      let a0 = Vector(repeating: q0[c])
      c00 = multiplyAdd(c00, a0, k0)
      c01 = multiplyAdd(c01, a0, k1)
      let a1 = Vector(repeating: q1[c])
      c10 = multiplyAdd(c10, a1, k0)
      c11 = multiplyAdd(c11, a1, k1)
      let a2 = Vector(repeating: q2[c])
      c20 = multiplyAdd(c20, a2, k0)
      c21 = multiplyAdd(c21, a2, k1)
      let a3 = Vector(repeating: q3[c])
      c30 = multiplyAdd(c30, a3, k0)
      c31 = multiplyAdd(c31, a3, k1)
      b += panelKeys
    }
    store(c00, c01, s, adding: adding)
    if rows > 1 { store(c10, c11, s + lds, adding: adding) }
    if rows > 2 { store(c20, c21, s + 2 &* lds, adding: adding) }
    if rows > 3 { store(c30, c31, s + 3 &* lds, adding: adding) }
  }

  @inline(__always)
  private static func store(
    _ a: Vector, _ b: Vector, _ to: UnsafeMutablePointer<Float>, adding: Bool
  ) {
    if adding {
      (Vector.load(to) + a).store(to)
      (Vector.load(to + 16) + b).store(to + 16)
    } else {
      a.store(to)
      b.store(to + 16)
    }
  }

  /// Accumulates `acc[r][0..<columns] += Σ_j p[r][j] · v[j][0..<columns]` for up to 4 rows,
  /// with `p[r][j]` at `p + r · ldp + j · keyStride`.
  ///
  /// - Parameters:
  ///   - p: Row 0 of the weights; `count` are used per row.
  ///   - ldp: Floats between weight rows (1 when P is transposed).
  ///   - keyStride: Floats between a row's weights (P's leading dimension when it is transposed).
  ///   - rows: Rows to compute, 1...4. Missing rows repeat row 0 and are not stored.
  ///   - v: Row 0 of the values.
  ///   - ldv: Floats between value rows.
  ///   - count: Value rows to sum over.
  ///   - columns: Columns, a multiple of 16 (`PaddedValues.stride`).
  ///   - acc: Row 0 of the accumulator, read and written.
  ///   - ldacc: Floats between accumulator rows.
  /// - Complexity: `rows · count · columns` multiply-adds, 64 columns at a time in 16
  ///   accumulators, then 16 at a time.
  package static func accumulateProducts(
    p: UnsafePointer<Float>, ldp: Int, keyStride: Int = 1, rows: Int, v: UnsafePointer<Float>,
    ldv: Int, count: Int, columns: Int, acc: UnsafeMutablePointer<Float>, ldacc: Int
  ) {
    let p0 = p
    let p1 = rows > 1 ? p + ldp : p
    let p2 = rows > 2 ? p + 2 &* ldp : p
    let p3 = rows > 3 ? p + 3 &* ldp : p
    let o0 = acc
    let o1 = rows > 1 ? acc + ldacc : acc
    let o2 = rows > 2 ? acc + 2 &* ldacc : acc
    let o3 = rows > 3 ? acc + 3 &* ldacc : acc
    var column = 0
    while column &+ 64 <= columns {
      var a00 = Vector.load(o0 + column)
      var a01 = Vector.load(o0 + column + 16)
      var a02 = Vector.load(o0 + column + 32)
      var a03 = Vector.load(o0 + column + 48)
      var a10 = Vector.load(o1 + column)
      var a11 = Vector.load(o1 + column + 16)
      var a12 = Vector.load(o1 + column + 32)
      var a13 = Vector.load(o1 + column + 48)
      var a20 = Vector.load(o2 + column)
      var a21 = Vector.load(o2 + column + 16)
      var a22 = Vector.load(o2 + column + 32)
      var a23 = Vector.load(o2 + column + 48)
      var a30 = Vector.load(o3 + column)
      var a31 = Vector.load(o3 + column + 16)
      var a32 = Vector.load(o3 + column + 32)
      var a33 = Vector.load(o3 + column + 48)
      var vj = v + column
      for j in 0..<count {
        let v0 = Vector.load(vj)
        let v1 = Vector.load(vj + 16)
        let v2 = Vector.load(vj + 32)
        let v3 = Vector.load(vj + 48)
        let w0 = Vector(repeating: p0[j &* keyStride])
        a00 = multiplyAdd(a00, w0, v0)
        a01 = multiplyAdd(a01, w0, v1)
        a02 = multiplyAdd(a02, w0, v2)
        a03 = multiplyAdd(a03, w0, v3)
        let w1 = Vector(repeating: p1[j &* keyStride])
        a10 = multiplyAdd(a10, w1, v0)
        a11 = multiplyAdd(a11, w1, v1)
        a12 = multiplyAdd(a12, w1, v2)
        a13 = multiplyAdd(a13, w1, v3)
        let w2 = Vector(repeating: p2[j &* keyStride])
        a20 = multiplyAdd(a20, w2, v0)
        a21 = multiplyAdd(a21, w2, v1)
        a22 = multiplyAdd(a22, w2, v2)
        a23 = multiplyAdd(a23, w2, v3)
        let w3 = Vector(repeating: p3[j &* keyStride])
        a30 = multiplyAdd(a30, w3, v0)
        a31 = multiplyAdd(a31, w3, v1)
        a32 = multiplyAdd(a32, w3, v2)
        a33 = multiplyAdd(a33, w3, v3)
        vj += ldv
      }
      if rows > 3 { store4(a30, a31, a32, a33, o3 + column) }
      if rows > 2 { store4(a20, a21, a22, a23, o2 + column) }
      if rows > 1 { store4(a10, a11, a12, a13, o1 + column) }
      store4(a00, a01, a02, a03, o0 + column)
      column &+= 64
    }
    while column < columns {
      var a0 = Vector.load(o0 + column)
      var a1 = Vector.load(o1 + column)
      var a2 = Vector.load(o2 + column)
      var a3 = Vector.load(o3 + column)
      var vj = v + column
      for j in 0..<count {
        let vv = Vector.load(vj)
        a0 = multiplyAdd(a0, Vector(repeating: p0[j &* keyStride]), vv)
        a1 = multiplyAdd(a1, Vector(repeating: p1[j &* keyStride]), vv)
        a2 = multiplyAdd(a2, Vector(repeating: p2[j &* keyStride]), vv)
        a3 = multiplyAdd(a3, Vector(repeating: p3[j &* keyStride]), vv)
        vj += ldv
      }
      if rows > 3 { a3.store(o3 + column) }
      if rows > 2 { a2.store(o2 + column) }
      if rows > 1 { a1.store(o1 + column) }
      a0.store(o0 + column)
      column &+= 16
    }
  }

  @inline(__always)
  private static func store4(
    _ a: Vector, _ b: Vector, _ c: Vector, _ d: Vector, _ to: UnsafeMutablePointer<Float>
  ) {
    a.store(to)
    b.store(to + 16)
    c.store(to + 32)
    d.store(to + 48)
  }
}
