/// Computes `O = softmax(Q · Kᵀ · scale) · V` with `kernel`.
///
/// - Parameters:
///   - q: Queries, row-major `[Nq, dk]`.
///   - k: Keys, row-major `[Nk, dk]`.
///   - v: Values, row-major `[Nk, dv]`.
///   - shape: The sizes `Nq`, `Nk`, `dk`, `dv`.
///   - kernel: The kernel to run; the fused kernel with its defaults if omitted.
///   - options: Scale (default `1 / √dk`) and the policy for non-finite inputs (default: reject).
/// - Returns: The output, row-major `[Nq, dv]`: empty when Nq = 0, zeros when Nk = 0 (a row that
///   sees no key gives zeros, as PyTorch's).
/// - Throws: `AttentionError` if a length disagrees with `shape`, dk or dv is zero, the scale is
///   not finite, an input is not finite (under `.reject`), a log-sum-exp leaves Float32's range,
///   or the kernel's scratch memory would exceed the machine's.
/// - Complexity: O(Nq · Nk · (dk + dv)) time; scratch memory depends on the kernel.
///
/// Accuracy: every built-in kernel stays within `1e-5 · max|V|` of a Float64 evaluation for the
/// shapes and data in the test suite (see the README's accuracy section).
public func attention(
  q: [Float], k: [Float], v: [Float], shape: AttentionShape,
  kernel: any AttentionKernel = FusedAttention(), options: AttentionOptions = AttentionOptions()
) throws(AttentionError) -> [Float] {
  try shape.validate(allowingEmptySequences: true)
  let empty = shape.queries == 0 || shape.keys == 0  // no scratch: nothing to compute
  try Platform.checkMemory(
    "the output and the \(kernel.name) kernel's scratch",
    bytes: Platform.floatBytes(shape.outputCount) &+ (empty ? 0 : kernel.scratchBytes(for: shape)))
  var output = [Float](repeating: 0, count: shape.outputCount)
  let result: Result<Void, AttentionError> = q.withUnsafeBufferPointer { q in
    k.withUnsafeBufferPointer { k in
      v.withUnsafeBufferPointer { v in
        output.withUnsafeMutableBufferPointer { o in
          Result { () throws(AttentionError) in
            try attention(
              q: q, k: k, v: v, shape: shape, into: o, kernel: kernel, options: options)
          }
        }
      }
    }
  }
  try result.get()
  return output
}

/// Computes `O = softmax(Q · Kᵀ · scale) · V` into a caller-owned buffer, without allocating the
/// output.
///
/// - Parameters:
///   - q: Queries, row-major `[Nq, dk]`.
///   - k: Keys, row-major `[Nk, dk]`.
///   - v: Values, row-major `[Nk, dv]`.
///   - shape: The sizes `Nq`, `Nk`, `dk`, `dv`.
///   - output: `Nq · dv` elements, overwritten.
///   - kernel: The kernel to run.
///   - options: Scale, mask and the policy for non-finite inputs.
///   - bias: An additive bias `[Nq, Nk]` added to the scaled scores (−∞ hides a key), or nil.
///   - logSumExp: `Nq` elements that receive each row's log-sum-exp of its scaled, masked scores
///     (−∞ for a row that sees no key), or nil.
/// - Throws: As `attention(q:k:v:shape:kernel:options:)`, `AttentionError.shapeMismatch` if
///   `output`, `bias` or `logSumExp` has the wrong length, `.unsupportedFeature` if a mask, bias
///   or log-sum-exp is asked of a kernel without them. Nothing is written when it throws.
/// - Complexity: O(Nq · Nk · (dk + dv)) time; masked-out tiles are skipped by `fused`.
public func attention(
  q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
  shape: AttentionShape, into output: UnsafeMutableBufferPointer<Float>,
  kernel: any AttentionKernel = FusedAttention(), options: AttentionOptions = AttentionOptions(),
  bias: UnsafeBufferPointer<Float>? = nil, logSumExp: UnsafeMutableBufferPointer<Float>? = nil
) throws(AttentionError) {
  try stackedAttention(
    q: q, k: k, v: v, shape: shape, into: output, kernel: kernel, options: options, bias: bias,
    logSumExp: logSumExp, queryPositions: shape.queries)
}

/// `attention(q:k:v:shape:into:kernel:options:bias:logSumExp:)` for `Nq / queryPositions` query
/// heads stacked on the same K and V: row `i` is position `i % queryPositions` for the mask and
/// the bias (`[queryPositions, Nk]`).
package func stackedAttention(
  q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
  shape: AttentionShape, into output: UnsafeMutableBufferPointer<Float>,
  kernel: any AttentionKernel, options: AttentionOptions, bias: UnsafeBufferPointer<Float>?,
  logSumExp: UnsafeMutableBufferPointer<Float>?, queryPositions: Int
) throws(AttentionError) {
  if shape.queries == 0 || shape.keys == 0 {
    // No query: an empty output. No key: every row sees none, so zeros and a log-sum-exp of −∞.
    try shape.validate(allowingEmptySequences: true)
    for (name, count, expected) in [
      ("Q", q.count, shape.queryCount), ("K", k.count, shape.keyCount),
      ("V", v.count, shape.valueCount), ("O", output.count, shape.outputCount),
      ("log-sum-exp", logSumExp?.count ?? shape.queries, shape.queries),
    ] where count != expected {
      throw .shapeMismatch(tensor: name, expected: expected, actual: count)
    }
    output.update(repeating: 0)
    logSumExp?.update(repeating: -.infinity)
    return
  }
  var problem = try AttentionProblem.configured(
    q: q, k: k, v: v, shape: shape, options: options, bias: bias, queryPositions: queryPositions)
  if let logSumExp {
    guard logSumExp.count == shape.queries, let base = logSumExp.baseAddress else {
      throw .shapeMismatch(tensor: "log-sum-exp", expected: shape.queries, actual: logSumExp.count)
    }
    problem.logSumExp = base
  }
  if problem.hasExtras && !kernel.supportsMasks {
    let feature =
      !options.mask.isNone
      ? "masks"
      : bias != nil
        ? "additive biases" : logSumExp != nil ? "log-sum-exp output" : "bfloat16 scores"
    throw .unsupportedFeature(kernel: kernel.name, feature: feature)
  }
  guard output.count == shape.outputCount else {
    throw .shapeMismatch(tensor: "O", expected: shape.outputCount, actual: output.count)
  }
  if options.nonFiniteInputs == .reject {
    for (name, buffer) in [("Q", q), ("K", k), ("V", v)] {
      if let index = firstNonFinite(buffer) {
        throw .nonFiniteInput(tensor: name, index: index, value: "\(buffer[index])")
      }
    }
    // A bias may hide keys with −∞; NaN or +∞ would poison the row.
    if let bias, let index = bias.firstIndex(where: { $0.isNaN || $0 == .infinity }) {
      throw .nonFiniteInput(tensor: "bias", index: index, value: "\(bias[index])")
    }
  }
  try Platform.checkMemory(
    "the \(kernel.name) kernel's scratch",
    bytes: kernel.scratchBytes(for: shape)
      &+ problem.scoreArithmetic.extraScratchBytes(for: shape))
  kernel.compute(problem, into: output)
  // Rows where Float32 overflowed (a huge scale, |V| near 3e38), or that a non-finite value
  // they cannot see touched, recomputed exactly.
  try ExactRows.repair(problem, output: output)
}

/// The index of the first NaN or infinity in `buffer`, scanning 16 lanes at a time.
package func firstNonFinite(_ buffer: UnsafeBufferPointer<Float>) -> Int? {
  guard let base = buffer.baseAddress else { return nil }
  let n = buffer.count
  var i = 0
  // An IEEE value is finite exactly when its exponent bits are not all ones.
  let exponent = SIMD16<UInt32>(repeating: 0x7F80_0000)
  while i &+ 16 <= n {
    let bits = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt32>.self)
    if any((bits & exponent) .== exponent) { break }
    i &+= 16
  }
  while i < n {
    if !base[i].isFinite { return i }
    i &+= 1
  }
  return nil
}
