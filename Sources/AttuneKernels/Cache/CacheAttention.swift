internal import _AttuneMicroKernels

/// The work of `KVCache.attention`: for every (sequence, key/value head), the query heads that
/// share that K/V head and the sequence's queries stacked as rows (as decoding's stacked GQA
/// rows), walked over the sequence's pages with an online softmax, read in place.
///
/// Each page is one key tile: scores from the decode micro-kernel on the page's keys, the rows'
/// softmax update, then the product micro-kernel on the page's values. Keys and values stored in
/// 16 or 8 bits are read in place by the table's narrow kernels where it has them (x86: the AVX2
/// kernels, each vector widened in registers; 8-bit keys, stored in groups of 8 tokens along the
/// lanes, by every SIMD table), else widened a chunk at a time into a worker's scratch. A (sequence, head) whose
/// cost (rows × keys) exceeds a share of the whole is cut into slices of whole pages, each
/// leaving a partial state; slices run largest first from one queue, and the states are merged
/// with the online softmax's rule (`OnlineSoftmax`).
package struct CacheAttention: @unchecked Sendable {
  /// One work item: pages `pages` of `sequence`'s K/V head `head`, its partial state at
  /// `state`.
  package struct Item {
    let sequence: Int
    let head: Int
    let pages: Range<Int>
    let state: Int
  }

  let cached: CachedSequences
  /// `[H, Tq, dk]`.
  let q: UnsafePointer<Float>
  let heads: Int
  let queryOffsets: [Int]
  let scale: Float
  let mask: AttentionMask
  let kernels: MicroKernelTable
  /// Floats per accumulator row: dv rounded up to whole vectors.
  let ldo: Int
  /// Items, largest first.
  package let items: [Item]
  /// Each (sequence, head)'s items in key order: `slices[s * Hkv + h]`.
  let slices: [[Int]]
  /// Floats of every partial state together.
  let stateFloats: Int

  var geometry: PageGeometry { cached.geometry }
  var group: Int { heads / geometry.layout.kvHeads }
  var totalQueries: Int { queryOffsets.last ?? 0 }

  /// Rows of sequence `s`'s problems: the group's query heads × its queries.
  func rows(_ s: Int) -> Int { group * (queryOffsets[s + 1] - queryOffsets[s]) }

  /// Plans the work for `threads` workers.
  init(
    cached: CachedSequences, q: UnsafePointer<Float>, heads: Int, queryOffsets: [Int],
    scale: Float, mask: AttentionMask, kernels: MicroKernelTable, threads: Int
  ) {
    self.cached = cached
    self.q = q
    self.heads = heads
    self.queryOffsets = queryOffsets
    self.scale = scale
    self.mask = mask
    self.kernels = kernels
    let layout = cached.geometry.layout
    ldo = kernels.roundedToLanes(layout.valueDim)
    let group = heads / layout.kvHeads
    let tokens = layout.pageTokens
    let costs = cached.sequences.indices.map { s in
      group * (queryOffsets[s + 1] - queryOffsets[s]) * cached.sequences[s].length
    }
    let total = costs.reduce(0) { $0 &+ $1 } &* layout.kvHeads
    // A problem costlier than a quarter of one worker's share is cut, so the queue ends evenly.
    let target = max(1, total / max(1, threads * 4))
    var items = [(item: Item, cost: Int)]()
    var slices = [[Int]](repeating: [], count: cached.sequences.count * layout.kvHeads)
    var state = 0
    for s in cached.sequences.indices where costs[s] > 0 {
      let rows = group * (queryOffsets[s + 1] - queryOffsets[s])
      let pages = (cached.sequences[s].length + tokens - 1) / tokens
      let count = threads == 1 ? 1 : min(pages, max(1, (costs[s] + target - 1) / target))
      for h in 0..<layout.kvHeads {
        for slice in 0..<count {
          let range = (slice * pages / count)..<((slice + 1) * pages / count)
          slices[s * layout.kvHeads + h].append(items.count)
          items.append(
            (Item(sequence: s, head: h, pages: range, state: state), costs[s] / count))
          state += rows * (ldo + 2)
        }
      }
    }
    stateFloats = state
    // Largest first; the sort is stable, so equal items keep their order.
    var order = Array(items.indices)
    order.sort { items[$0].cost > items[$1].cost }
    let sorted = order.map { items[$0].item }
    // `slices` named items by their unsorted index: renamed to sorted positions.
    var position = [Int](repeating: 0, count: items.count)
    for (index, original) in order.enumerated() { position[original] = index }
    self.items = sorted
    self.slices = slices.map { $0.map { position[$0] } }
  }

  /// Tokens widened at a time for 16- and 8-bit storage: as many as keep the widened keys (or
  /// values) within 16 KiB, half of a 32 KiB L1, so that they are read back from L1, and each
  /// worker's scratch stays small. Not measured to differ from widening whole pages of 128
  /// tokens on a Zen 3 (AVX2), whose L1 is 32 KiB: whole pages took 0.957 [0.756, 1.055] of the
  /// time at the decode shape of `scripts/bench/serving_benchmark.py` (8 interleaved rounds).
  /// A multiple of 8-bit keys' group (`PageGeometry.keyGroup`), so that each chunk starts one.
  var chunk: Int {
    let layout = geometry.layout
    let tokens = max(4, min(layout.pageTokens, 4096 / max(layout.headDim, ldo)))
    let group = PageGeometry.int8KeyGroup
    return (tokens + group - 1) / group * group
  }

  /// Floats of one worker's scratch for rows of at most `rows`: gathered queries, scores and,
  /// for 16- and 8-bit storage, one chunk of widened keys and values.
  func scratchFloats(rows: Int) -> Int {
    let layout = geometry.layout
    let widened = layout.storage == .float32 ? 0 : chunk * (layout.headDim + ldo)
    return rows * (layout.headDim + layout.pageTokens) + widened
  }

  /// The most rows any problem has.
  var maxRows: Int {
    cached.sequences.indices.map(rows).max() ?? 0
  }

  /// Runs item `index` into `states`, with `scratch` (`scratchFloats(rows: maxRows)` floats,
  /// zero-filled once: the widened values' padding must be zero).
  func run(_ index: Int, states: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>)
  {
    let item = items[index]
    let layout = geometry.layout
    let (dk, dv, tokens, storage) = (
      layout.headDim, layout.valueDim, layout.pageTokens, layout.storage
    )
    let sequence = cached.sequences[item.sequence]
    let queries = queryOffsets[item.sequence + 1] - queryOffsets[item.sequence]
    let rows = group * queries
    let length = sequence.length
    let ldo = self.ldo
    // Scratch: queries [rows, dk], scores [rows, tokens], then widened keys and values.
    let qRows = scratch
    let s = qRows + rows * dk
    let wideKeys = s + rows * tokens
    let wideValues = wideKeys + chunk * dk
    for j in 0..<group {
      for t in 0..<queries {
        let source =
          q + ((item.head * group + j) * totalQueries + queryOffsets[item.sequence] + t) * dk
        (qRows + (j * queries + t) * dk).update(from: source, count: dk)
      }
    }
    let acc = states + item.state
    let runningMax = acc + rows * ldo
    let runningSum = runningMax + rows
    acc.update(repeating: 0, count: rows * ldo)
    runningMax.update(repeating: -.infinity, count: rows)
    runningSum.update(repeating: 0, count: rows)
    // The keys some row sees: rows differ only by query position t (causal and window ranges
    // move right with it).
    let visible =
      mask.allowedKeys(row: 0, queries: queries, keys: length)
      .lowerBound..<mask.allowedKeys(
        row: queries - 1, queries: queries, keys: length
      ).upperBound
    for p in item.pages {
      let first = p * tokens
      let count = min(tokens, length - first)
      guard first < visible.upperBound, first + count > visible.lowerBound else { continue }
      let page = sequence.pages[p]
      let head = item.head
      // The start of this page's values, wanted once its keys are scored.
      let valueLead = Self.lead(
        geometry.values(page, head: head), rowBytes: geometry.valueStride * storage.elementBytes,
        tokens: count, scales: storage == .int8 ? geometry.valueScales(page, head: head) : nil,
        scaleBytes: geometry.valueBlocks * 4)
      if !scoresFromNarrow(
        page: page, head: head, rows: rows, count: count, q: qRows, s: s, lead: valueLead)
      {
        // Keys: read in place (Float32), or widened a chunk at a time into L1 and scored there.
        for c in stride(from: 0, to: count, by: storage == .float32 ? count : chunk) {
          let n = min(count - c, storage == .float32 ? count : chunk)
          let keys: UnsafePointer<Float>
          switch storage {
          case .float32:
            keys = UnsafePointer(
              geometry.keys(page, head: head).assumingMemoryBound(to: Float.self) + c * dk)
          case .float16:
            kernels.widenHalf(
              geometry.keys(page, head: head).assumingMemoryBound(to: UInt16.self) + c * dk, dk,
              n, dk, wideKeys, dk)
            keys = UnsafePointer(wideKeys)
          case .int8:
            // Keys in groups (PageGeometry); `c`, a multiple of `chunk`, starts a group.
            attune_i8_widen_keys_portable(
              geometry.keys(page, head: head).assumingMemoryBound(to: Int8.self) + c * dk, dk,
              geometry.keyScales(page, head: head) + c * geometry.keyBlocks, n, dk, wideKeys, dk)
            keys = UnsafePointer(wideKeys)
          }
          DirectScores.compute(
            q: qRows, rows: rows, k: keys, keys: n, followingKeys: 0, dk: dk, s: s + c,
            lds: tokens, kernels: kernels)
        }
      }
      for r in 0..<rows {
        let row = s + r * tokens
        let allowed = mask.allowedKeys(row: r % queries, queries: queries, keys: length)
        let before = min(max(allowed.lowerBound - first, 0), count)
        let after = max(min(allowed.upperBound - first, count), before)
        let rowMax = kernels.scaleMax(row + before, nil, after - before, scale)
        if before > 0 { row.update(repeating: -.infinity, count: before) }
        if after < count { (row + after).update(repeating: -.infinity, count: count - after) }
        let newMax = max(runningMax[r], rowMax)
        guard newMax > -.infinity else {
          // Nothing seen yet: hidden keys weigh 0 (a NaN stays NaN: NaN queries, when let
          // through, poison only their own row).
          for j in 0..<count { row[j] = row[j] == -.infinity ? 0 : row[j] * 0 }
          continue
        }
        let pageSum = kernels.expSum(row, count, newMax, 1)
        let (keep, _) = OnlineSoftmax.merge(
          max: &runningMax[r], sum: &runningSum[r], otherMax: newMax, otherSum: pageSum)
        if keep != 1 { kernels.multiply(acc + r * ldo, ldo, keep) }
      }
      // The start of the next page's keys, wanted once these values are summed: likewise.
      var keyLead = attune_lead()
      if p + 1 < sequence.pages.count, (p + 1) * tokens < visible.upperBound {
        let next = sequence.pages[p + 1]
        keyLead = Self.lead(
          geometry.keys(next, head: head), rowBytes: dk * storage.elementBytes,
          tokens: min(tokens, length - first - count),
          scales: storage == .int8 ? geometry.keyScales(next, head: head) : nil,
          scaleBytes: geometry.keyBlocks * 4)
      }
      // Values: likewise, in place or a chunk at a time.
      if productsFromNarrow(
        page: page, head: head, rows: rows, count: count, s: s, acc: acc, lead: keyLead)
      {
        continue
      }
      if storage == .float32 {
        let values = geometry.values(page, head: head).assumingMemoryBound(to: Float.self)
        kernels.products(s, tokens, rows, values, geometry.valueStride, count, ldo, acc, ldo, 1)
        continue
      }
      for c in stride(from: 0, to: count, by: chunk) {
        let n = min(count - c, chunk)
        if storage == .float16 {
          kernels.widenHalf(
            geometry.values(page, head: head).assumingMemoryBound(to: UInt16.self) + c * dv, dv,
            n, dv, wideValues, ldo)
        } else {
          kernels.widenInt8(
            geometry.values(page, head: head).assumingMemoryBound(to: Int8.self) + c * dv, dv,
            geometry.valueScales(page, head: head) + c * geometry.valueBlocks, n, dv, wideValues,
            ldo)
        }
        kernels.products(s + c, tokens, rows, wideValues, ldo, n, ldo, acc, ldo, 0)
      }
    }
  }

  /// Bytes of the next stream asked for, into L2, during or before each phase of a page: the
  /// start of the page's values while its keys are scored, and of the next page's keys while its
  /// values are summed (for 8-bit storage, with the scales of the same tokens). Each micro-kernel
  /// asks for its own stream ahead as it goes, but not for the first rows of the next one, so
  /// every phase began with misses. On a Zen 4 (AVX-512 with VNNI) at the decode shape of
  /// `scripts/bench/serving_benchmark.py` (`serve_ab.py --random`, 10 rounds), 8 KiB asked for
  /// before each phase took 0.907 [0.894, 0.930] the time of none with an 8-bit cache (4 KiB
  /// 0.933, 32 KiB 0.977); float16 0.982 [0.960, 1.038] and float32 0.962 [0.867, 1.183] (8
  /// rounds). Into L1 instead, where the phase's own stream evicts it, it gained nothing.
  ///
  /// The 8-bit kernels take the lead as an argument (`attune_lead`) and spread its requests over
  /// their loops: 128 requests in a row stalled the core until L2's miss queue drained (13 % of
  /// the 8-bit step's time in a profile). Spread, the step took 0.925 [0.898, 0.976] the time of
  /// the burst (12 rounds, same shape); 16 KiB spread took 0.990 [0.941, 1.017] the time of 8.
  static let leadBytes = 8192

  /// The first `leadBytes` of `tokens` rows of `rowBytes` each from `rows`, and the same tokens'
  /// scales (`scaleBytes` per token) when `scales` is not nil.
  @inline(__always)
  static func lead(
    _ rows: UnsafeRawPointer, rowBytes: Int, tokens: Int, scales: UnsafeRawPointer?,
    scaleBytes: Int
  ) -> attune_lead {
    let bytes = min(leadBytes, tokens * rowBytes)
    let scaleBytes = scales == nil || rowBytes == 0 ? 0 : bytes / rowBytes * scaleBytes
    return attune_lead(rows: rows, row_bytes: bytes, scales: scales, scale_bytes: scaleBytes)
  }

  /// Asks for every cache line of `lead` into L2 at once (for kernels that take no lead).
  @inline(__always)
  static func request(_ lead: attune_lead) {
    withUnsafePointer(to: lead) { attune_lead_part($0, 0, 1) }
  }

  /// Scores of `rows` stacked queries against `count` 16- or 8-bit keys of `page`, read in place
  /// by the table's narrow decode kernel; false when the storage is Float32 or the table has no
  /// such kernel. Either way `lead` is asked for: by the 8-bit kernel over its loop, else here,
  /// all at once, before any key is read.
  @inline(__always)
  private func scoresFromNarrow(
    page: UnsafeMutableRawPointer, head: Int, rows: Int, count: Int, q: UnsafePointer<Float>,
    s: UnsafeMutablePointer<Float>, lead: attune_lead
  ) -> Bool {
    let layout = geometry.layout
    let (dk, tokens, step) = (layout.headDim, layout.pageTokens, kernels.decodeRows)
    let keys = geometry.keys(page, head: head)
    if layout.storage == .int8, let decode = kernels.decodeInt8 {
      let (k, scales) = (
        keys.assumingMemoryBound(to: Int8.self), geometry.keyScales(page, head: head)
      )
      // The lead is spread over the first call (one, for up to `decodeRows` stacked rows).
      withUnsafePointer(to: lead) { lead in
        for r in stride(from: 0, to: rows, by: step) {
          decode(
            q + r * dk, dk, Int32(min(step, rows - r)), k, dk, scales, count, dk, s + r * tokens,
            tokens, r == 0 ? UnsafeRawPointer(lead) : nil)
        }
      }
      return true
    }
    Self.request(lead)
    guard layout.storage == .float16, let decode = kernels.decodeHalf else { return false }
    let k = keys.assumingMemoryBound(to: UInt16.self)
    for r in stride(from: 0, to: rows, by: step) {
      decode(q + r * dk, dk, Int32(min(step, rows - r)), k, dk, count, dk, s + r * tokens, tokens)
    }
    return true
  }

  /// `acc += P · V` for `count` 16- or 8-bit values of `page`, read in place by the table's
  /// narrow product kernel; false as `scoresFromNarrow`, and `lead` asked for as there.
  @inline(__always)
  private func productsFromNarrow(
    page: UnsafeMutableRawPointer, head: Int, rows: Int, count: Int,
    s: UnsafePointer<Float>, acc: UnsafeMutablePointer<Float>, lead: attune_lead
  ) -> Bool {
    let layout = geometry.layout
    let (dv, tokens, step) = (layout.valueDim, layout.pageTokens, kernels.decodeRows)
    let values = geometry.values(page, head: head)
    if layout.storage == .int8, let products = kernels.productsInt8 {
      let (v, scales) = (
        values.assumingMemoryBound(to: Int8.self), geometry.valueScales(page, head: head)
      )
      withUnsafePointer(to: lead) { lead in
        for r in stride(from: 0, to: rows, by: step) {
          products(
            s + r * tokens, tokens, Int32(min(step, rows - r)), v, dv, scales, count, dv,
            acc + r * ldo, ldo, r == 0 ? UnsafeRawPointer(lead) : nil)
        }
      }
      return true
    }
    Self.request(lead)
    guard layout.storage == .float16, let products = kernels.productsHalf else { return false }
    let v = values.assumingMemoryBound(to: UInt16.self)
    for r in stride(from: 0, to: rows, by: step) {
      products(
        s + r * tokens, tokens, Int32(min(step, rows - r)), v, dv, count, dv, acc + r * ldo, ldo)
    }
    return true
  }

  /// Merges sequence `s`, head `h`'s partial states and writes its rows of `O [H, Tq, dv]`.
  func finish(
    sequence s: Int, head h: Int, states: UnsafeMutablePointer<Float>,
    output: UnsafeMutablePointer<Float>
  ) {
    let list = slices[s * geometry.layout.kvHeads + h]
    guard let first = list.first else { return }
    let rows = self.rows(s)
    let queries = queryOffsets[s + 1] - queryOffsets[s]
    let state = states + items[first].state
    for other in list.dropFirst() {
      OnlineSoftmax.mergeState(
        state, UnsafePointer(states + items[other].state), rows: rows, capacity: rows, ldo: ldo)
    }
    let dv = geometry.layout.valueDim
    for r in 0..<rows {
      let (j, t) = (r / queries, r % queries)
      let sum = state[rows * ldo + rows + r]
      let inverse: Float = sum > 0 ? 1 / sum : 0  // a row that sees no key gives zeros
      let out = output + ((h * group + j) * totalQueries + queryOffsets[s] + t) * dv
      let row = state + r * ldo
      for c in 0..<dv { out[c] = row[c] * inverse }
    }
  }
}
