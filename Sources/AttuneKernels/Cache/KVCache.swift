/// Keys and values of many sequences, kept across decoding steps: appendable (a step writes only
/// its own tokens), paged (fixed-size pages from a shared pool, a block table per sequence, pages
/// reused when a sequence is removed) and stored in Float32, Float16 or 8 bits (`KVStorage`).
/// `attention(q:heads:sequences:queryOffsets:options:threads:)` reads the pages in place: a
/// batch of decoding steps, or chunks of prefill, for any sequences at once.
///
/// A reference type: the cache owns its pages and frees them when the last reference goes. It is
/// not thread-safe: appends and attention calls on one cache must not overlap (each attention
/// call uses many threads inside).
///
/// ```swift
/// let cache = try KVCache(layout: KVCacheLayout(kvHeads: 8, headDim: 128, storage: .int8))
/// let chat = cache.addSequence()
/// try cache.append(keys: k, values: v, to: chat)   // k, v: [8, tokens, 128]
/// let o = try cache.attention(q: q, heads: 32, sequences: [chat])  // q: [32, 1, 128]
/// ```
public final class KVCache {
  /// Sizes and storage.
  public let layout: KVCacheLayout
  package let geometry: PageGeometry
  /// The memory the pages come from.
  private let pool: PagePool
  /// Every page ever taken from the pool (in use or free), by number.
  private var pages: [UnsafeMutableRawPointer] = []
  /// Pages that no sequence holds.
  private var freePages: [Int] = []
  /// Each live sequence's pages in order, and its length in tokens.
  private var tables: [Int: (pages: [Int], length: Int)] = [:]
  private var nextID = 0
  /// Bytes of keys, values and scales stored by `append` since the cache was made: what a test
  /// reads to see that an append writes its own tokens and copies nothing else.
  package private(set) var bytesWritten = 0

  /// An empty cache; pages are allocated as sequences grow.
  ///
  /// - Throws: `AttentionError` if a size is below 1 or a page is too large to address.
  public init(layout: KVCacheLayout) throws(AttentionError) {
    try layout.validate()
    guard let geometry = PageGeometry(layout) else {
      throw .sizeOverflow(shape: layout.description)
    }
    self.layout = layout
    self.geometry = geometry
    pool = PagePool(pageBytes: geometry.pageBytes)
  }

  // MARK: - Sequences

  /// Starts an empty sequence.
  public func addSequence() -> KVSequence {
    defer { nextID += 1 }
    tables[nextID] = ([], 0)
    return KVSequence(id: nextID)
  }

  /// Ends `sequence`: its pages go back to the pool for other sequences.
  ///
  /// - Throws: `AttentionError.unknownSequence` if the cache has no such sequence.
  public func removeSequence(_ sequence: KVSequence) throws(AttentionError) {
    guard let table = tables.removeValue(forKey: sequence.id) else {
      throw .unknownSequence(id: sequence.id)
    }
    freePages.append(contentsOf: table.pages)
  }

  /// The live sequences, in the order they were added.
  public var sequences: [KVSequence] { tables.keys.sorted().map(KVSequence.init) }

  /// Tokens cached for `sequence`.
  ///
  /// - Throws: `AttentionError.unknownSequence`.
  public func length(of sequence: KVSequence) throws(AttentionError) -> Int {
    guard let table = tables[sequence.id] else { throw .unknownSequence(id: sequence.id) }
    return table.length
  }

  /// Pages held by sequences.
  public var pagesInUse: Int { pages.count - freePages.count }
  /// Bytes of memory mapped for pages: those taken (in use or free) and the untaken rest of the
  /// last slab the cache mapped (it maps slabs of pages, each as large as those before it).
  public var bytesAllocated: Int { pool.bytesMapped }

  // MARK: - Appending

  /// Appends `n` tokens to `sequence`: `keys [Hkv, n, dk]` and `values [Hkv, n, dv]`, row-major
  /// (`n` from their lengths), stored in the cache's format. Writes only the new tokens' rows
  /// (and takes a free page when the last one fills): O(Hkv · n · (dk + dv)), whatever the length.
  ///
  /// - Throws: `AttentionError.unknownSequence`; `.shapeMismatch` if the lengths are not those of
  ///   whole tokens; `.nonFiniteInput` for NaN or infinity; `.beyondStorageRange` for a value
  ///   Float16 cannot hold; `.insufficientMemory`. Nothing is appended when it throws.
  public func append(keys: [Float], values: [Float], to sequence: KVSequence)
    throws(AttentionError)
  {
    let (heads, dk, dv) = (layout.kvHeads, layout.headDim, layout.valueDim)
    guard var table = tables[sequence.id] else { throw .unknownSequence(id: sequence.id) }
    let n = keys.count / (heads * dk)
    guard keys.count == n * heads * dk else {
      throw .shapeMismatch(tensor: "K", expected: (n + 1) * heads * dk, actual: keys.count)
    }
    guard values.count == n * heads * dv else {
      throw .shapeMismatch(tensor: "V", expected: n * heads * dv, actual: values.count)
    }
    try Self.checkStorable(keys, name: "K", storage: layout.storage)
    try Self.checkStorable(values, name: "V", storage: layout.storage)
    let tokens = layout.pageTokens
    let needed = (table.length + n + tokens - 1) / tokens - table.pages.count
    let fresh = max(0, needed - freePages.count)
    try Platform.checkMemory(
      "\(fresh) more KV cache pages",
      bytes: Platform.totalBytes(bytesAllocated, pool.bytesToMap(pages: fresh)))
    var taken = [Int]()
    do throws(AttentionError) {
      for _ in 0..<max(0, needed) { taken.append(try takePage()) }
    } catch {
      freePages.append(contentsOf: taken)  // nothing appended: the pages are free again
      throw error
    }
    table.pages += taken
    keys.withUnsafeBufferPointer { keys in
      values.withUnsafeBufferPointer { values in
        guard let k = keys.baseAddress, let v = values.baseAddress else { return }
        let (bytes, group) = (layout.storage.elementBytes, geometry.keyGroup)
        for t in 0..<n {
          let position = table.length + t
          let page = pages[table.pages[position / tokens]]
          let slot = position % tokens
          // Keys go to lane `slot % group` of group `slot / group` (rows when the group is 1).
          let (first, lane) = (slot / group * group, slot % group)
          for h in 0..<heads {
            store(
              k + (h * n + t) * dk, count: dk,
              to: geometry.keys(page, head: h) + (first * dk + lane) * bytes, stride: group,
              scales: geometry.keyScales(page, head: h) + first * geometry.keyBlocks + lane)
            store(
              v + (h * n + t) * dv, count: dv,
              to: geometry.values(page, head: h) + slot * geometry.valueStride * bytes, stride: 1,
              scales: geometry.valueScales(page, head: h) + slot * geometry.valueBlocks)
          }
        }
      }
    }
    table.length += n
    tables[sequence.id] = table
    bytesWritten += geometry.bytesRead(tokens: n) * heads
  }

  /// A free page, or a new one, zero-filled (so Float32 value rows' padding is zero).
  private func takePage() throws(AttentionError) -> Int {
    if let page = freePages.popLast() { return page }
    pages.append(try pool.page())
    return pages.count - 1
  }

  /// Throws unless every element of `tensor` is finite and, for Float16, within its range.
  private static func checkStorable(_ tensor: [Float], name: String, storage: KVStorage)
    throws(AttentionError)
  {
    if let index = tensor.withUnsafeBufferPointer({ firstNonFinite($0) }) {
      throw .nonFiniteInput(tensor: name, index: index, value: "\(tensor[index])")
    }
    // 65520, the midpoint above float16's largest 65504, and beyond round to infinity.
    if storage == .float16, let index = tensor.firstIndex(where: { abs($0) >= 65520 }) {
      throw .beyondStorageRange(
        tensor: name, index: index, value: "\(tensor[index])", storage: "float16")
    }
  }

  /// One row of `count` features, stored at `destination` with its elements `stride` apart (and
  /// for 8 bits its block scales at `scales`, `stride` floats apart). The stride is 1 but for
  /// 8-bit keys, which are stored along the lanes of their group.
  private func store(
    _ row: UnsafePointer<Float>, count: Int, to destination: UnsafeMutableRawPointer,
    stride: Int, scales: UnsafeMutablePointer<Float>
  ) {
    switch layout.storage {
    case .float32:
      destination.assumingMemoryBound(to: Float.self).update(from: row, count: count)
    case .float16:
      let out = destination.assumingMemoryBound(to: UInt16.self)
      for c in 0..<count { out[c] = HalfPrecision.bits(row[c]) }
    case .int8:
      let out = destination.assumingMemoryBound(to: Int8.self)
      let block = KVStorage.int8Block
      for b in 0..<(count + block - 1) / block {
        let range = (b * block)..<min(count, (b + 1) * block)
        var largest: Float = 0
        for c in range { largest = max(largest, abs(row[c])) }
        // q = round(x · 127 / max|x|) in −127...127; stored back as q · (max|x| / 127).
        let inverse: Float = largest > 0 ? 127 / largest : 0
        for c in range {
          out[c * stride] = Int8(max(-127, min(127, (row[c] * inverse).rounded())))
        }
        scales[b * stride] = largest / 127
      }
    }
  }

  // MARK: - Reading

  /// The pages and lengths of `sequences`, for a call that reads them.
  package func snapshot(_ sequences: [KVSequence]) throws(AttentionError) -> CachedSequences {
    var result = [CachedSequences.Sequence]()
    result.reserveCapacity(sequences.count)
    for sequence in sequences {
      guard let table = tables[sequence.id] else { throw .unknownSequence(id: sequence.id) }
      result.append(.init(pages: table.pages.map { pages[$0] }, length: table.length))
    }
    return CachedSequences(geometry: geometry, sequences: result)
  }
}

extension KVCache {
  /// Bytes of K and V (with 8-bit scales) that attention over every cached token of `sequences`
  /// reads: each token once per K/V head, as stored.
  public func bytesRead(_ sequences: [KVSequence]) -> Int {
    sequences.reduce(0) { total, sequence in
      total + (tables[sequence.id]?.length ?? 0) * layout.kvHeads
        * geometry.bytesRead(tokens: 1)
    }
  }

  /// The memory of the pages `sequences` hold, each page whole, in their order: what a
  /// streaming read compares a decoding step with (`attune run --serve`'s `read` request), in
  /// the same memory. Valid while the cache lives and the sequences keep their pages.
  package func pageRegions(_ sequences: [KVSequence]) -> [UnsafeRawBufferPointer] {
    sequences.flatMap { sequence in
      (tables[sequence.id]?.pages ?? []).map {
        UnsafeRawBufferPointer(start: pages[$0], count: geometry.pageBytes)
      }
    }
  }
}
