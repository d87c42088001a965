internal import _AttuneShims

/// Scores of a few query rows against keys read in place: the decode path, where packing K would
/// cost more than it saves.
///
/// Keys go 4 at a time through a 4-row × 4-key micro-kernel: `attune_direct_scores` (C, AVX-512)
/// where the CPU has it, else `MicroKernels.scores(q:ldq:rows:keys:ldk:width:)` in Swift. Reading
/// 4 keys side by side is a pattern the hardware prefetcher follows poorly from memory, so between
/// groups K is asked for in order, `prefetchKeys` ahead (`PrefetchStream`).
package enum DirectScores {
  /// Whether this CPU runs the AVX-512 micro-kernel.
  package static let nativeIsAvailable: Bool = attune_avx512_available()

  /// How far ahead of the micro-kernel K is prefetched, in keys: 4 KiB at dk = 128, enough to
  /// turn its 4 side-by-side key streams into one stream of requests in order.
  static let prefetchKeys = 8

  /// `s[r][j] = q_r · k_j` for `rows` query rows and `keys` consecutive key rows.
  ///
  /// - Parameters:
  ///   - q: `[rows, dk]`, row-major.
  ///   - rows: Query rows, any number (4 at a time).
  ///   - k: `[keys, dk]`, row-major.
  ///   - keys: Key rows, any number (4 at a time).
  ///   - followingKeys: Rows of K after these that exist (they may be prefetched, not read).
  ///   - dk: Query and key width.
  ///   - s: `[rows, lds]`; the first `keys` floats of each row are written, nothing else.
  ///   - lds: Floats between rows of `s`.
  ///   - native: Whether to use the CPU-specific micro-kernel where there is one.
  /// - Complexity: `rows · keys · dk` multiply-adds; K is read from memory once.
  package static func compute(
    q: UnsafePointer<Float>, rows: Int, k: UnsafePointer<Float>, keys: Int, followingKeys: Int,
    dk: Int, s: UnsafeMutablePointer<Float>, lds: Int, native: Bool
  ) {
    let group = MicroKernels.directKeys
    let step = MicroKernels.scoreRows
    let lead = min(prefetchKeys, keys + followingKeys)
    var ahead = PrefetchStream(
      k + lead * dk, count: min(keys, keys + followingKeys - lead) * dk,
      steps: (keys + group - 1) / group)
    if native && nativeIsAvailable {
      for j in stride(from: 0, to: keys, by: group) {
        ahead.step()
        for r in stride(from: 0, to: rows, by: step) {
          attune_direct_scores(
            q + r * dk, dk, Int32(min(step, rows - r)), k + j * dk, dk,
            Int32(min(group, keys - j)), dk, s + r * lds + j, lds)
        }
      }
      return
    }
    let whole = dk / vectorWidth * vectorWidth
    var j = 0
    while j &+ group <= keys {
      let key = k + j * dk
      ahead.step()
      for r in stride(from: 0, to: rows, by: step) {
        let query = q + r * dk
        let count = min(step, rows - r)
        let sums = MicroKernels.scores(
          q: query, ldq: dk, rows: count, keys: key, ldk: dk, width: whole)
        for row in 0..<count {
          let out = s + (r + row) * lds + j
          for lane in 0..<group {
            var dot = sums[row * group + lane]
            let keyRow = key + lane * dk
            let queryRow = query + row * dk
            for c in whole..<dk { dot += queryRow[c] * keyRow[c] }
            out[lane] = dot
          }
        }
      }
      j &+= group
    }
    // The last keys, one at a time.
    while j < keys {
      let key = k + j * dk
      for r in 0..<rows {
        let query = q + r * dk
        var sum = Vector.zero
        var c = 0
        while c < whole {
          sum = multiplyAdd(sum, Vector.load(query + c), Vector.load(key + c))
          c &+= vectorWidth
        }
        var dot = horizontalSum(sum)
        while c < dk {
          dot += query[c] * key[c]
          c &+= 1
        }
        s[r * lds + j] = dot
      }
      j &+= 1
    }
  }
}
