/// The report's `avx_attention`: `ParallelAttention` with explicit SIMD vectors in every inner loop.
///
/// Same three phases per block of `blockSize` query rows, now vectorised with the CPU's
/// micro-kernel table (`MicroKernelTable`): K is packed once per call into panels and the scores
/// come from the table's register-blocked score micro-kernel; the softmax uses its vector `exp`
/// (relative error < 3e-7); `P · V` its product micro-kernel.
/// The whole row of scores is still materialised (`blockSize · Nk` floats per worker): that is
/// what the fused kernel removes.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time; `Nk · dk` floats for packed K, plus per worker
///   `blockSize · (Nk + dv)` floats (rounded up to vector multiples).
public struct SIMDAttention: AttentionKernel {
  /// Query rows per block.
  public let blockSize: Int
  /// Worker threads.
  public let threads: Int

  /// Keys per chunk of the product phase: 128 rows of V (32 KiB at `dv = 64`) stay in cache while
  /// every row group of the block passes over them.
  static let valueChunk = 128

  /// Creates the kernel.
  ///
  /// - Throws: `AttentionError.invalidParameter` if a value is out of range.
  public init(
    blockSize: Int = Self.parameters[0].defaultValue,
    threads: Int = Self.parameters[1].defaultValue
  ) throws(AttentionError) {
    self.blockSize = try Self.parameters[0].checked(blockSize, kernel: "simd")
    self.threads = try Self.parameters[1].checked(threads, kernel: "simd")
  }

  /// This kernel with `count` threads, or nil when `count` is out of range.
  public func withThreads(_ count: Int) -> (any AttentionKernel)? {
    try? SIMDAttention(blockSize: blockSize, threads: count)
  }

  /// `"simd"`.
  public var name: String { Self.descriptor.name }
  /// `blockSize`, `threads`.
  public var settings: [KernelSetting] {
    [KernelSetting("blockSize", blockSize), KernelSetting("threads", threads)]
  }

  /// `blockSize` (default 64) and `threads` (default: active processors).
  public static let parameters = [KernelParameter.blockSize(defaultValue: 64), .threads]

  /// The catalog entry.
  public static let descriptor = KernelDescriptor(
    name: "simd",
    summary: "parallel with SIMD everywhere: packed K, the CPU's micro-kernels, vector exp",
    parameters: parameters
  ) { values throws(AttentionError) in
    try SIMDAttention(
      blockSize: KernelDescriptor.value(parameters[0], in: values, kernel: "simd"),
      threads: KernelDescriptor.value(parameters[1], in: values, kernel: "simd"))
  }

  /// Packed K, padded V, and per worker one block's scores and output rows.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let rows = min(blockSize, shape.queries)
    let workers = min(threads, (shape.queries + rows - 1) / rows)
    let kernels = MicroKernelTable.current
    let shared =
      AlignedBuffer.bytes(
        PackedKeys.floatCount(
          keys: shape.keys, headDim: shape.headDim, tileKeys: shape.keys,
          panelKeys: kernels.panelKeys))
      + PaddedValues.scratchBytes(for: shape, lanes: kernels.lanes)
    return shared
      + workers * AlignedBuffer.bytes(Self.workerCount(rows: rows, shape: shape, kernels: kernels))
  }

  private static func workerCount(rows: Int, shape: AttentionShape, kernels: MicroKernelTable)
    -> Int
  {
    rows
      * (kernels.roundedToPanels(shape.keys)
        + PaddedValues.stride(shape.valueDim, lanes: kernels.lanes))
  }

  /// Computes `O` with row blocks shared among `threads` workers.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    let shape = problem.shape
    let (nq, nk, dk, dv) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
    let rows = min(blockSize, nq)
    let kernels = problem.microKernels
    let keys = PackedKeys(problem, tileKeys: nk, panelKeys: kernels.panelKeys, threads: threads)
    let values = PaddedValues(problem, lanes: kernels.lanes)
    let lds = kernels.roundedToPanels(nk)
    let ldo = values.stride
    let o = SharedOutput(output)
    let workerCount = Self.workerCount(rows: rows, shape: shape, kernels: kernels)
    WorkQueue.run(items: (nq + rows - 1) / rows, threads: threads) { queue in
      let scratch = AlignedBuffer(count: workerCount, for: problem)
      let s = scratch.base  // [rows, lds]
      let acc = scratch.base + rows * lds  // [rows, ldo]
      while let b = queue.take() {
        let start = b * rows
        let count = min(rows, nq - start)
        let q = problem.qBase + start * dk
        // Phase 1: raw scores, one panel at a time for all rows of the block.
        for p in 0..<keys.panelsPerTile {
          let panel = keys.panel(tile: 0, p)
          kernels.scores(q, dk, count, panel, dk, s + p * kernels.panelKeys, lds, nil)
        }
        // Phase 2: scale and max, then exp and sum, then divide.
        for r in 0..<count {
          let row = s + r * lds
          let rowMax = kernels.scaleMax(row, nil, nk, problem.scale)
          let sum = kernels.expSum(row, nk, rowMax, 1)
          kernels.multiply(row, nk, 1 / sum)
        }
        // Phase 3: acc = P · V, a chunk of value rows at a time.
        acc.update(repeating: 0, count: count * ldo)
        for j in stride(from: 0, to: nk, by: Self.valueChunk) {
          let chunk = min(Self.valueChunk, nk - j)
          kernels.products(
            s + j, lds, count, values.base + j * ldo, ldo, chunk, ldo, acc, ldo, 0)
        }
        for r in 0..<count {
          (o.base + (start + r) * dv).update(from: acc + r * ldo, count: dv)
        }
      }
    }
  }
}
