/// The sizes and storage of a `KVCache`.
///
/// Keys and values are kept in pages of `pageTokens` tokens (all key/value heads of those tokens),
/// addressed per sequence by a block table, as vLLM's PagedAttention: a sequence grows by taking
/// a free page when its last one is full, and its pages go back to the free list when it is
/// removed. Within a page, each head's keys are one `[pageTokens, dk]` block and its values one
/// `[pageTokens, dv]` block (padded to 16 floats per row in Float32, for the vector loops), so
/// the attention kernels read them in place.
public struct KVCacheLayout: Sendable, Hashable, CustomStringConvertible {
  /// Key/value heads, `Hkv`.
  public var kvHeads: Int
  /// Features per key, `dk`.
  public var headDim: Int
  /// Features per value, `dv`.
  public var valueDim: Int
  /// Tokens per page.
  public var pageTokens: Int
  /// How keys and values are stored.
  public var storage: KVStorage

  /// Tokens per page unless asked otherwise: 128. At dk = dv = 128 a page is 64 KiB per head
  /// in Float32 (16 KiB in 8 bits), a run long enough for the hardware prefetcher, and a short
  /// sequence wastes at most 127 tokens' room.
  public static let defaultPageTokens = 128

  /// A layout; `valueDim` defaults to `headDim`.
  public init(
    kvHeads: Int, headDim: Int, valueDim: Int? = nil, pageTokens: Int = defaultPageTokens,
    storage: KVStorage = .float32
  ) {
    self.kvHeads = kvHeads
    self.headDim = headDim
    self.valueDim = valueDim ?? headDim
    self.pageTokens = pageTokens
    self.storage = storage
  }

  /// `Hkv=8 dk=128 dv=128 page=128 int8`.
  public var description: String {
    "Hkv=\(kvHeads) dk=\(headDim) dv=\(valueDim) page=\(pageTokens) \(storage)"
  }

  /// Throws unless every size is at least 1 and a page fits in memory addresses.
  ///
  /// - Throws: `AttentionError.emptyDimension` or `.sizeOverflow`.
  public func validate() throws(AttentionError) {
    for (name, value) in [
      ("Hkv", kvHeads), ("dk", headDim), ("dv", valueDim), ("page tokens", pageTokens),
    ] where value < 1 {
      throw .emptyDimension(name: name, value: value)
    }
    guard PageGeometry(self) != nil else { throw .sizeOverflow(shape: description) }
  }
}
