/// Scores of a few query rows against keys read in place: the decode path, where packing K would
/// cost more than it saves.
///
/// The table's decode micro-kernel takes `decodeRows` query rows against `decodeKeys` keys at a
/// time, reading K's rows where they are; between its calls, K's rows `decodeAhead` keys later are
/// asked for (`PrefetchStream`), since reading a few keys side by side is a pattern the hardware
/// prefetcher follows poorly from memory. Asked for from here rather than inside the C loop: on a
/// Zen 4 the same requests issued inside the C kernel's loop took 1.25x the time
/// (`scripts/bench/serve_ab.py --decode`, 20 rounds: 0.803 [0.727, 0.855] of it from here).
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
  /// - Complexity: `rows · keys · dk` multiply-adds; K is read from memory once (key groups
  ///   outermost, each group's rows then in L1 for every block of `decodeRows` rows).
  package static func compute(
    q: UnsafePointer<Float>, rows: Int, k: UnsafePointer<Float>, keys: Int, followingKeys: Int,
    dk: Int, s: UnsafeMutablePointer<Float>, lds: Int, kernels: MicroKernelTable
  ) {
    let group = kernels.decodeKeys
    let step = kernels.decodeRows
    let lead = min(kernels.decodeAhead, keys + followingKeys)
    var ahead = PrefetchStream(
      k + lead * dk, count: min(keys, keys + followingKeys - lead) * dk,
      steps: (keys + group - 1) / group)
    for j in stride(from: 0, to: keys, by: group) {
      ahead.step()
      let count = min(group, keys - j)
      for r in stride(from: 0, to: rows, by: step) {
        kernels.decode(
          q + r * dk, dk, Int32(min(step, rows - r)), k + j * dk, dk, count, dk, s + r * lds + j,
          lds)
      }
    }
  }
}
