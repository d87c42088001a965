/// An additive bias on the scaled scores, `[Bb, Hb, Qb, Nk]` with `Bb ∈ {1, B}`, `Hb ∈ {1, H}`
/// and `Qb ∈ {1, Nq}`, broadcast over batch, heads and queries like PyTorch's `attn_mask` (a
/// padding mask `[B, 1, 1, Nk]` is one row per batch). A value of −∞ hides a key; a boolean mask
/// is a bias of 0 (attend) and −∞ (hide).
public struct AttentionBias: Sendable, Hashable {
  /// The values, row-major `[batch, heads, queries, keys]`.
  public var values: [Float]
  /// 1 or B.
  public var batch: Int
  /// 1 or H.
  public var heads: Int
  /// 1 when every query shares one row of the bias; nil for a row per query (Nq rows).
  public var queries: Int?

  /// A bias of `values` with `batch`, `heads` and `queries` leading dimensions (each 1 or the
  /// full size; `queries` nil for Nq).
  public init(values: [Float], batch: Int = 1, heads: Int = 1, queries: Int? = nil) {
    self.values = values
    self.batch = batch
    self.heads = heads
    self.queries = queries
  }

  /// A bias from a boolean mask: `true` attends (0), `false` hides (−∞).
  public init(allowed: [Bool], batch: Int = 1, heads: Int = 1, queries: Int? = nil) {
    self.init(
      values: allowed.map { $0 ? 0 : -.infinity }, batch: batch, heads: heads, queries: queries)
  }

  /// Bias rows per (batch, head) slice: 1 when shared, else Nq.
  func rows(for shape: MultiHeadShape) -> Int { queries == 1 ? 1 : shape.head.queries }

  /// Where in `values` the slice of batch `batch` and query head `head` lies (a shared batch or
  /// head dimension maps every index to its one slice): `rows(for:) · Nk` values.
  ///
  /// - Complexity: O(1).
  func slice(batch: Int, head: Int, shape: MultiHeadShape) -> Range<Int> {
    let count = rows(for: shape) * shape.head.keys
    let index = (self.batch == 1 ? 0 : batch) * heads + (heads == 1 ? 0 : head)
    return (index * count)..<((index + 1) * count)
  }

  /// Checks the sizes against `shape`.
  ///
  /// - Throws: `AttentionError.invalidMask` naming the problem.
  func validate(for shape: MultiHeadShape) throws(AttentionError) {
    guard batch == 1 || batch == shape.batch else {
      throw .invalidMask("the bias has batch \(batch); it must be 1 or \(shape.batch)")
    }
    guard heads == 1 || heads == shape.heads else {
      throw .invalidMask("the bias has \(heads) heads; it must be 1 or \(shape.heads)")
    }
    guard queries == nil || queries == 1 || queries == shape.head.queries else {
      throw .invalidMask(
        "the bias has \(queries ?? 0) query rows; it must be 1 or \(shape.head.queries)")
    }
    let rows = rows(for: shape)
    let expected = batch * heads * rows * shape.head.keys
    guard values.count == expected else {
      throw .invalidMask(
        "the bias has \(values.count) values; [\(batch), \(heads), \(rows), \(shape.head.keys)] needs \(expected)"
      )
    }
  }
}
