internal import _AttuneMicroKernels

/// Where everything is in one page of a `KVCache`: per head, keys `[P, dk]`, values
/// `[P, valueStride]`, and for 8-bit storage their scales `[P, ⌈dk/32⌉]` and `[P, ⌈dv/32⌉]`,
/// each region starting on a cache line. 8-bit keys and their scales are stored in groups of
/// `keyGroup` tokens along the lanes (`ATTUNE_I8_KEY_GROUP`, AttuneMicroKernels.h), their regions
/// rounded up to whole groups; everything else row by row.
package struct PageGeometry: Sendable, Hashable {
  package let layout: KVCacheLayout
  /// Elements between value rows: `dv` rounded up to 16 in Float32 (so the product micro-kernel,
  /// which reads whole vectors, reads values in place; the padding is zero), else `dv`.
  package let valueStride: Int
  /// Scales per key row and per value row (8-bit storage; 0 otherwise).
  package let keyBlocks: Int
  package let valueBlocks: Int
  /// Tokens per group of keys: `int8KeyGroup` for 8-bit storage, else 1 (rows).
  package let keyGroup: Int
  /// Tokens per group of 8-bit keys, `ATTUNE_I8_KEY_GROUP`.
  package static let int8KeyGroup = Int(ATTUNE_I8_KEY_GROUP)
  /// Byte offsets of head 0's keys, values, key scales and value scales, and bytes per head of
  /// each.
  private let keyBytes: Int
  private let valueBytes: Int
  private let keyScaleBytes: Int
  private let valueScaleBytes: Int
  /// Bytes of one page.
  package let pageBytes: Int

  /// The geometry of `layout`'s pages, or nil if a page's size does not fit in an `Int`.
  package init?(_ layout: KVCacheLayout) {
    self.layout = layout
    let (tokens, heads, storage) = (layout.pageTokens, layout.kvHeads, layout.storage)
    valueStride =
      storage == .float32 ? (layout.valueDim + 15) / 16 * 16 : layout.valueDim
    let blocks = { (features: Int) in
      storage == .int8 ? (features + KVStorage.int8Block - 1) / KVStorage.int8Block : 0
    }
    keyBlocks = blocks(layout.headDim)
    valueBlocks = blocks(layout.valueDim)
    keyGroup = storage == .int8 ? Self.int8KeyGroup : 1
    let (padded, o0) = tokens.addingReportingOverflow(keyGroup - 1)
    let keyTokens: Int? = o0 ? nil : padded / keyGroup * keyGroup
    // Each region's bytes, rounded up to a 64-byte line; nil on overflow.
    func region(_ elements: Int, _ bytes: Int, tokens: Int = tokens) -> Int? {
      let (a, o1) = tokens.multipliedReportingOverflow(by: elements)
      let (b, o2) = a.multipliedReportingOverflow(by: bytes)
      let (c, o3) = b.addingReportingOverflow(63)
      return o1 || o2 || o3 ? nil : c / 64 * 64
    }
    guard let keyTokens,
      let k = region(layout.headDim, storage.elementBytes, tokens: keyTokens),
      let v = region(valueStride, storage.elementBytes),
      let ks = region(keyBlocks, 4, tokens: keyTokens), let vs = region(valueBlocks, 4)
    else { return nil }
    (keyBytes, valueBytes, keyScaleBytes, valueScaleBytes) = (k, v, ks, vs)
    let (perHead, o1) = k.addingReportingOverflow(v &+ ks &+ vs)
    let (total, o2) = perHead.multipliedReportingOverflow(by: heads)
    guard !o1, !o2, v <= Int.max / 4, ks <= Int.max / 4, vs <= Int.max / 4 else { return nil }
    pageBytes = total
  }

  /// Head `head`'s keys in `page`: `[P, dk]` elements of the storage type, or for 8-bit storage
  /// `[⌈P/8⌉, dk, 8]` bytes (token `t`'s feature `c` at `8·(t/8·dk + c) + t%8`).
  @inline(__always)
  package func keys(_ page: UnsafeMutableRawPointer, head: Int) -> UnsafeMutableRawPointer {
    page + head * keyBytes
  }

  /// Head `head`'s values in `page`: `[P, valueStride]` elements of the storage type.
  @inline(__always)
  package func values(_ page: UnsafeMutableRawPointer, head: Int) -> UnsafeMutableRawPointer {
    page + layout.kvHeads * keyBytes + head * valueBytes
  }

  /// Head `head`'s key scales in `page`: `[⌈P/8⌉, keyBlocks, 8]` floats (8-bit storage).
  @inline(__always)
  package func keyScales(_ page: UnsafeMutableRawPointer, head: Int) -> UnsafeMutablePointer<
    Float
  > {
    (page + layout.kvHeads * (keyBytes + valueBytes) + head * keyScaleBytes)
      .assumingMemoryBound(to: Float.self)
  }

  /// Head `head`'s value scales in `page`: `[P, valueBlocks]` floats (8-bit storage).
  @inline(__always)
  package func valueScales(_ page: UnsafeMutableRawPointer, head: Int) -> UnsafeMutablePointer<
    Float
  > {
    (page + layout.kvHeads * (keyBytes + valueBytes + keyScaleBytes) + head * valueScaleBytes)
      .assumingMemoryBound(to: Float.self)
  }

  /// Bytes attention reads for `tokens` cached tokens of one head: keys, values (as stored,
  /// without the Float32 rows' padding) and scales.
  package func bytesRead(tokens: Int) -> Int {
    let perToken =
      layout.storage.elementBytes * (layout.headDim + layout.valueDim)
      + 4 * (keyBlocks + valueBlocks)
    return tokens * perToken
  }
}
