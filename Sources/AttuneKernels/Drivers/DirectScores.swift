/// Scores of a few query rows against keys read in place: the decode path, where packing K would
/// cost more than it saves.
///
/// The table's decode micro-kernel takes `decodeRows` query rows against any number of keys,
/// `decodeKeys` at a time, reading K's rows where they are and prefetching them a few keys ahead
/// (reading a few keys side by side is a pattern the hardware prefetcher follows poorly from
/// memory).
package enum DirectScores {
  /// `s[r][j] = q_r · k_j` for `rows` query rows and `keys` consecutive key rows.
  ///
  /// - Parameters:
  ///   - q: `[rows, dk]`, row-major.
  ///   - rows: Query rows, any number (`kernels.decodeRows` at a time).
  ///   - k: `[keys, dk]`, row-major.
  ///   - keys: Key rows, any number.
  ///   - followingKeys: Rows of K after these that exist (they may be prefetched, not read).
  ///   - dk: Query and key width.
  ///   - s: `[rows, lds]`; the first `keys` floats of each row are written, nothing else.
  ///   - lds: Floats between rows of `s`.
  ///   - kernels: The micro-kernel table.
  /// - Complexity: `rows · keys · dk` multiply-adds; K is read from memory once per
  ///   `decodeRows` rows.
  package static func compute(
    q: UnsafePointer<Float>, rows: Int, k: UnsafePointer<Float>, keys: Int, followingKeys: Int,
    dk: Int, s: UnsafeMutablePointer<Float>, lds: Int, kernels: MicroKernelTable
  ) {
    let step = kernels.decodeRows
    for r in stride(from: 0, to: rows, by: step) {
      kernels.decode(
        q + r * dk, dk, Int32(min(step, rows - r)), k, dk, keys, keys + followingKeys, dk,
        s + r * lds, lds)
    }
  }
}
