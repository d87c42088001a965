extension KVCache {
  /// Attention of new queries over cached keys and values, for several sequences at once, the
  /// cache read in place: a batch of decoding steps (one query per sequence, the default), or
  /// chunks of prefill whose keys were appended first (with `.causal(.bottomRight)`).
  ///
  /// Sequence `sequences[s]` owns query rows `queryOffsets[s] ..< queryOffsets[s + 1]` and attends
  /// to its own cached tokens only; query head `h` reads K/V head `h / (H / Hkv)`. The masks of
  /// `options` apply per sequence, its queries and its cached keys aligned as `AttentionMask`
  /// says (`.causal(.bottomRight)`: each sequence's last query sees every cached key).
  ///
  /// - Parameters:
  ///   - q: `[H, Tq, dk]`, row-major, as `RaggedShape` (for decoding, `[H, B, dk]`).
  ///   - heads: Query heads `H`, a multiple of the cache's `Hkv`.
  ///   - sequences: The sequences, `B` (a sequence may appear more than once).
  ///   - queryOffsets: `B + 1` offsets from 0, non-decreasing; nil means one query per sequence.
  ///   - options: Scale (default `1 / √dk`), mask, non-finite policy (for `q`; the cache holds
  ///     only finite values) and instruction set. Scores are Float32.
  ///   - threads: Worker threads.
  /// - Returns: `O [H, Tq, dv]`.
  /// - Throws: `AttentionError`: `.unknownSequence`, `.invalidOffsets` (also for a sequence with
  ///   queries and no cached token), `.invalidHeads`, `.shapeMismatch` for `q`,
  ///   `.nonFiniteInput`, `.invalidScale`, `.invalidMask`, `.invalidParameter` for `threads`,
  ///   `.unsupportedFeature` for bfloat16 scores, `.outputOverflow`, `.insufficientMemory`.
  ///   Nothing is returned partially.
  /// - Complexity: O(H · Σₛ Nqₛ · Nₛ · (dk + dv)) time; reads each sequence's pages once per K/V
  ///   head (the query heads sharing it and the queries are stacked as rows). Memory beyond the
  ///   output: one partial state per slice (`H/Hkv · Nqₛ · (dv + 2)` floats) and per worker one
  ///   page of scores and widened keys and values.
  /// - Accuracy: as `attention` on the cache's values: exact storage for Float32; for Float16 and
  ///   8 bits, the storage's rounding (`KVStorage`) and then the Float32 kernel's.
  public func attention(
    q: [Float], heads: Int, sequences: [KVSequence], queryOffsets: [Int]? = nil,
    options: AttentionOptions = AttentionOptions(),
    threads: Int = KernelParameter.threads.defaultValue
  ) throws(AttentionError) -> [Float] {
    let (kvHeads, dk, dv) = (layout.kvHeads, layout.headDim, layout.valueDim)
    guard heads >= 1, heads % kvHeads == 0 else {
      throw .invalidHeads("\(heads) query heads are not a multiple of \(kvHeads) key/value heads")
    }
    let threads = try KernelParameter.threads.checked(threads, kernel: "kv-cache")
    let offsets = queryOffsets ?? Array(0...sequences.count)
    guard offsets.count == sequences.count + 1 else {
      throw .invalidOffsets(
        "\(offsets.count) query offsets for \(sequences.count) sequences (needs one more)")
    }
    guard offsets.first == 0 else {
      throw .invalidOffsets("the first query offset must be 0, got \(offsets[0])")
    }
    for s in 0..<sequences.count where offsets[s + 1] < offsets[s] {
      throw .invalidOffsets(
        "query offsets decrease at \(s + 1): \(offsets[s]) then \(offsets[s + 1])")
    }
    let cached = try snapshot(sequences)
    for (s, sequence) in cached.sequences.enumerated()
    where sequence.length == 0 && offsets[s + 1] > offsets[s] {
      throw .invalidOffsets("\(sequences[s]) has queries and no cached token")
    }
    let total = offsets[sequences.count]
    let (expected, overflow) = heads.multipliedReportingOverflow(by: total)
    guard !overflow, expected <= Int.max / dk, expected <= Int.max / dv else {
      throw .sizeOverflow(shape: "[\(heads), \(total), \(dk)]")
    }
    guard q.count == expected * dk else {
      throw .shapeMismatch(tensor: "Q", expected: expected * dk, actual: q.count)
    }
    let scale = options.scale ?? 1 / Float(dk).squareRoot()
    guard scale.isFinite else { throw .invalidScale("\(scale)") }
    try options.mask.validate()
    guard options.scorePrecision == .float32 else {
      throw .unsupportedFeature(kernel: "kv-cache", feature: "bfloat16 scores")
    }
    let kernels = try MicroKernelTable.resolve(options.instructionSet)
    if options.nonFiniteInputs == .reject,
      let index = q.withUnsafeBufferPointer({ firstNonFinite($0) })
    {
      throw .nonFiniteInput(tensor: "Q", index: index, value: "\(q[index])")
    }
    var output = [Float](repeating: 0, count: expected * dv)
    guard expected > 0 else { return output }
    try q.withUnsafeBufferPointer { (q) throws(AttentionError) in
      guard let base = q.baseAddress else { return }
      let plan = CacheAttention(
        cached: cached, q: base, heads: heads, queryOffsets: offsets, scale: scale,
        mask: options.mask, kernels: kernels, threads: threads)
      let scratch = plan.scratchFloats(rows: plan.maxRows)
      try Platform.checkMemory(
        "the output and the KV cache attention's partial states and scratch",
        bytes: Platform.floatBytes(
          expected * dv &+ plan.stateFloats &+ min(threads, plan.items.count) &* scratch))
      let states = AlignedBuffer(count: plan.stateFloats, tracker: nil, zeroed: false)
      let shared = SharedOutput(UnsafeMutableBufferPointer(start: states.base, count: states.count))
      WorkQueue.run(items: plan.items.count, threads: threads) { queue in
        let buffer = AlignedBuffer(count: scratch, tracker: nil, zeroed: true)
        while let item = queue.take() { plan.run(item, states: shared.base, scratch: buffer.base) }
      }
      output.withUnsafeMutableBufferPointer { o in
        guard let out = o.baseAddress else { return }
        for s in 0..<sequences.count {
          for h in 0..<kvHeads {
            plan.finish(sequence: s, head: h, states: states.base, output: out)
          }
        }
      }
    }
    // The cache and Q are finite (unless Q's NaN was let through): anything else is overflow.
    if options.nonFiniteInputs == .reject,
      let index = output.withUnsafeBufferPointer({ firstNonFinite($0) })
    {
      throw .outputOverflow(tensor: "O", index: index, value: "\(output[index])")
    }
    return output
  }
}
