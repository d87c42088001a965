/// Which keys each query may attend to: all, a causal prefix, or a sliding window.
///
/// Masks are structural (computed from indices, nothing stored), so the fused kernel can skip
/// whole tiles of keys that no query in a tile may see: causal attention costs about half.
/// Arbitrary masks are additive biases (`AttentionBias`), applied on top.
public enum AttentionMask: Sendable, Hashable {
  /// Every query sees every key.
  case none
  /// Query `i` sees keys `j ≤ i + offset`.
  case causal(CausalAlignment)
  /// Query `i` sees the `size` keys `i + offset − size < j ≤ i + offset` (itself included, as in
  /// Mistral's sliding-window attention).
  case slidingWindow(size: Int, alignment: CausalAlignment)

  /// The keys row `row` may see, within `0..<keys`, for `queries` query rows.
  @inline(__always)
  package func allowedKeys(row: Int, queries: Int, keys: Int) -> Range<Int> {
    switch self {
    case .none: return 0..<keys
    case .causal(let alignment):
      let last = row + alignment.offset(queries: queries, keys: keys)
      return 0..<max(0, min(keys, last + 1))
    case .slidingWindow(let size, let alignment):
      let last = row + alignment.offset(queries: queries, keys: keys)
      let end = max(0, min(keys, last + 1))
      return min(end, max(0, last + 1 - size))..<end
    }
  }

  /// Whether every key is visible to every row.
  package var isNone: Bool { self == .none }

  /// Checks the window size.
  ///
  /// - Throws: `AttentionError.invalidMask` for a window smaller than 1.
  package func validate() throws(AttentionError) {
    if case .slidingWindow(let size, _) = self, size < 1 {
      throw .invalidMask("a sliding window needs at least one key, got \(size)")
    }
  }
}

/// Where the causal diagonal starts when Nq ≠ Nk.
public enum CausalAlignment: String, Sendable, Hashable, Codable, CaseIterable {
  /// Query `i` sees keys `0...i`: the diagonal starts at the top-left corner. PyTorch's
  /// `is_causal=True` and `torch.tril(ones(Nq, Nk))`.
  case topLeft
  /// Query `i` sees keys `0...(i + Nk − Nq)`: the last query sees every key. What a decoder with a
  /// KV cache needs when Nq new tokens follow Nk − Nq cached ones (FlashAttention 2.1+).
  case bottomRight

  /// The column of row 0's diagonal.
  @inline(__always)
  package func offset(queries: Int, keys: Int) -> Int {
    self == .topLeft ? 0 : keys - queries
  }
}
