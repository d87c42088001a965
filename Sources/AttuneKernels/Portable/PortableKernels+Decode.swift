/// The portable decode score micro-kernel: up to 4 query rows against 4 keys read in place.
///
/// With a handful of query rows, packing K would cost more than the product, so K's rows are
/// read where they are. A dot product per (row, key) would reload its query chunk for every
/// multiply-add (two loads per multiply-add: on Zen 4, whose L1 serves one 64-byte load per
/// cycle, the loads and not the multiply-adds set the pace) and end in a horizontal sum on one
/// dependency chain. Here each step loads 4 query chunks and 4 key chunks for 16 multiply-adds
/// into 16 accumulators, and one transposing reduction (15 folds) turns them into the 16
/// scores. Swift's SIMD types cannot ask for the folds' lane shuffles, and the compiler builds
/// some lane by lane: the C entries (`f32_decode_4x4_avx512f` and others) are the fast paths.
extension PortableKernels {
  /// Query rows per `decodeScores` call.
  package static let decodeRows = 4
  /// Keys per `decodeScores` call.
  package static let decodeKeys = 4

  /// `s[r][j] = Σ_{c < dk} q[r][c] · k[j][c]` for `r < rows` (1...4), `j < keys` (1...4): the
  /// table's decode entry. Writes exactly `keys` floats of each result row.
  package static func decodeScores(
    q: UnsafePointer<Float>, ldq: Int, rows: Int, k: UnsafePointer<Float>, ldk: Int, keys: Int,
    dk: Int, s: UnsafeMutablePointer<Float>, lds: Int
  ) {
    let whole = dk / vectorWidth * vectorWidth
    let sums = scores(q: q, ldq: ldq, rows: rows, keys: k, count: keys, ldk: ldk, width: whole)
    for row in 0..<rows {
      let queryRow = q + row * ldq
      for key in 0..<keys {
        var dot = sums[row &* 4 &+ key]
        let keyRow = k + key * ldk
        for c in whole..<dk { dot += queryRow[c] * keyRow[c] }
        s[row * lds + key] = dot
      }
    }
  }

  /// `Σ_{c < width} q[r][c] · k[j][c]` for rows `r < 4` and the 4 keys `j` at `k`.
  ///
  /// - Parameters:
  ///   - q: Row 0 of the queries; row `r` starts at `q + r · ldq`.
  ///   - ldq: Floats between query rows.
  ///   - rows: Rows to compute, 1...4. Missing rows repeat row 0 (their lanes are not meant to
  ///     be read).
  ///   - k: Key 0's row; key `j` starts at `k + j · ldk`.
  ///   - count: Keys to compute, 1...4. Missing keys repeat key 0 (their lanes are not meant to
  ///     be read).
  ///   - ldk: Floats between key rows.
  ///   - width: Columns summed, a multiple of 16 (the caller adds any tail).
  /// - Complexity: `16 · width` multiply-adds on 16 independent chains, one load per two of
  ///   them, plus 15 folds.
  /// - Returns: Lane `4 · r + j` holds row `r`'s score for key `j`.
  /// - Accuracy: each lane sums 16 strided partial sums pairwise, as `horizontalSum` does.
  @inline(__always)
  package static func scores(
    q: UnsafePointer<Float>, ldq: Int, rows: Int, keys k: UnsafePointer<Float>, count: Int,
    ldk: Int, width: Int
  ) -> Vector {
    let q0 = q
    let q1 = rows > 1 ? q + ldq : q
    let q2 = rows > 2 ? q + 2 &* ldq : q
    let q3 = rows > 3 ? q + 3 &* ldq : q
    let k0 = k
    let k1 = count > 1 ? k + ldk : k
    let k2 = count > 2 ? k + 2 &* ldk : k
    let k3 = count > 3 ? k + 3 &* ldk : k
    var s00 = Vector.zero
    var s01 = Vector.zero
    var s02 = Vector.zero
    var s03 = Vector.zero
    var s10 = Vector.zero
    var s11 = Vector.zero
    var s12 = Vector.zero
    var s13 = Vector.zero
    var s20 = Vector.zero
    var s21 = Vector.zero
    var s22 = Vector.zero
    var s23 = Vector.zero
    var s30 = Vector.zero
    var s31 = Vector.zero
    var s32 = Vector.zero
    var s33 = Vector.zero
    var c = 0
    while c < width {
      let y0 = Vector.load(k0 + c)
      let y1 = Vector.load(k1 + c)
      let y2 = Vector.load(k2 + c)
      let y3 = Vector.load(k3 + c)
      let x0 = Vector.load(q0 + c)
      s00 = multiplyAdd(s00, x0, y0)
      s01 = multiplyAdd(s01, x0, y1)
      s02 = multiplyAdd(s02, x0, y2)
      s03 = multiplyAdd(s03, x0, y3)
      let x1 = Vector.load(q1 + c)
      s10 = multiplyAdd(s10, x1, y0)
      s11 = multiplyAdd(s11, x1, y1)
      s12 = multiplyAdd(s12, x1, y2)
      s13 = multiplyAdd(s13, x1, y3)
      let x2 = Vector.load(q2 + c)
      s20 = multiplyAdd(s20, x2, y0)
      s21 = multiplyAdd(s21, x2, y1)
      s22 = multiplyAdd(s22, x2, y2)
      s23 = multiplyAdd(s23, x2, y3)
      let x3 = Vector.load(q3 + c)
      s30 = multiplyAdd(s30, x3, y0)
      s31 = multiplyAdd(s31, x3, y1)
      s32 = multiplyAdd(s32, x3, y2)
      s33 = multiplyAdd(s33, x3, y3)
      c &+= vectorWidth
    }
    // The folds deliver lane l from the accumulator at position bitReversed(l) (4 bits), so
    // the accumulators go in that order: lane 4r + j is (row r, key j).
    let d0 = fold4(fold8(s00, s20), fold8(s10, s30))
    let d1 = fold4(fold8(s02, s22), fold8(s12, s32))
    let d2 = fold4(fold8(s01, s21), fold8(s11, s31))
    let d3 = fold4(fold8(s03, s23), fold8(s13, s33))
    return fold1(fold2(d0, d1), fold2(d2, d3))
  }

  /// In each block of 16 lanes: `x`'s two halves of 8 summed, then `y`'s.
  @inline(__always)
  private static func fold8(_ x: Vector, _ y: Vector) -> Vector {
    Vector(lowHalf: x.lowHalf, highHalf: y.lowHalf)
      + Vector(lowHalf: x.highHalf, highHalf: y.highHalf)
  }

  /// In each block of 8 lanes: `x`'s two halves of 4 summed, then `y`'s.
  @inline(__always)
  private static func fold4(_ x: Vector, _ y: Vector) -> Vector {
    Vector(
      x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3],
      x[8], x[9], x[10], x[11], y[8], y[9], y[10], y[11])
      + Vector(
        x[4], x[5], x[6], x[7], y[4], y[5], y[6], y[7],
        x[12], x[13], x[14], x[15], y[12], y[13], y[14], y[15])
  }

  /// In each block of 4 lanes: `x`'s two halves of 2 summed, then `y`'s.
  @inline(__always)
  private static func fold2(_ x: Vector, _ y: Vector) -> Vector {
    Vector(
      x[0], x[1], y[0], y[1], x[4], x[5], y[4], y[5],
      x[8], x[9], y[8], y[9], x[12], x[13], y[12], y[13])
      + Vector(
        x[2], x[3], y[2], y[3], x[6], x[7], y[6], y[7],
        x[10], x[11], y[10], y[11], x[14], x[15], y[14], y[15])
  }

  /// In each pair of lanes: `x`'s two lanes summed, then `y`'s.
  @inline(__always)
  private static func fold1(_ x: Vector, _ y: Vector) -> Vector {
    Vector(
      x[0], y[0], x[2], y[2], x[4], y[4], x[6], y[6],
      x[8], y[8], x[10], y[10], x[12], y[12], x[14], y[14])
      + Vector(
        x[1], y[1], x[3], y[3], x[5], y[5], x[7], y[7],
        x[9], y[9], x[11], y[11], x[13], y[13], x[15], y[15])
  }
}
