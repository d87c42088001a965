/// The result of batched multi-head attention.
public struct MultiHeadResult: Sendable {
  /// `O [B, H, Nq, dv]`.
  public var output: [Float]
  /// `[B, H, Nq]` log-sum-exp of each row's scaled, masked scores (−∞ for a row that sees no
  /// key), when asked for.
  public var logSumExp: [Float]?

  /// A result.
  public init(output: [Float], logSumExp: [Float]?) {
    self.output = output
    self.logSumExp = logSumExp
  }
}

/// Batched multi-head (and grouped-query) attention: for every batch `b` and query head `h`,
/// `O[b, h] = softmax(Q[b, h] · K[b, g]ᵀ · scale + bias[b, h]) · V[b, g]` with
/// `g = h / (H / Hkv)`, under `options.mask`.
///
/// Each head runs on `kernel` (its threads share the head's query tiles, or its key tiles when
/// the head has few queries, as in decoding).
///
/// - Parameters:
///   - q: `[B, H, Nq, dk]`, row-major.
///   - k: `[B, Hkv, Nk, dk]`.
///   - v: `[B, Hkv, Nk, dv]`.
///   - shape: The sizes.
///   - kernel: The per-head kernel; masks, biases and log-sum-exp need `fused` or `naive`.
///   - options: Scale, mask and the non-finite policy.
///   - bias: An additive bias broadcast over batch and heads, or nil.
///   - logSumExp: Whether to return each row's log-sum-exp.
/// - Returns: `O [B, H, Nq, dv]` and, if asked, the log-sum-exp `[B, H, Nq]`.
/// - Throws: `AttentionError` for sizes that disagree, H not a multiple of Hkv, a bad bias or
///   mask, non-finite inputs (unless allowed), a kernel without masks, or memory beyond the
///   machine's. Nothing is returned partially.
/// - Complexity: O(B · H · Nq · Nk · (dk + dv)) time; masked tiles are skipped by `fused`.
public func multiHeadAttention(
  q: [Float], k: [Float], v: [Float], shape: MultiHeadShape,
  kernel: any AttentionKernel = FusedAttention(), options: AttentionOptions = AttentionOptions(),
  bias: AttentionBias? = nil, logSumExp: Bool = false
) throws(AttentionError) -> MultiHeadResult {
  try shape.validate(allowingEmptySequences: true)
  for (name, buffer, expected) in [
    ("Q", q, shape.queryCount), ("K", k, shape.keyCount), ("V", v, shape.valueCount),
  ] where buffer.count != expected {
    throw .shapeMismatch(tensor: name, expected: expected, actual: buffer.count)
  }
  try bias?.validate(for: shape)
  if shape.head.queries == 0 || shape.head.keys == 0 {
    // No query: an empty output. No key: every row sees none, so zeros and a log-sum-exp of −∞.
    return MultiHeadResult(
      output: [Float](repeating: 0, count: shape.outputCount),
      logSumExp: logSumExp ? [Float](repeating: -.infinity, count: shape.logSumExpCount) : nil)
  }
  let head = shape.head
  // Query heads that share K and V are stacked into one problem (rows of head h0 + i follow
  // head h0's), so each K/V head is packed and read once per group. A bias that differs by
  // head prevents it.
  let group = shape.heads / shape.kvHeads
  let stack = bias.map { $0.heads == 1 } ?? true ? group : 1
  let stacked = AttentionShape(
    queries: head.queries * stack, keys: head.keys, headDim: head.headDim,
    valueDim: head.valueDim)
  try Platform.checkMemory(
    "the output and the \(kernel.name) kernel's scratch",
    bytes: Platform.floatBytes(shape.outputCount + shape.logSumExpCount)
      &+ kernel.scratchBytes(for: stacked))
  var output = [Float](repeating: 0, count: shape.outputCount)
  var lse = [Float](repeating: 0, count: logSumExp ? shape.logSumExpCount : 0)
  let items = shape.batch * (shape.heads / stack)
  // With enough groups, whole groups run in parallel on one-thread copies of the kernel: no
  // barrier per group, and each worker packs its own K. Otherwise each group uses every thread.
  let threads = kernel.threads
  var perWorker: (any AttentionKernel)?
  if threads > 1, items >= 2 * threads || items % threads == 0, items >= threads {
    perWorker = kernel.withThreads(1)
  }
  let result: Result<Void, AttentionError> = q.withUnsafeBufferPointer { q in
    k.withUnsafeBufferPointer { k in
      v.withUnsafeBufferPointer { v in
        output.withUnsafeMutableBufferPointer { o in
          lse.withUnsafeMutableBufferPointer { l in
            (bias?.values ?? []).withUnsafeBufferPointer { b in
              let tensors = HeadTensors(q: q, k: k, v: v, o: o, lse: logSumExp ? l : nil, bias: b)
              @Sendable func run(_ item: Int, _ kernel: any AttentionKernel) throws(AttentionError)
              {
                let batch = item / (shape.heads / stack)
                let first = (item % (shape.heads / stack)) * stack
                try tensors.run(
                  batch: batch, firstHead: first, stacked: stacked, shape: shape, bias: bias,
                  kernel: kernel, options: options)
              }
              guard let perWorker else {
                return Result { () throws(AttentionError) in
                  for item in 0..<items { try run(item, kernel) }
                }
              }
              let failure = Locked<AttentionError?>(nil)
              WorkQueue.run(items: items, threads: threads) { queue in
                while let item = queue.take() {
                  do throws(AttentionError) { try run(item, perWorker) } catch {
                    failure.withLock { $0 = $0 ?? error }
                  }
                }
              }
              return failure.withLock { $0 }.map { .failure($0) } ?? .success(())
            }
          }
        }
      }
    }
  }
  try result.get()
  return MultiHeadResult(output: output, logSumExp: logSumExp ? lse : nil)
}
