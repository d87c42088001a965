#if !(os(macOS) && arch(x86_64))
  /// The gradients of attention on half-precision tensors.
  public struct HalfPrecisionGradients: Sendable, Hashable {
    /// ∂loss/∂Q `[B, H, Nq, dk]`, rounded to Float16 once.
    public var dq: [Float16]
    /// ∂loss/∂K `[B, Hkv, Nk, dk]`, rounded to Float16 once.
    public var dk: [Float16]
    /// ∂loss/∂V `[B, Hkv, Nk, dv]`, rounded to Float16 once.
    public var dv: [Float16]
  }

  /// The backward of multi-head attention on Float16 storage with Float32 arithmetic: the tensors
  /// are widened to Float32 (exactly), the gradients computed as
  /// `multiHeadAttentionBackward(q:k:v:output:logSumExp:gradOutput:shape:kernel:options:bias:)`
  /// computes them, and each rounded to Float16 once. The error against the exact gradients of
  /// the Float16 inputs is then the Float32 kernel's plus one Float16 rounding (relative 2⁻¹¹ ≈
  /// 4.9e-4 of each element); a gradient beyond Float16's range (±65504) becomes ±∞, as in a
  /// PyTorch float16 tensor.
  ///
  /// - Parameters: As the Float32 function's; `logSumExp` stays Float32, as the forward
  ///   (`multiHeadAttention(q:k:v:shape:kernel:options:bias:logSumExp:)` on Float16) returns it.
  /// - Throws: As the Float32 function, and `AttentionError.insufficientMemory` when the Float32
  ///   copies do not fit.
  /// - Complexity: As the Float32 function, plus O(size of the tensors) to widen and round.
  public func multiHeadAttentionBackward(
    q: [Float16], k: [Float16], v: [Float16], output: [Float16], logSumExp: [Float],
    gradOutput: [Float16], shape: MultiHeadShape,
    kernel: any AttentionBackwardKernel = FusedBackward(),
    options: AttentionOptions = AttentionOptions(), bias: AttentionBias? = nil
  ) throws(AttentionError) -> HalfPrecisionGradients {
    try shape.validate(allowingEmptySequences: true)
    try Platform.checkMemory(
      "Float32 copies of the Float16 tensors",
      bytes: Platform.floatBytes(
        q.count &+ k.count &+ v.count &+ output.count &+ gradOutput.count))
    let gradients = try multiHeadAttentionBackward(
      q: q.map(Float.init), k: k.map(Float.init), v: v.map(Float.init),
      output: output.map(Float.init), logSumExp: logSumExp,
      gradOutput: gradOutput.map(Float.init), shape: shape, kernel: kernel, options: options,
      bias: bias)
    return HalfPrecisionGradients(
      dq: gradients.dq.map { Float16($0) }, dk: gradients.dk.map { Float16($0) },
      dv: gradients.dv.map { Float16($0) })
  }
#endif
