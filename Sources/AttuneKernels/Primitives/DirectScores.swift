/// Scores of a few query rows against keys read in place: the decode path, where packing K would
/// cost more than it saves.
///
/// Keys go `decodeKeys` at a time through the table's `decodeRows × decodeKeys` micro-kernel.
/// Reading a few keys side by side is a pattern the hardware prefetcher follows poorly from
/// memory, so between groups K is asked for in order, `prefetchKeys` ahead (`PrefetchStream`).
package enum DirectScores {
  /// How far ahead of the micro-kernel K is prefetched, in keys: 4 KiB at dk = 128, enough to
  /// turn its side-by-side key streams into one stream of requests in order.
  static let prefetchKeys = 8

  /// `s[r][j] = q_r · k_j` for `rows` query rows and `keys` consecutive key rows.
  ///
  /// - Parameters:
  ///   - q: `[rows, dk]`, row-major.
  ///   - rows: Query rows, any number (`kernels.decodeRows` at a time).
  ///   - k: `[keys, dk]`, row-major.
  ///   - keys: Key rows, any number (`kernels.decodeKeys` at a time).
  ///   - followingKeys: Rows of K after these that exist (they may be prefetched, not read).
  ///   - dk: Query and key width.
  ///   - s: `[rows, lds]`; the first `keys` floats of each row are written, nothing else.
  ///   - lds: Floats between rows of `s`.
  ///   - kernels: The micro-kernel table.
  /// - Complexity: `rows · keys · dk` multiply-adds; K is read from memory once.
  package static func compute(
    q: UnsafePointer<Float>, rows: Int, k: UnsafePointer<Float>, keys: Int, followingKeys: Int,
    dk: Int, s: UnsafeMutablePointer<Float>, lds: Int, kernels: MicroKernelTable
  ) {
    let group = kernels.decodeKeys
    let step = kernels.decodeRows
    let lead = min(prefetchKeys, keys + followingKeys)
    var ahead = PrefetchStream(
      k + lead * dk, count: min(keys, keys + followingKeys - lead) * dk,
      steps: (keys + group - 1) / group)
    for j in stride(from: 0, to: keys, by: group) {
      ahead.step()
      let count = Int32(min(group, keys - j))
      for r in stride(from: 0, to: rows, by: step) {
        kernels.decode(
          q + r * dk, dk, Int32(min(step, rows - r)), k + j * dk, dk, count, dk, s + r * lds + j,
          lds)
      }
    }
  }
}
