/// An additive bias on the scaled scores, `[Bb, Hb, Nq, Nk]` with `Bb ∈ {1, B}` and
/// `Hb ∈ {1, H}`, broadcast over batch and heads like PyTorch's `attn_mask`. A value of −∞ hides
/// a key; a boolean mask is a bias of 0 (attend) and −∞ (hide).
public struct AttentionBias: Sendable, Hashable {
  /// The values, row-major `[batch, heads, queries, keys]`.
  public var values: [Float]
  /// 1 or B.
  public var batch: Int
  /// 1 or H.
  public var heads: Int

  /// A bias of `values` with `batch` and `heads` leading dimensions (each 1 or the full size).
  public init(values: [Float], batch: Int = 1, heads: Int = 1) {
    self.values = values
    self.batch = batch
    self.heads = heads
  }

  /// A bias from a boolean mask: `true` attends (0), `false` hides (−∞).
  public init(allowed: [Bool], batch: Int = 1, heads: Int = 1) {
    self.init(values: allowed.map { $0 ? 0 : -.infinity }, batch: batch, heads: heads)
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
    let expected = batch * heads * shape.head.queries * shape.head.keys
    guard values.count == expected else {
      throw .invalidMask(
        "the bias has \(values.count) values; [\(batch), \(heads), \(shape.head.queries), \(shape.head.keys)] needs \(expected)"
      )
    }
  }
}
