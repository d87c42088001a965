/// The gradients of batched multi-head (and grouped-query) attention, `multiHeadAttention`'s
/// backward: for every batch `b` and query head `h` on K/V head `g = h / (H / Hkv)`, the
/// gradients of `O[b, h] = softmax(Q[b, h] · K[b, g]ᵀ · scale + bias[b, h]) · V[b, g]`, with
/// `dK[b, g]` and `dV[b, g]` summed over the query heads that share them.
///
/// Query heads that share a K/V head run as one stacked problem (unless the bias differs by
/// head), so their dK and dV are summed as the tiles are; each problem uses every thread of
/// `kernel`.
///
/// - Parameters:
///   - q: `[B, H, Nq, dk]`, row-major.
///   - k: `[B, Hkv, Nk, dk]`.
///   - v: `[B, Hkv, Nk, dv]`.
///   - output: The forward's `O [B, H, Nq, dv]`.
///   - logSumExp: The forward's log-sum-exp `[B, H, Nq]` (`multiHeadAttention(…, logSumExp:
///     true)`).
///   - gradOutput: ∂loss/∂O, `[B, H, Nq, dv]`.
///   - shape: The sizes.
///   - kernel: `FusedBackward` (the default) or `NaiveBackward`.
///   - options: Scale, mask and the non-finite policy, as for the forward call.
///   - bias: The forward's bias, or nil (no gradient reaches it).
/// - Returns: `dq [B, H, Nq, dk]`, `dk [B, Hkv, Nk, dk]`, `dv [B, Hkv, Nk, dv]`.
/// - Throws: `AttentionError` for sizes that disagree, H not a multiple of Hkv, a bad bias or
///   mask, non-finite inputs (unless allowed), bfloat16 scores, or memory beyond the machine's.
///   Nothing is returned partially.
/// - Complexity: O(B · H · Nq · Nk · (dk + dv)) time.
public func multiHeadAttentionBackward(
  q: [Float], k: [Float], v: [Float], output: [Float], logSumExp: [Float], gradOutput: [Float],
  shape: MultiHeadShape, kernel: any AttentionBackwardKernel = FusedBackward(),
  options: AttentionOptions = AttentionOptions(), bias: AttentionBias? = nil
) throws(AttentionError) -> AttentionGradients {
  try shape.validate(allowingEmptySequences: true)
  for (name, count, expected) in [
    ("Q", q.count, shape.queryCount), ("K", k.count, shape.keyCount),
    ("V", v.count, shape.valueCount), ("O", output.count, shape.outputCount),
    ("log-sum-exp", logSumExp.count, shape.logSumExpCount),
    ("dO", gradOutput.count, shape.outputCount),
  ] where count != expected {
    throw .shapeMismatch(tensor: name, expected: expected, actual: count)
  }
  try bias?.validate(for: shape)
  let head = shape.head
  let group = shape.heads / shape.kvHeads
  let stack = (bias?.heads ?? 1) == 1 ? group : 1
  let empty = head.queries == 0 || head.keys == 0
  try Platform.checkMemory(
    "the gradients and the \(kernel.name) backward kernel's scratch",
    bytes: Platform.floatBytes(
      shape.queryCount &+ 2 &* (shape.keyCount &+ shape.valueCount))
      &+ (empty ? 0 : backwardScratchBytes(shape: shape, kernel: kernel, bias: bias)))
  // Every (batch, K/V head) writes its dK, dV and its query heads' dQ entirely.
  var gradients = AttentionGradients(
    queryCount: shape.queryCount, keyCount: shape.keyCount, valueCount: shape.valueCount,
    zeroed: empty)
  guard !empty else { return gradients }
  let biasValues: [Float] = bias?.values ?? []
  let result: Result<Void, AttentionError> = q.withUnsafeBufferPointer { q in
    k.withUnsafeBufferPointer { k in
      v.withUnsafeBufferPointer { v in
        output.withUnsafeBufferPointer { o in
          logSumExp.withUnsafeBufferPointer { l in
            gradOutput.withUnsafeBufferPointer { g in
              biasValues.withUnsafeBufferPointer { b in
                gradients.dq.withUnsafeMutableBufferPointer { dq in
                  gradients.dk.withUnsafeMutableBufferPointer { dk in
                    gradients.dv.withUnsafeMutableBufferPointer { dv in
                      Result { () throws(AttentionError) in
                        try multiHeadBackward(
                          BackwardTensors(
                            q: q, k: k, v: v, output: o, logSumExp: l, gradOutput: g,
                            bias: bias == nil ? nil : b),
                          shape: shape, stack: stack, bias: bias,
                          gradients: GradientBuffers(dq: dq, dk: dk, dv: dv), kernel: kernel,
                          options: options)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  try result.get()
  return gradients
}

/// Every (batch, K/V head) of `multiHeadAttentionBackward`, `stack` query heads per call. With at
/// least as many K/V heads as the fused kernel has threads, they run in parallel on one-thread
/// copies of it (each writes only its own rows of dQ and its own dK, dV: no barrier per head);
/// otherwise one after the other, each on every thread.
private func multiHeadBackward(
  _ all: BackwardTensors, shape: MultiHeadShape, stack: Int, bias: AttentionBias?,
  gradients: GradientBuffers, kernel: any AttentionBackwardKernel, options: AttentionOptions
) throws(AttentionError) {
  let items = shape.batch * shape.kvHeads
  if let (single, workers) = parallelHeads(items: items, kernel: kernel) {
    let failure = Locked<AttentionError?>(nil)
    WorkQueue.run(items: items, threads: workers) { queue in
      while let item = queue.take() {
        do throws(AttentionError) {
          try kvHeadBackward(
            item, all, shape: shape, stack: stack, bias: bias, gradients: gradients,
            kernel: single, options: options)
        } catch {
          failure.withLock { $0 = $0 ?? error }
        }
      }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    return
  }
  for item in 0..<items {
    try kvHeadBackward(
      item, all, shape: shape, stack: stack, bias: bias, gradients: gradients, kernel: kernel,
      options: options)
  }
}

/// The one-thread kernel and worker count when `multiHeadBackward` runs `items` K/V heads in
/// parallel: with the fused kernel on several threads and enough heads to share evenly.
private func parallelHeads(items: Int, kernel: any AttentionBackwardKernel) -> (
  FusedBackward, Int
)? {
  guard let fused = kernel as? FusedBackward, fused.threads > 1, items >= fused.threads,
    items >= 2 * fused.threads || items % fused.threads == 0,
    let single = try? FusedBackward(blockQ: fused.blockQ, blockK: fused.blockK, threads: 1)
  else { return nil }
  return (single, fused.threads)
}

/// The most scratch memory `multiHeadAttentionBackward` holds at once with `kernel` beyond its
/// inputs and gradients: one stacked problem's on every thread, or, when K/V heads run in
/// parallel, a one-thread problem's per worker.
///
/// - Complexity: O(1).
package func backwardScratchBytes(
  shape: MultiHeadShape, kernel: any AttentionBackwardKernel, bias: AttentionBias?
) -> Int {
  let head = shape.head
  let stack = (bias?.heads ?? 1) == 1 ? shape.heads / max(1, shape.kvHeads) : 1
  let stacked = AttentionShape(
    queries: head.queries &* stack, keys: head.keys, headDim: head.headDim,
    valueDim: head.valueDim)
  if let (single, workers) = parallelHeads(items: shape.batch &* shape.kvHeads, kernel: kernel) {
    return workers &* single.scratchBytes(for: stacked)
  }
  return kernel.scratchBytes(for: stacked)
}

/// K/V head `item` (batch-major) of `multiHeadBackward`: its query heads, `stack` per call; with a
/// bias per head, the second and later heads' dK and dV are added to the first's.
private func kvHeadBackward(
  _ item: Int, _ all: BackwardTensors, shape: MultiHeadShape, stack: Int, bias: AttentionBias?,
  gradients: GradientBuffers, kernel: any AttentionBackwardKernel, options: AttentionOptions
) throws(AttentionError) {
  let head = shape.head
  let group = shape.heads / shape.kvHeads
  let stacked = AttentionShape(
    queries: head.queries * stack, keys: head.keys, headDim: head.headDim,
    valueDim: head.valueDim)
  let (batch, kvHead) = item.quotientAndRemainder(dividingBy: shape.kvHeads)
  let kh = item
  let keys = (kh * head.keyCount)..<((kh + 1) * head.keyCount)
  let values = (kh * head.valueCount)..<((kh + 1) * head.valueCount)
  var extraK = [Float](repeating: 0, count: stack == group ? 0 : head.keyCount)
  var extraV = [Float](repeating: 0, count: stack == group ? 0 : head.valueCount)
  for part in 0..<(group / stack) {
    let firstHead = kvHead * group + part * stack
    let qh = batch * shape.heads + firstHead
    let rows = (qh * head.queryCount)..<(qh * head.queryCount + stacked.queryCount)
    let outs = (qh * head.outputCount)..<(qh * head.outputCount + stacked.outputCount)
    let sums = (qh * head.queries)..<(qh * head.queries + stacked.queries)
    let biasRange = bias?.slice(batch: batch, head: firstHead, shape: shape)
    let biasSlice = biasRange.flatMap { range in
      all.bias.map { UnsafeBufferPointer(rebasing: $0[range]) }
    }
    let tensors = BackwardTensors(
      q: UnsafeBufferPointer(rebasing: all.q[rows]),
      k: UnsafeBufferPointer(rebasing: all.k[keys]),
      v: UnsafeBufferPointer(rebasing: all.v[values]),
      output: UnsafeBufferPointer(rebasing: all.output[outs]),
      logSumExp: UnsafeBufferPointer(rebasing: all.logSumExp[sums]),
      gradOutput: UnsafeBufferPointer(rebasing: all.gradOutput[outs]), bias: biasSlice)
    let dq = UnsafeMutableBufferPointer(rebasing: gradients.dq[rows])
    do {
      if part == 0 {
        try stackedAttentionBackward(
          tensors, shape: stacked, dq: dq,
          dk: UnsafeMutableBufferPointer(rebasing: gradients.dk[keys]),
          dv: UnsafeMutableBufferPointer(rebasing: gradients.dv[values]), kernel: kernel,
          options: options, queryPositions: head.queries)
        continue
      }
      try extraK.withUnsafeMutableBufferPointer { (dk) throws(AttentionError) in
        try extraV.withUnsafeMutableBufferPointer { (dv) throws(AttentionError) in
          try stackedAttentionBackward(
            tensors, shape: stacked, dq: dq, dk: dk, dv: dv, kernel: kernel, options: options,
            queryPositions: head.queries)
        }
      }
    } catch {
      // A slice's error names its index within the slice; the caller's is in the whole tensor.
      throw error.inWholeTensors([
        "Q": rows.lowerBound, "K": keys.lowerBound, "V": values.lowerBound, "O": outs.lowerBound,
        "dO": outs.lowerBound, "log-sum-exp": sums.lowerBound, "bias": biasRange?.lowerBound ?? 0,
      ])
    }
    for i in 0..<head.keyCount { gradients.dk[keys.lowerBound + i] += extraK[i] }
    for i in 0..<head.valueCount { gradients.dv[values.lowerBound + i] += extraV[i] }
  }
}
