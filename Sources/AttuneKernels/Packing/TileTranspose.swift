/// A tile transposed in 4 × 4 blocks of vectors: the backward pass's `Pᵀ` and `dSᵀ`, which the
/// product micro-kernel needs with unit stride along the summed dimension.
package enum TileTranspose {
  /// `destination[j · ldd + r] = source[r · lds + j]` for `r < rows`, `j < columns`.
  ///
  /// - Complexity: O(rows · columns), four floats per load and store in whole blocks.
  @inline(__always)
  package static func transpose(
    _ source: UnsafePointer<Float>, lds: Int, rows: Int, columns: Int,
    into destination: UnsafeMutablePointer<Float>, ldd: Int
  ) {
    func load(_ r: Int, _ j: Int) -> SIMD4<Float> {
      UnsafeRawPointer(source + r * lds + j).loadUnaligned(as: SIMD4<Float>.self)
    }
    func store(_ value: SIMD4<Float>, _ j: Int, _ r: Int) {
      UnsafeMutableRawPointer(destination + j * ldd + r).storeBytes(
        of: value, as: SIMD4<Float>.self)
    }
    var r = 0
    while r + 4 <= rows {
      var j = 0
      while j + 4 <= columns {
        let (a, b, c, d) = (load(r, j), load(r + 1, j), load(r + 2, j), load(r + 3, j))
        store(SIMD4(a[0], b[0], c[0], d[0]), j, r)
        store(SIMD4(a[1], b[1], c[1], d[1]), j + 1, r)
        store(SIMD4(a[2], b[2], c[2], d[2]), j + 2, r)
        store(SIMD4(a[3], b[3], c[3], d[3]), j + 3, r)
        j += 4
      }
      for j in j..<columns {
        for i in r..<(r + 4) { destination[j * ldd + i] = source[i * lds + j] }
      }
      r += 4
    }
    for i in r..<rows {
      for j in 0..<columns { destination[j * ldd + i] = source[i * lds + j] }
    }
  }
}
