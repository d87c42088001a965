/// The gradients of attention's inputs, given the forward's output and log-sum-exp and the loss's
/// gradient `dO`: `dQ`, `dK`, `dV` (no gradient reaches the bias).
///
/// - Parameters:
///   - q: Queries, row-major `[Nq, dk]`.
///   - k: Keys, row-major `[Nk, dk]`.
///   - v: Values, row-major `[Nk, dv]`.
///   - output: The forward's output `O`, `[Nq, dv]`.
///   - logSumExp: The forward's log-sum-exp of each row's scaled, masked scores, `[Nq]` (−∞ for
///     a row that sees no key), as `attention(…, logSumExp:)` writes it.
///   - gradOutput: ∂loss/∂O, `[Nq, dv]`.
///   - shape: The sizes `Nq`, `Nk`, `dk`, `dv`.
///   - kernel: `FusedBackward` (the default) or `NaiveBackward`.
///   - options: Scale, mask and the policy for non-finite inputs, as for the forward call.
///   - bias: The forward's additive bias `[Nq, Nk]`, or nil.
/// - Returns: `dq [Nq, dk]`, `dk [Nk, dk]`, `dv [Nk, dv]`: zeros where no key is seen.
/// - Throws: `AttentionError` for a length that disagrees with `shape`, an empty dimension, a
///   scale that is not finite, an invalid mask, a non-finite input under `.reject` (a
///   log-sum-exp may be −∞, not NaN or +∞), bfloat16 scores (the backward computes in Float32
///   only), or scratch beyond the machine's memory.
/// - Complexity: O(Nq · Nk · (dk + dv)) time; scratch memory depends on the kernel
///   (`FusedBackward`: O((Nq + Nk) · d) per thread).
public func attentionBackward(
  q: [Float], k: [Float], v: [Float], output: [Float], logSumExp: [Float], gradOutput: [Float],
  shape: AttentionShape, kernel: any AttentionBackwardKernel = FusedBackward(),
  options: AttentionOptions = AttentionOptions(), bias: [Float]? = nil
) throws(AttentionError) -> AttentionGradients {
  try shape.validate(allowingEmptySequences: true)
  for (name, count, expected) in [
    ("Q", q.count, shape.queryCount), ("K", k.count, shape.keyCount),
    ("V", v.count, shape.valueCount), ("O", output.count, shape.outputCount),
    ("log-sum-exp", logSumExp.count, shape.queries), ("dO", gradOutput.count, shape.outputCount),
  ] where count != expected {
    throw .shapeMismatch(tensor: name, expected: expected, actual: count)
  }
  let empty = shape.queries == 0 || shape.keys == 0
  try Platform.checkMemory(
    "the gradients and the \(kernel.name) backward kernel's scratch",
    bytes: Platform.floatBytes(shape.queryCount &+ shape.keyCount &+ shape.valueCount)
      &+ (empty ? 0 : kernel.scratchBytes(for: shape)))
  // The kernel overwrites every gradient; with no query or no key, nothing flows back (zeros).
  var gradients = AttentionGradients(
    queryCount: shape.queryCount, keyCount: shape.keyCount, valueCount: shape.valueCount,
    zeroed: empty)
  guard !empty else { return gradients }
  let result: Result<Void, AttentionError> = q.withUnsafeBufferPointer { q in
    k.withUnsafeBufferPointer { k in
      v.withUnsafeBufferPointer { v in
        output.withUnsafeBufferPointer { o in
          logSumExp.withUnsafeBufferPointer { l in
            gradOutput.withUnsafeBufferPointer { g in
              (bias ?? []).withUnsafeBufferPointer { b in
                gradients.dq.withUnsafeMutableBufferPointer { dq in
                  gradients.dk.withUnsafeMutableBufferPointer { dk in
                    gradients.dv.withUnsafeMutableBufferPointer { dv in
                      Result { () throws(AttentionError) in
                        try stackedAttentionBackward(
                          BackwardTensors(
                            q: q, k: k, v: v, output: o, logSumExp: l, gradOutput: g,
                            bias: bias == nil ? nil : b),
                          shape: shape, dq: dq, dk: dk, dv: dv, kernel: kernel, options: options,
                          queryPositions: shape.queries)
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

/// The backward of `stackedAttention`: `Nq / queryPositions` query heads stacked on one K/V head
/// (their dK and dV summed, as grouped-query attention's gradients are), writing `dq`, `dk`, `dv`
/// entirely. The buffers' lengths are the shape's (checked by the callers); Nq, Nk ≥ 1.
///
/// - Throws: `AttentionError` for an invalid mask, scale or bias, bfloat16 scores, or a
///   non-finite input (O, dO and the log-sum-exp too; a log-sum-exp may be −∞).
package func stackedAttentionBackward(
  _ tensors: BackwardTensors, shape: AttentionShape, dq: UnsafeMutableBufferPointer<Float>,
  dk: UnsafeMutableBufferPointer<Float>, dv: UnsafeMutableBufferPointer<Float>,
  kernel: any AttentionBackwardKernel, options: AttentionOptions, queryPositions: Int
) throws(AttentionError) {
  if options.scorePrecision != .float32 {
    throw .unsupportedFeature(kernel: "\(kernel.name) backward", feature: "bfloat16 scores")
  }
  let problem = try AttentionProblem.configured(
    q: tensors.q, k: tensors.k, v: tensors.v, shape: shape, options: options,
    bias: tensors.bias, queryPositions: queryPositions)
  if options.nonFiniteInputs == .reject {
    for (name, buffer) in [
      ("Q", tensors.q), ("K", tensors.k), ("V", tensors.v), ("O", tensors.output),
      ("dO", tensors.gradOutput),
    ] {
      if let index = firstNonFinite(buffer) {
        throw .nonFiniteInput(tensor: name, index: index, value: "\(buffer[index])")
      }
    }
    if let bias = tensors.bias, let index = bias.firstIndex(where: { $0.isNaN || $0 == .infinity })
    {
      throw .nonFiniteInput(tensor: "bias", index: index, value: "\(bias[index])")
    }
  }
  let lse = tensors.logSumExp
  if let index = lse.firstIndex(where: { $0.isNaN || $0 == .infinity }) {
    throw .nonFiniteInput(tensor: "log-sum-exp", index: index, value: "\(lse[index])")
  }
  guard let o = tensors.output.baseAddress, let l = lse.baseAddress,
    let g = tensors.gradOutput.baseAddress, let dqBase = dq.baseAddress,
    let dkBase = dk.baseAddress, let dvBase = dv.baseAddress
  else { preconditionFailure("validated buffers have elements") }
  kernel.computeGradients(
    BackwardProblem(forward: problem, output: o, logSumExp: l, gradOutput: g),
    dq: dqBase, dk: dkBase, dv: dvBase)
}
