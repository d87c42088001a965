import AttuneKernels

/// A ragged batch padded to its longest sequence, as a batch `[B, H, N, d]` with a padding mask
/// hiding the padding keys: the way to compute a ragged batch without ragged support, which
/// `attune run --padded` times as the reference.
struct PaddedBatch {
  let q: [Float]
  let k: [Float]
  let v: [Float]
  let shape: MultiHeadShape
  /// `[B, 1, 1, N]`: 0 for a sequence's keys, −∞ for its padding.
  let bias: AttentionBias
  let ragged: RaggedShape

  /// Pads `inputs` (Q `[H, Tq, dk]` and so on) to `[B, H, max Nq, dk]` and `[B, Hkv, max Nk, d]`.
  init(_ inputs: RaggedInputs) throws {
    let ragged = inputs.shape
    let b = ragged.sequences
    let lengths = (0..<b).map(ragged.sequence)
    let (nq, nk) = (lengths.map(\.queries).max() ?? 0, lengths.map(\.keys).max() ?? 0)
    let (h, hkv, dk, dv) = (ragged.heads, ragged.kvHeads, ragged.headDim, ragged.valueDim)
    shape = MultiHeadShape(
      batch: b, heads: h, kvHeads: hkv,
      head: AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv))
    let (shape, total) = (self.shape, inputs.shape)
    try ensure { () throws(AttentionError) in
      try shape.validate()
      try Platform.checkMemory(
        "the padded batch",
        bytes: Platform.floatBytes(
          shape.queryCount &+ shape.keyCount &+ shape.valueCount &+ shape.outputCount))
    }
    // Rows of head `head` of sequence `s`, from `[heads, rows, d]` into `[B, heads, n, d]`.
    func pad(_ x: [Float], heads: Int, n: Int, d: Int, offsets: [Int]) -> [Float] {
      var out = [Float](repeating: 0, count: b * heads * n * d)
      let rows = offsets.last ?? 0
      for s in 0..<b {
        let count = offsets[s + 1] - offsets[s]
        for head in 0..<heads {
          let from = (head * rows + offsets[s]) * d
          let to = ((s * heads + head) * n) * d
          out[to..<(to + count * d)] = x[from..<(from + count * d)]
        }
      }
      return out
    }
    q = pad(inputs.q, heads: h, n: nq, d: dk, offsets: total.queryOffsets)
    k = pad(inputs.k, heads: hkv, n: nk, d: dk, offsets: total.keyOffsets)
    v = pad(inputs.v, heads: hkv, n: nk, d: dv, offsets: total.keyOffsets)
    bias = AttentionBias(
      allowed: lengths.flatMap { sizes in (0..<nk).map { $0 < sizes.keys } }, batch: b,
      queries: 1)
    self.ragged = ragged
  }

  /// The padded output `[B, H, N, dv]` back in the ragged layout `[H, Tq, dv]`.
  func unpadded(_ output: [Float]) -> [Float] {
    let (h, dv, nq) = (ragged.heads, ragged.valueDim, shape.head.queries)
    let offsets = ragged.queryOffsets
    let rows = ragged.totalQueries
    var out = [Float](repeating: 0, count: h * rows * dv)
    for s in 0..<ragged.sequences {
      let count = offsets[s + 1] - offsets[s]
      for head in 0..<h {
        let from = ((s * h + head) * nq) * dv
        let to = (head * rows + offsets[s]) * dv
        out[to..<(to + count * dv)] = output[from..<(from + count * dv)]
      }
    }
    return out
  }
}
