/// Q rounded to bfloat16, each row `⌈dk / 2⌉` 32-bit words of feature pairs (even feature in the
/// low half, an odd `dk` padded with a zero feature): the query operand of `attune_bf16_scores`.
///
/// - Complexity: O(Nq · dk) time to build, `Nq · ⌈dk / 2⌉` words.
package final class BFloat16Rows: Sendable {
  /// Words per row.
  package let pairs: Int
  private let storage: AlignedWords

  /// Rounds the queries of a validated `problem`.
  package init(_ problem: AttentionProblem) {
    let (nq, dk) = (problem.shape.queries, problem.shape.headDim)
    let pairs = (dk + 1) / 2
    self.pairs = pairs
    storage = AlignedWords(count: nq * pairs, for: problem)
    let q = problem.qBase
    for row in 0..<nq {
      let source = q + row * dk
      let destination = storage.base + row * pairs
      for p in 0..<(dk / 2) {
        destination[p] = BFloat16Rounding.pair(source[2 * p], source[2 * p + 1])
      }
      if dk % 2 == 1 { destination[pairs - 1] = BFloat16Rounding.pair(source[dk - 1], 0) }
    }
  }

  /// Row `row`'s first word.
  @inline(__always)
  package func row(_ row: Int) -> UnsafePointer<UInt32> {
    UnsafePointer(storage.base + row * pairs)
  }

  /// Words needed for `queries` rows of width `headDim`.
  package static func wordCount(queries: Int, headDim: Int) -> Int {
    queries * ((headDim + 1) / 2)
  }
}
