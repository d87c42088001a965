/// The sizes of batched multi-head attention: `Q [B, H, Nq, dk]`, `K [B, Hkv, Nk, dk]`,
/// `V [B, Hkv, Nk, dv]`, `O [B, H, Nq, dv]`.
///
/// `H` must be a multiple of `Hkv`: query head `h` reads key/value head `h / (H / Hkv)`
/// (grouped-query attention; `Hkv = 1` is multi-query attention, `Hkv = H` ordinary multi-head).
public struct MultiHeadShape: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Batch size B.
  public var batch: Int
  /// Query heads H.
  public var heads: Int
  /// Key/value heads Hkv.
  public var kvHeads: Int
  /// One head's sizes.
  public var head: AttentionShape

  /// A shape; `kvHeads` defaults to `heads`.
  public init(batch: Int, heads: Int, kvHeads: Int? = nil, head: AttentionShape) {
    self.batch = batch
    self.heads = heads
    self.kvHeads = kvHeads ?? heads
    self.head = head
  }

  /// Elements of Q, `B · H · Nq · dk`.
  public var queryCount: Int { batch * heads * head.queryCount }
  /// Elements of K, `B · Hkv · Nk · dk`.
  public var keyCount: Int { batch * kvHeads * head.keyCount }
  /// Elements of V, `B · Hkv · Nk · dv`.
  public var valueCount: Int { batch * kvHeads * head.valueCount }
  /// Elements of O, `B · H · Nq · dv`.
  public var outputCount: Int { batch * heads * head.outputCount }
  /// Elements of the log-sum-exp, `B · H · Nq`.
  public var logSumExpCount: Int { batch * heads * head.queries }

  /// Floating-point operations, `B · H · 2 · Nq · Nk · (dk + dv)` (without a mask).
  public var flops: Double { Double(batch * heads) * head.flops }

  /// The key/value head that query head `h` reads.
  public func kvHead(for h: Int) -> Int { h / (heads / kvHeads) }

  /// `B=1 H=8 Hkv=2 Nq=… Nk=… dk=… dv=…`.
  public var description: String {
    "B=\(batch) H=\(heads) Hkv=\(kvHeads) \(head)"
  }

  /// Checks every size and that H is a multiple of Hkv.
  ///
  /// - Throws: `AttentionError.emptyDimension`, `.sizeOverflow`, or `.invalidHeads`.
  public func validate() throws(AttentionError) {
    try validate(allowingEmptySequences: false)
  }

  /// `validate()`, letting Nq and Nk be 0 when `allowingEmptySequences`.
  package func validate(allowingEmptySequences: Bool) throws(AttentionError) {
    try head.validate(allowingEmptySequences: allowingEmptySequences)
    for (name, value) in [("B", batch), ("H", heads), ("Hkv", kvHeads)] where value < 1 {
      throw .emptyDimension(name: name, value: value)
    }
    guard heads % kvHeads == 0 else {
      throw .invalidHeads("H = \(heads) is not a multiple of Hkv = \(kvHeads)")
    }
    for count in [head.queryCount, head.keyCount, head.valueCount, head.outputCount] {
      let (a, o1) = count.multipliedReportingOverflow(by: batch)
      let (b, o2) = a.multipliedReportingOverflow(by: heads)
      if o1 || o2 || b.multipliedReportingOverflow(by: 8).overflow {
        throw .sizeOverflow(shape: description)
      }
    }
  }
}
