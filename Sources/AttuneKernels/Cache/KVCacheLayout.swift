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

  /// Tokens per page unless asked otherwise: 256. Each page costs a softmax update per stacked
  /// row, so fewer, longer pages decode faster from 16 and 8 bits: on a Zen 3 (AVX2), decoding 8
  /// sequences of 4k–32k int8 tokens (`scripts/bench/serving_benchmark.py`'s shape) took 1.075
  /// [0.974, 1.242] and 1 / 0.901 [0.848, 0.947] of 256's time with pages of 128, in two runs,
  /// and 0.931 [0.878, 1.103] with 512 (`serve_ab.py --random`, 8 rounds each). A sequence
  /// wastes at most 255 tokens' room; at dk = dv = 128 a page holds 256 KiB of keys and values
  /// per head in Float32, 72 KiB in 8 bits.
  public static let defaultPageTokens = 256

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
