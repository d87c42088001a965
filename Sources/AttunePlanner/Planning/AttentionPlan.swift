import AttuneKernels

/// A kernel configuration chosen for one shape, with the reason, ready to run many times.
///
/// Plans are immutable and `Sendable`: one plan may run from many threads at once.
public struct AttentionPlan: Sendable {
  /// The shape planned for; `execute` takes inputs of exactly this shape.
  public let shape: AttentionShape
  /// The configured kernel.
  public let kernel: any AttentionKernel
  /// Where the configuration came from.
  public let source: PlanSource
  /// Why this configuration, in a sentence.
  public let reason: String
  /// Measurements taken while planning (0 unless `source` is `.measured`).
  public let measurements: Int
  /// Wall-clock seconds planning took.
  public let planningSeconds: Double
  /// The wisdom entry used or written, if any.
  public let wisdomEntry: WisdomEntry?
  /// Problems met on the way (an unreadable wisdom file, wisdom that could not be saved).
  public let warnings: [String]

  /// `O [Nq, dv]` for `q [Nq, dk]`, `k [Nk, dk]`, `v [Nk, dv]` of the planned shape.
  ///
  /// - Throws: `AttentionError` for buffers of the wrong length, non-finite inputs (unless
  ///   `options` allows them) or scratch beyond the machine's memory.
  public func execute(
    q: [Float], k: [Float], v: [Float], options: AttentionOptions = AttentionOptions()
  ) throws(AttentionError) -> [Float] {
    try attention(q: q, k: k, v: v, shape: shape, kernel: kernel, options: options)
  }

  /// Writes `O [Nq, dv]` into `output` without allocating it.
  ///
  /// - Throws: As `execute(q:k:v:options:)`, and for an output of the wrong length.
  public func execute(
    q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
    into output: UnsafeMutableBufferPointer<Float>, options: AttentionOptions = AttentionOptions()
  ) throws(AttentionError) {
    try attention(
      q: q, k: k, v: v, shape: shape, into: output, kernel: kernel, options: options)
  }
}
