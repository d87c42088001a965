/// FlashAttention-2-style attention: tiles of `blockQ` query rows against tiles of `blockK` keys,
/// with an online softmax, so the `Nq × Nk` score matrix never exists.
///
/// For each query tile, a worker walks the key tiles keeping, per row, the running maximum `m`,
/// the running sum `ℓ` of `e^(s − m)`, and an unnormalised output `acc`. On a new key tile with
/// scores `S`: `m' = max(m, rowmax(S))`, `P = e^(S − m')`, `ℓ = ℓ · e^(m − m') + rowsum(P)`,
/// `acc = acc · e^(m − m') + P · V_tile`; at the end `O = acc / ℓ` (Dao, "FlashAttention-2", 2023,
/// algorithm 1). Both products use the register-blocked micro-kernels on K packed once per call.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time. Memory beyond inputs and output: packed K
///   (`Nk · dk` floats, rounded up to panels of 32 keys), padded V when `dv` is not a multiple of
///   16, and per worker `blockQ · (blockK + dv + 2)` floats: O(threads × tile), never O(Nq × Nk).
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

  /// `"fused"`.
  public var name: String { Self.descriptor.name }
  /// `blockQ`, `blockK`, `threads`.
  public var settings: [KernelSetting] {
    [
      KernelSetting("blockQ", blockQ), KernelSetting("blockK", blockK),
      KernelSetting("threads", threads),
    ]
  }

  /// `blockQ` (default 64), `blockK` (default 512) and `threads` (default: active processors).
  public static let parameters = [
    KernelParameter(
      name: "blockQ", summary: "query rows per tile", defaultValue: 64, range: 1...(1 << 16)),
    KernelParameter(
      name: "blockK", summary: "keys per tile", defaultValue: 512, range: 1...(1 << 16)),
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

  /// Packed K, padded V, and per worker one tile's scores, accumulator, maxima and sums.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let rows = min(blockQ, shape.queries)
    let workers = min(threads, (shape.queries + rows - 1) / rows)
    let shared =
      AlignedBuffer.bytes(
        PackedKeys.floatCount(keys: shape.keys, headDim: shape.headDim, tileKeys: blockK))
      + PaddedValues.scratchBytes(for: shape)
    let tileKeys = min(blockK, shape.keys)
    let lds = (tileKeys + PackedKeys.panelKeys - 1) / PackedKeys.panelKeys * PackedKeys.panelKeys
    let perWorker = rows * (lds + PaddedValues.stride(shape.valueDim) + 2)
    return shared + workers * AlignedBuffer.bytes(perWorker)
  }

  /// Computes `O` with query tiles shared among `threads` workers.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    let shape = problem.shape
    let (nq, nk, dk, dv) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
    let rows = min(blockQ, nq)
    let keys = PackedKeys(problem, tileKeys: blockK)
    let values = PaddedValues(problem)
    let lds = keys.panelsPerTile * PackedKeys.panelKeys
    let ldo = values.stride
    let o = SharedOutput(output)
    let step = MicroKernels.scoreRows
    WorkQueue.run(items: (nq + rows - 1) / rows, threads: threads) { queue in
      let scratch = AlignedBuffer(count: rows * (lds + ldo + 2), for: problem)
      let s = scratch.base  // [rows, lds]
      let acc = s + rows * lds  // [rows, ldo]
      let runningMax = acc + rows * ldo  // [rows]
      let runningSum = runningMax + rows  // [rows]
      while let b = queue.take() {
        let start = b * rows
        let count = min(rows, nq - start)
        let q = problem.qBase + start * dk
        acc.update(repeating: 0, count: count * ldo)
        runningMax.update(repeating: -.infinity, count: count)
        runningSum.update(repeating: 0, count: count)
        for t in 0..<keys.tileCount {
          let tileStart = t * keys.tileKeys
          let tileCount = keys.keys(inTile: t, total: nk)
          let panels = (tileCount + PackedKeys.panelKeys - 1) / PackedKeys.panelKeys
          for p in 0..<panels {
            let panel = keys.panel(tile: t, p)
            for r in stride(from: 0, to: count, by: step) {
              MicroKernels.scores(
                q: q + r * dk, ldq: dk, rows: min(step, count - r), panel: panel, dk: dk,
                s: s + r * lds + p * PackedKeys.panelKeys, lds: lds)
            }
          }
          for r in 0..<count {
            let row = s + r * lds
            let tileMax = RowSoftmax.scaleAndMax(row, count: tileCount, scale: problem.scale)
            let previous = runningMax[r]
            let newMax = max(previous, tileMax)
            guard newMax > -.infinity else {
              // Every score so far is −∞: nothing to add, and e^(−∞ − (−∞)) would be NaN.
              RowSoftmax.multiply(row, count: tileCount, by: 0)
              continue
            }
            let tileSum = RowSoftmax.exponentiateAndSum(row, count: tileCount, rowMax: newMax)
            let correction = Platform.exp(previous - newMax)
            runningSum[r] = runningSum[r] * correction + tileSum
            runningMax[r] = newMax
            if correction != 1 { RowSoftmax.multiply(acc + r * ldo, count: ldo, by: correction) }
          }
          for r in stride(from: 0, to: count, by: step) {
            MicroKernels.accumulateProducts(
              p: s + r * lds, ldp: lds, rows: min(step, count - r),
              v: values.base + tileStart * ldo, ldv: ldo, count: tileCount, columns: ldo,
              acc: acc + r * ldo, ldacc: ldo)
          }
        }
        for r in 0..<count {
          let sum = runningSum[r]
          let inverse: Float = sum > 0 ? 1 / sum : 0  // a row with no finite score gives zeros
          let out = o.base + (start + r) * dv
          let row = acc + r * ldo
          for c in 0..<dv { out[c] = row[c] * inverse }
        }
      }
    }
  }
}
