import AttuneKernels
import Testing
import _AttuneTestSupport

/// The KV cache's bookkeeping: an append writes its own tokens and moves nothing, pages of a
/// removed sequence are reused, and every bad input is refused with nothing changed.
struct KVCacheAppendTests {
  static let layout = KVCacheLayout(kvHeads: 2, headDim: 8, valueDim: 4, pageTokens: 16)

  static func tokens(_ n: Int, _ layout: KVCacheLayout = layout, value: Float = 0.5) -> (
    [Float], [Float]
  ) {
    (
      [Float](repeating: value, count: layout.kvHeads * n * layout.headDim),
      [Float](repeating: value, count: layout.kvHeads * n * layout.valueDim)
    )
  }

  @Test(
    "an append writes only its tokens, whatever the length, and moves no page",
    arguments: KVStorage.allCases)
  func appendCost(storage: KVStorage) throws {
    var layout = Self.layout
    layout.storage = storage
    let cache = try KVCache(layout: layout)
    let id = cache.addSequence()
    let (k, v) = Self.tokens(1, layout)
    var written = [Int]()
    for length in 0..<2000 {
      let before = cache.bytesWritten
      try cache.append(keys: k, values: v, to: id)
      if [0, 100, 1999].contains(length) { written.append(cache.bytesWritten - before) }
      #expect(try cache.length(of: id) == length + 1)
    }
    // One token's bytes for every head, at length 1, 101 and 2000.
    let perToken = layout.kvHeads * (storage.elementBytes * 12 + (storage == .int8 ? 8 : 0))
    #expect(written == [perToken, perToken, perToken])
    // The pages already written stay where they are.
    let pagesBefore = try cache.snapshot([id]).sequences[0].pages
    try cache.append(keys: k, values: v, to: id)
    let pagesAfter = try cache.snapshot([id]).sequences[0].pages
    #expect(Array(pagesAfter.prefix(pagesBefore.count)) == pagesBefore)
    #expect(cache.pagesInUse == (2001 + 15) / 16)
  }

  @Test("a removed sequence's pages are reused")
  func pageReuse() throws {
    let cache = try KVCache(layout: Self.layout)
    let first = cache.addSequence()
    let (k, v) = Self.tokens(100)
    try cache.append(keys: k, values: v, to: first)
    let allocated = cache.bytesAllocated
    #expect(cache.pagesInUse == 7)
    try cache.removeSequence(first)
    #expect(cache.pagesInUse == 0)
    let second = cache.addSequence()
    try cache.append(keys: k, values: v, to: second)
    #expect(cache.bytesAllocated == allocated)
    #expect(cache.sequences == [second])
    #expect(throws: AttentionError.unknownSequence(id: first.id)) {
      try cache.length(of: first)
    }
  }

  @Test("bad input is refused and changes nothing")
  func refusals() throws {
    let cache = try KVCache(layout: Self.layout)
    let id = cache.addSequence()
    let (k, v) = Self.tokens(3)
    try cache.append(keys: k, values: v, to: id)
    var bad = k
    bad[5] = .nan
    #expect(throws: AttentionError.self) { try cache.append(keys: bad, values: v, to: id) }
    #expect(throws: AttentionError.self) {
      try cache.append(keys: k, values: Array(v.dropLast()), to: id)
    }
    #expect(throws: AttentionError.self) {
      try cache.append(keys: Array(k.dropLast()), values: v, to: id)
    }
    var half = Self.layout
    half.storage = .float16
    let halfCache = try KVCache(layout: half)
    let other = halfCache.addSequence()
    var large = Self.tokens(1, half).0
    large[2] = 70000
    #expect(
      throws: AttentionError.beyondStorageRange(
        tensor: "K", index: 2, value: "70000.0", storage: "float16")
    ) { try halfCache.append(keys: large, values: Self.tokens(1, half).1, to: other) }
    #expect(try halfCache.length(of: other) == 0)
    #expect(try cache.length(of: id) == 3)
    // Attention: heads, offsets, sizes, an empty sequence with queries, unknown sequences.
    let q = [Float](repeating: 0.1, count: 4 * 8)
    let empty = cache.addSequence()
    #expect(throws: AttentionError.self) { try cache.attention(q: q, heads: 3, sequences: [id]) }
    #expect(throws: AttentionError.self) {
      try cache.attention(q: q, heads: 4, sequences: [id], queryOffsets: [0])
    }
    #expect(throws: AttentionError.self) {
      try cache.attention(q: q, heads: 4, sequences: [id], queryOffsets: [1, 1])
    }
    #expect(throws: AttentionError.self) { try cache.attention(q: q, heads: 2, sequences: [id]) }
    #expect(throws: AttentionError.self) { try cache.attention(q: q, heads: 4, sequences: [empty]) }
    #expect(throws: AttentionError.self) {
      try cache.attention(q: q, heads: 4, sequences: [KVSequence(id: 99)])
    }
    #expect(throws: AttentionError.self) {
      try cache.attention(q: q, heads: 4, sequences: [id], threads: 0)
    }
    var nan = q
    nan[0] = .infinity
    #expect(throws: AttentionError.self) { try cache.attention(q: nan, heads: 4, sequences: [id]) }
    #expect(throws: AttentionError.self) {
      try KVCache(layout: KVCacheLayout(kvHeads: 0, headDim: 8))
    }
    #expect(throws: AttentionError.self) {
      try KVCache(layout: KVCacheLayout(kvHeads: 1, headDim: 1 << 40, pageTokens: 1 << 30))
    }
    // No queries at all: an empty output, no error.
    #expect(try cache.attention(q: [], heads: 4, sequences: [id], queryOffsets: [0, 0]).isEmpty)
  }

  @Test("a huge scale is an overflow error, not NaN")
  func overflow() throws {
    let cache = try KVCache(layout: Self.layout)
    let id = cache.addSequence()
    let (k, v) = Self.tokens(20, value: 1e3)
    try cache.append(keys: k, values: v, to: id)
    let q = [Float](repeating: 1e3, count: 2 * 8)
    #expect(throws: AttentionError.self) {
      try cache.attention(
        q: q, heads: 2, sequences: [id], options: AttentionOptions(scale: 1e38))
    }
  }
}
