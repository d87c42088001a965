/// The buffers of one ragged call, shared by the workers (each writes only its problems' rows).
struct RaggedTensors: @unchecked Sendable {
  let q: UnsafeBufferPointer<Float>
  let k: UnsafeBufferPointer<Float>
  let v: UnsafeBufferPointer<Float>
  let o: UnsafeMutableBufferPointer<Float>
  let shape: RaggedShape

  /// Runs one (sequence, query head) on its rows in place.
  func run(_ item: RaggedProblems.Item, kernel: any AttentionKernel, options: AttentionOptions)
    throws(AttentionError)
  {
    let (s, h) = (item.sequence, item.head)
    let sizes = shape.sequence(s)
    let (dk, dv) = (shape.headDim, shape.valueDim)
    let kvHead = h / (shape.heads / shape.kvHeads)
    let qRow = h * shape.totalQueries + shape.queryOffsets[s]
    let kRow = kvHead * shape.totalKeys + shape.keyOffsets[s]
    try stackedAttention(
      q: UnsafeBufferPointer(rebasing: q[(qRow * dk)..<((qRow + sizes.queries) * dk)]),
      k: UnsafeBufferPointer(rebasing: k[(kRow * dk)..<((kRow + sizes.keys) * dk)]),
      v: UnsafeBufferPointer(rebasing: v[(kRow * dv)..<((kRow + sizes.keys) * dv)]),
      shape: sizes,
      into: UnsafeMutableBufferPointer(
        rebasing: o[(qRow * dv)..<((qRow + sizes.queries) * dv)]),
      kernel: kernel, options: options, bias: nil, logSumExp: nil,
      queryPositions: sizes.queries)
  }
}
