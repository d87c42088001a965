/// The report's section II algorithm on one block of query rows, in scalar code.
///
/// Phase 1: `S = Q_block · Kᵀ` reading K row by row (Kᵀ "on the fly"), each score scaled as it is
/// produced and each row's maximum kept in the same pass. Keys are visited `keyChunk` at a time for
/// every row of the block, so a chunk of K stays in cache while the block's rows pass over it.
/// Phase 2: a two-pass softmax per row: `e^(s − max)` with a running sum, then a division by the
/// sum. Phase 3: `O_block = P · V`, accumulating whole rows of V.
///
/// Shared by `BlockedAttention` (one thread, `keyChunk = Nk`) and `ParallelAttention`.
struct ScalarRowBlock {
  /// Keys per chunk in phase 1.
  let keyChunk: Int

  /// Floats of scratch one worker needs for blocks of `blockRows` rows.
  static func scratchCount(blockRows: Int, keys: Int) -> Int { blockRows * keys + blockRows }

  /// Computes output rows `rows` of `problem` into `o`, using `scratch`
  /// (`scratchCount(blockRows: rows.count, …)` floats or more).
  func run(
    _ problem: AttentionProblem, rows: Range<Int>, scratch: UnsafeMutablePointer<Float>,
    o: UnsafeMutablePointer<Float>
  ) {
    let nk = problem.shape.keys
    let (dk, dv) = (problem.shape.headDim, problem.shape.valueDim)
    let (q, k, v) = (problem.qBase, problem.kBase, problem.vBase)
    let scale = problem.scale
    let s = scratch  // [rows.count, nk]
    let rowMax = scratch + rows.count * nk
    for r in 0..<rows.count { rowMax[r] = -.infinity }

    // Phase 1: scaled scores and row maxima.
    var chunkStart = 0
    while chunkStart < nk {
      let chunkEnd = min(chunkStart + keyChunk, nk)
      for (r, i) in rows.enumerated() {
        let qi = q + i * dk
        var best = rowMax[r]
        for j in chunkStart..<chunkEnd {
          let kj = k + j * dk
          var dot: Float = 0
          for c in 0..<dk { dot += qi[c] * kj[c] }
          let score = dot * scale
          s[r * nk + j] = score
          best = max(best, score)
        }
        rowMax[r] = best
      }
      chunkStart = chunkEnd
    }

    // Phase 2: softmax, two passes per row.
    for r in 0..<rows.count {
      let row = s + r * nk
      var sum: Float = 0
      for j in 0..<nk {
        let e = Platform.exp(row[j] - rowMax[r])
        row[j] = e
        sum += e
      }
      let inverse = 1 / sum
      for j in 0..<nk { row[j] *= inverse }
    }

    // Phase 3: O_block = P · V.
    for (r, i) in rows.enumerated() {
      let oi = o + i * dv
      for c in 0..<dv { oi[c] = 0 }
      for j in 0..<nk {
        let p = s[r * nk + j]
        let vj = v + j * dv
        for c in 0..<dv { oi[c] += p * vj[c] }
      }
    }
  }
}
