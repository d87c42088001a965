#if !(os(macOS) && arch(x86_64))
  /// The result of multi-head attention on half-precision tensors.
  public struct HalfPrecisionResult: Sendable {
    /// `O [B, H, Nq, dv]`, rounded to Float16 once at the end.
    public var output: [Float16]
    /// `[B, H, Nq]` log-sum-exp in Float32, when asked for.
    public var logSumExp: [Float]?
  }

  /// Multi-head attention on Float16 storage with Float32 arithmetic: the inputs are widened to
  /// Float32 (exactly), computed as `multiHeadAttention` does, and the output rounded to Float16
  /// once. The error against the exact result is then the Float32 kernel's (≤ 1e-5 · max|V|)
  /// plus one Float16 rounding of the output (relative 2⁻¹¹ ≈ 4.9e-4 of each element).
  ///
  /// - Throws: As `multiHeadAttention(q:k:v:shape:kernel:options:bias:logSumExp:)`.
  public func multiHeadAttention(
    q: [Float16], k: [Float16], v: [Float16], shape: MultiHeadShape,
    kernel: any AttentionKernel = FusedAttention(), options: AttentionOptions = AttentionOptions(),
    bias: AttentionBias? = nil, logSumExp: Bool = false
  ) throws(AttentionError) -> HalfPrecisionResult {
    try shape.validate()
    try Platform.checkMemory(
      "Float32 copies of the Float16 inputs",
      bytes: Platform.floatBytes(q.count &+ k.count &+ v.count))
    let result = try multiHeadAttention(
      q: q.map(Float.init), k: k.map(Float.init), v: v.map(Float.init), shape: shape,
      kernel: kernel, options: options, bias: bias, logSumExp: logSumExp)
    return HalfPrecisionResult(
      output: result.output.map { Float16($0) }, logSumExp: result.logSumExp)
  }
#endif
