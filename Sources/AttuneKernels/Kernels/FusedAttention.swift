/// FlashAttention-2-style attention: tiles of `blockQ` query rows against tiles of `blockK` keys,
/// with an online softmax, so the `Nq × Nk` score matrix never exists.
///
/// For each query tile, a worker walks the key tiles keeping, per row, the running maximum `m`,
/// the running sum `ℓ` of `e^(s − m)`, and an unnormalised output `acc`. On a new key tile with
/// scores `S`: `m' = max(m, rowmax(S))`, `P = e^(S − m')`, `ℓ = ℓ · e^(m − m') + rowsum(P)`,
/// `acc = acc · e^(m − m') + P · V_tile`; at the end `O = acc / ℓ` (Dao, "FlashAttention-2", 2023,
/// algorithm 1). Both products use the register-blocked micro-kernels of the CPU's table
/// (`MicroKernelTable`) on K packed once per call (for as many query rows as the decode
/// micro-kernel takes, as in decoding, K is read in place instead). The walk itself, with masks,
/// biases and the log-sum-exp, is `FusedTileWalker`; with fewer query tiles than threads the key
/// tiles are split among the threads and the partial states merged (`OnlineSoftmax`).
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time, less with a mask (tiles no query sees are
///   skipped). Memory beyond inputs and output: packed K (`Nk · dk` floats, rounded up to whole
///   panels), padded V when `dv` is not a multiple of the table's lanes, per worker `blockQ ·
///   (blockK + dv + 2)` floats, and when keys are split `blockQ · (dv + 2)` floats per slice:
///   O(threads × tile), never O(Nq × Nk).
public struct FusedAttention: AttentionKernel {
  /// Query rows per tile.
  public let blockQ: Int
  /// Keys per tile.
  public let blockK: Int
  /// Worker threads.
  public let threads: Int

  /// Creates the kernel with its defaults.
  public init() {
    blockQ = Self.parameters[0].defaultValue
    blockK = Self.parameters[1].defaultValue
    threads = Self.parameters[2].defaultValue
  }

  /// Creates the kernel.
  ///
  /// - Throws: `AttentionError.invalidParameter` if a value is out of range.
  public init(blockQ: Int, blockK: Int, threads: Int = Self.parameters[2].defaultValue)
    throws(AttentionError)
  {
    self.blockQ = try Self.parameters[0].checked(blockQ, kernel: "fused")
    self.blockK = try Self.parameters[1].checked(blockK, kernel: "fused")
    self.threads = try Self.parameters[2].checked(threads, kernel: "fused")
  }

  /// This kernel with `count` threads, or nil when `count` is out of range.
  public func withThreads(_ count: Int) -> (any AttentionKernel)? {
    try? FusedAttention(blockQ: blockQ, blockK: blockK, threads: count)
  }

  /// `"fused"`.
  public var name: String { Self.descriptor.name }
  /// `blockQ`, `blockK`, `threads`.
  public var settings: [KernelSetting] {
    [
      KernelSetting("blockQ", blockQ), KernelSetting("blockK", blockK),
      KernelSetting("threads", threads),
    ]
  }

  /// `blockQ` and `blockK` (defaults from the micro-kernel table in use: 64 × 1024 with AVX-512
  /// and the portable one, where `scripts/bench/serve_ab.py` measured blockK 512/1024 time 1.012 [0.965,
  /// 1.051] at N = 2048 on a Zen 4 (AVX-512); 48 × 512 with AVX2 and NEON, a multiple of their 6-
  /// and 8-row tiles whose working set fits a 512 KiB L2: 0.977 [0.862, 1.066] of 64 × 1024's time
  /// on the AVX2 entry, measured on a Zen 5 (AVX-512 CPU, AVX2 forced)) and `threads` (default:
  /// active processors).
  public static let parameters = [
    KernelParameter(
      name: "blockQ", summary: "query rows per tile",
      defaultValue: MicroKernelTable.current.defaultBlockQ, range: 1...(1 << 16)),
    KernelParameter(
      name: "blockK", summary: "keys per tile",
      defaultValue: MicroKernelTable.current.defaultBlockK, range: 1...(1 << 16)),
    .threads,
  ]

  /// The catalog entry.
  public static let descriptor = KernelDescriptor(
    name: "fused",
    summary: "FlashAttention-2 tiles with online softmax; never builds the N×N matrix; SIMD",
    parameters: parameters
  ) { values throws(AttentionError) in
    try FusedAttention(
      blockQ: KernelDescriptor.value(parameters[0], in: values, kernel: "fused"),
      blockK: KernelDescriptor.value(parameters[1], in: values, kernel: "fused"),
      threads: KernelDescriptor.value(parameters[2], in: values, kernel: "fused"))
  }

  /// Honours masks (skipping tiles no query may see), biases, log-sum-exp output and bfloat16
  /// scores.
  public var supportsMasks: Bool { true }

  /// Whether K is read in place instead of packed: for no more query rows than one call of the
  /// decode micro-kernel takes (decoding).
  static func readsKeysInPlace(queries: Int, kernels: MicroKernelTable) -> Bool {
    queries <= kernels.decodeRows
  }

  /// How many slices the key tiles are cut into, so that `threads` workers have work when there
  /// are fewer query blocks than workers (decoding: one query row against a long K/V).
  static func keySplits(blocks: Int, tiles: Int, threads: Int) -> Int {
    guard blocks < threads, tiles > 1 else { return 1 }
    return min(tiles, (threads + blocks - 1) / blocks * 2)
  }

  /// Packed K, padded V, per worker one tile's scores, accumulator, maxima and sums, and the
  /// partial results of split key ranges.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let kernels = MicroKernelTable.current
    let queryBlocks = QueryBlocks(
      queries: shape.queries, rows: blockQ, tileRows: kernels.scoreRows, threads: threads)
    let (rows, blocks) = (queryBlocks.maxRows, queryBlocks.count)
    let tileKeys = max(1, min(blockK, shape.keys))
    let tiles = (shape.keys + tileKeys - 1) / tileKeys
    let splits = Self.keySplits(blocks: blocks, tiles: tiles, threads: threads)
    let workers = min(threads, blocks * splits)
    let packed =
      Self.readsKeysInPlace(queries: shape.queries, kernels: kernels)
      ? 0
      : AlignedBuffer.bytes(
        PackedKeys.floatCount(
          keys: shape.keys, headDim: shape.headDim, tileKeys: blockK,
          panelKeys: kernels.panelKeys))
    let lds = kernels.roundedToPanels(tileKeys)
    let ldo = PaddedValues.stride(shape.valueDim, lanes: kernels.lanes)
    let shared = packed + PaddedValues.scratchBytes(for: shape, lanes: kernels.lanes)
    let lanes = kernels.lanes
    if splits == 1 {
      return shared + workers * AlignedBuffer.bytes(rows * (lds + lanes + ldo + 2))
    }
    return shared + workers * AlignedBuffer.bytes(rows * (lds + lanes))
      + AlignedBuffer.bytes(blocks * splits * rows * (ldo + 2))
  }

  /// Computes `O` with query tiles (`QueryBlocks`: as many as a multiple of the workers, of nearly
  /// equal sizes; when they are fewer than the workers, slices of the key tiles too) shared among
  /// `threads` workers.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    let shape = problem.shape
    let nq = shape.queries
    let queryBlocks = QueryBlocks(
      queries: nq, rows: blockQ, tileRows: problem.microKernels.scoreRows, threads: threads)
    let (rows, blocks) = (queryBlocks.maxRows, queryBlocks.count)
    let walker = FusedTileWalker(
      problem: problem, tileKeys: blockK,
      packKeys: !Self.readsKeysInPlace(queries: nq, kernels: problem.microKernels),
      threads: threads)
    let (lds, ldo, lanes) = (walker.lds, walker.ldo, walker.kernels.lanes)
    let splits = Self.keySplits(blocks: blocks, tiles: walker.tileCount, threads: threads)
    let o = SharedOutput(output)
    if splits == 1 {
      WorkQueue.run(items: blocks, threads: threads) { queue in
        // Every part is written before it is read: no need to zero it.
        let scratch = AlignedBuffer(
          count: rows * (lds + lanes + ldo + 2), for: problem, zeroed: false)
        let s = scratch.base  // [rows, lds]
        let tileMax = s + rows * lds  // [rows, lanes]
        let acc = tileMax + rows * lanes  // [rows, ldo]
        let runningMax = acc + rows * ldo  // [rows]
        let runningSum = runningMax + rows  // [rows]
        while let b = queue.take() {
          let block = queryBlocks.rows(b)
          let (start, count) = (block.lowerBound, block.count)
          acc.update(repeating: 0, count: count * ldo)
          runningMax.update(repeating: -.infinity, count: count)
          runningSum.update(repeating: 0, count: count)
          walker.accumulate(
            start: start, count: count, tiles: 0..<walker.tileCount, s: s, tileMax: tileMax,
            acc: acc, runningMax: runningMax, runningSum: runningSum)
          walker.finish(
            start: start, count: count, acc: acc, runningMax: runningMax,
            runningSum: runningSum, output: o.base)
        }
      }
      return
    }
    // Split keys: each (block, slice) item leaves a partial state; the states are then merged
    // with the same rescaling the online softmax uses.
    let state = rows * (ldo + 2)
    let partials = AlignedBuffer(count: blocks * splits * state, for: problem, zeroed: false)
    let shared = SharedOutput(
      UnsafeMutableBufferPointer(start: partials.base, count: partials.count))
    let tiles = walker.tileCount
    WorkQueue.run(items: blocks * splits, threads: threads) { queue in
      let scratch = AlignedBuffer(count: rows * (lds + lanes), for: problem, zeroed: false)
      while let item = queue.take() {
        let (b, slice) = (item / splits, item % splits)
        let block = queryBlocks.rows(b)
        let (start, count) = (block.lowerBound, block.count)
        let acc = shared.base + item * state
        let runningMax = acc + rows * ldo
        let runningSum = runningMax + rows
        acc.update(repeating: 0, count: count * ldo)
        runningMax.update(repeating: -.infinity, count: count)
        runningSum.update(repeating: 0, count: count)
        walker.accumulate(
          start: start, count: count,
          tiles: (slice * tiles / splits)..<((slice + 1) * tiles / splits),
          s: scratch.base, tileMax: scratch.base + rows * lds, acc: acc, runningMax: runningMax,
          runningSum: runningSum)
      }
    }
    for b in 0..<blocks {
      let block = queryBlocks.rows(b)
      let (start, count) = (block.lowerBound, block.count)
      let merged = partials.base + b * splits * state  // slice 0's state receives the others
      for slice in 1..<splits {
        OnlineSoftmax.mergeState(
          merged, UnsafePointer(merged + slice * state), rows: count, capacity: rows, ldo: ldo)
      }
      let acc = merged
      let runningMax = acc + rows * ldo
      let runningSum = runningMax + rows
      walker.finish(
        start: start, count: count, acc: acc, runningMax: runningMax, runningSum: runningSum,
        output: o.base)
    }
  }
}
