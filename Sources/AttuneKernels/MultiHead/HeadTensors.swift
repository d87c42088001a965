/// The buffers of one multi-head call, shared by the workers that run its head groups (each
/// writes only its own heads' output and log-sum-exp).
struct HeadTensors: @unchecked Sendable {
  let q: UnsafeBufferPointer<Float>
  let k: UnsafeBufferPointer<Float>
  let v: UnsafeBufferPointer<Float>
  let o: UnsafeMutableBufferPointer<Float>
  let lse: UnsafeMutableBufferPointer<Float>?
  let bias: UnsafeBufferPointer<Float>

  /// Runs query heads `firstHead..<firstHead + stacked.queries / Nq` of batch `batch`, stacked
  /// on their shared K/V head.
  func run(
    batch: Int, firstHead: Int, stacked: AttentionShape, shape: MultiHeadShape,
    bias biasShape: AttentionBias?, kernel: any AttentionKernel, options: AttentionOptions
  ) throws(AttentionError) {
    let head = shape.head
    let qh = batch * shape.heads + firstHead
    let kh = batch * shape.kvHeads + shape.kvHead(for: firstHead)
    let biasRange = biasShape?.slice(batch: batch, head: firstHead, shape: shape)
    let biasSlice = biasRange.map { UnsafeBufferPointer(rebasing: self.bias[$0]) }
    do {
      try runSlices(
        qh: qh, kh: kh, stacked: stacked, head: head, bias: biasSlice, kernel: kernel,
        options: options)
    } catch {
      throw error.inWholeTensors([
        "Q": qh * head.queryCount, "K": kh * head.keyCount, "V": kh * head.valueCount,
        "bias": biasRange?.lowerBound ?? 0,
      ])
    }
  }

  /// `run`'s call on query heads from `qh` and K/V head `kh` (batch-major indices).
  private func runSlices(
    qh: Int, kh: Int, stacked: AttentionShape, head: AttentionShape,
    bias biasSlice: UnsafeBufferPointer<Float>?, kernel: any AttentionKernel,
    options: AttentionOptions
  ) throws(AttentionError) {
    try stackedAttention(
      q: UnsafeBufferPointer(
        rebasing: q[(qh * head.queryCount)..<(qh * head.queryCount + stacked.queryCount)]),
      k: UnsafeBufferPointer(rebasing: k[(kh * head.keyCount)..<((kh + 1) * head.keyCount)]),
      v: UnsafeBufferPointer(rebasing: v[(kh * head.valueCount)..<((kh + 1) * head.valueCount)]),
      shape: stacked,
      into: UnsafeMutableBufferPointer(
        rebasing: o[(qh * head.outputCount)..<(qh * head.outputCount + stacked.outputCount)]),
      kernel: kernel, options: options, bias: biasSlice,
      logSumExp: lse.map {
        UnsafeMutableBufferPointer(
          rebasing: $0[(qh * head.queries)..<(qh * head.queries + stacked.queries)])
      }, queryPositions: head.queries)
  }
}
