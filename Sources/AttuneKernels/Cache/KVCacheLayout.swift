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

  /// Tokens per page unless asked otherwise: 1024. Each page costs a softmax update per stacked
  /// row, kernel calls and a new stream of reads, so fewer, longer pages decode faster. On a Zen 4
  /// (AVX-512 with VNNI), decoding 8 sequences of 4k–32k int8 tokens
  /// (`scripts/bench/serving_benchmark.py`'s shape) took 0.907 [0.901, 0.918] of 256's time with
  /// pages of 512, 0.851 [0.842, 0.858] with 1024 and 0.807 [0.799, 0.824] with 2048
  /// (`serve_ab.py --random`, 12 rounds). A variant that only read the same bytes in the same
  /// order gained as much from longer pages (BENCHMARKS.md, twelfth session), so the cost is in
  /// the memory system as much as in the kernels. Chunked prefill (256 queries on 1k–8k int8 tokens)
  /// took 0.926 [0.885, 0.962] of 256's time. The price is room: a sequence wastes at most 1023
  /// tokens', and at dk = dv = 128 a page holds 1 MiB of keys and values per head in Float32,
  /// 288 KiB in 8 bits; a server of many short sequences should ask for shorter pages.
  public static let defaultPageTokens = 1024

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

  /// `Hkv=8 dk=128 dv=128 page=256 int8`.
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
