/// The sizes of a ragged batch: sequences of different lengths packed end to end, described by
/// cumulative offsets as FlashAttention's `cu_seqlens`.
///
/// Sequence `s` owns query rows `queryOffsets[s] ..< queryOffsets[s + 1]` and key rows
/// `keyOffsets[s] ..< keyOffsets[s + 1]`, and attends only to its own keys. With `Tq` and `Tk`
/// the last offsets, the tensors are, row-major:
///
/// - Q `[H, Tq, dk]`, K `[Hkv, Tk, dk]`, V `[Hkv, Tk, dv]`, O `[H, Tq, dv]`: for each head, the
///   rows of every sequence end to end (heads outermost, as `multiHeadAttention`'s
///   `[B, H, N, d]` keeps each head's rows together), so a sequence's rows of one head are
///   contiguous and run in place, without copies.
///
/// Query head `h` reads K/V head `h / (H / Hkv)`, as in `multiHeadAttention`.
public struct RaggedShape: Sendable, Hashable, CustomStringConvertible {
  /// Query heads, `H`.
  public let heads: Int
  /// Key/value heads, `Hkv` (divides `H`).
  public let kvHeads: Int
  /// Features per query and key, `dk`.
  public let headDim: Int
  /// Features per value and output row, `dv`.
  public let valueDim: Int
  /// `B + 1` offsets into the query rows, from 0, non-decreasing.
  public let queryOffsets: [Int]
  /// `B + 1` offsets into the key rows, from 0, non-decreasing.
  public let keyOffsets: [Int]

  /// Describes a ragged batch; `kvHeads` defaults to `heads`, `valueDim` to `headDim`.
  public init(
    heads: Int, kvHeads: Int? = nil, headDim: Int, valueDim: Int? = nil, queryOffsets: [Int],
    keyOffsets: [Int]
  ) {
    self.heads = heads
    self.kvHeads = kvHeads ?? heads
    self.headDim = headDim
    self.valueDim = valueDim ?? headDim
    self.queryOffsets = queryOffsets
    self.keyOffsets = keyOffsets
  }

  /// The sequences, `B`.
  public var sequences: Int { max(0, queryOffsets.count - 1) }
  /// All query rows of one head, `Tq`.
  public var totalQueries: Int { queryOffsets.last ?? 0 }
  /// All key rows of one head, `Tk`.
  public var totalKeys: Int { keyOffsets.last ?? 0 }
  /// Elements of Q.
  public var queryCount: Int { heads * totalQueries * headDim }
  /// Elements of K.
  public var keyCount: Int { kvHeads * totalKeys * headDim }
  /// Elements of V.
  public var valueCount: Int { kvHeads * totalKeys * valueDim }
  /// Elements of O.
  public var outputCount: Int { heads * totalQueries * valueDim }

  /// Sequence `s`'s sizes, one head.
  public func sequence(_ s: Int) -> AttentionShape {
    AttentionShape(
      queries: queryOffsets[s + 1] - queryOffsets[s], keys: keyOffsets[s + 1] - keyOffsets[s],
      headDim: headDim, valueDim: valueDim)
  }

  /// `H=…, Hkv=…, B=…, Tq=…, Tk=…, dk=…, dv=…`.
  public var description: String {
    "H=\(heads), Hkv=\(kvHeads), B=\(sequences), Tq=\(totalQueries), Tk=\(totalKeys), "
      + "dk=\(headDim), dv=\(valueDim)"
  }

  /// Checks the heads, the feature sizes and the offsets.
  ///
  /// - Throws: `AttentionError.emptyDimension` for a size below 1, `.invalidHeads` when Hkv does
  ///   not divide H, `.invalidOffsets` for offsets that do not describe a batch (fewer than two,
  ///   counts that differ, a first offset other than 0, a decrease, a sequence with queries and no
  ///   keys), `.sizeOverflow` for tensors beyond the address space.
  public func validate() throws(AttentionError) {
    for (name, value) in [("H", heads), ("Hkv", kvHeads), ("dk", headDim), ("dv", valueDim)]
    where value < 1 {
      throw .emptyDimension(name: name, value: value)
    }
    guard heads % kvHeads == 0 else {
      throw .invalidHeads("H = \(heads) is not a multiple of Hkv = \(kvHeads)")
    }
    guard queryOffsets.count >= 2, queryOffsets.count == keyOffsets.count else {
      throw .invalidOffsets(
        "\(queryOffsets.count) query and \(keyOffsets.count) key offsets; give B + 1 of each, B ≥ 1"
      )
    }
    for (name, offsets) in [("query", queryOffsets), ("key", keyOffsets)] {
      guard offsets[0] == 0 else {
        throw .invalidOffsets("the first \(name) offset is \(offsets[0]), not 0")
      }
      for s in 0..<sequences where offsets[s + 1] < offsets[s] {
        throw .invalidOffsets(
          "\(name) offsets decrease at sequence \(s): \(offsets[s]) then \(offsets[s + 1])")
      }
    }
    for s in 0..<sequences
    where queryOffsets[s + 1] > queryOffsets[s] && keyOffsets[s + 1] == keyOffsets[s] {
      throw .invalidOffsets(
        "sequence \(s) has \(queryOffsets[s + 1] - queryOffsets[s]) queries and no keys")
    }
    for (rows, features, count) in [
      (totalQueries, headDim, heads), (totalKeys, headDim, kvHeads),
      (totalKeys, valueDim, kvHeads), (totalQueries, valueDim, heads),
    ] {
      let (a, o1) = rows.multipliedReportingOverflow(by: features)
      let (b, o2) = a.multipliedReportingOverflow(by: count)
      if o1 || o2 || b.multipliedReportingOverflow(by: 8).overflow {
        throw .sizeOverflow(shape: description)
      }
    }
  }
}
