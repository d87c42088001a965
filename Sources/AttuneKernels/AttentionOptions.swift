/// Choices that apply to one attention call, whatever the kernel.
public struct AttentionOptions: Sendable, Hashable {
  /// What to do when an input holds NaN or ±infinity.
  public enum NonFiniteInputs: Sendable, Hashable {
    /// Scan the inputs first (O(Nq·dk + Nk·(dk+dv)) reads) and throw
    /// `AttentionError.nonFiniteInput` at the first NaN or infinity. The default.
    case reject
    /// Skip the scan. NaN and infinities then flow through IEEE arithmetic: an affected output row
    /// holds NaN or infinity, other rows are unaffected. The kernels never trap or crash on them.
    case propagate
  }

  /// The factor applied to each score `q · k`; `nil` means `1 / √dk`.
  public var scale: Float?
  /// The policy for NaN and infinities in Q, K and V.
  public var nonFiniteInputs: NonFiniteInputs
  /// Which keys each query may see; `.none` by default. Needs a kernel that supports masks
  /// (`fused`, `naive`).
  public var mask: AttentionMask
  /// The arithmetic of `Q · Kᵀ`; `.float32` by default. `.bfloat16` needs a kernel that supports
  /// masks (`fused`, `naive`).
  public var scorePrecision: ScorePrecision
  /// The micro-kernels the `simd` and `fused` kernels run on; nil (the default) means the
  /// `ATTUNE_ISA` environment variable's choice, else the best this CPU runs. For tests and A/B
  /// runs: the call throws `AttentionError.unsupportedInstructionSet` if the CPU lacks it.
  public var instructionSet: InstructionSet?

  /// Creates options; by default scale `1 / √dk`, non-finite inputs rejected, no mask, Float32
  /// scores, the best micro-kernels this CPU runs.
  public init(
    scale: Float? = nil, nonFiniteInputs: NonFiniteInputs = .reject, mask: AttentionMask = .none,
    scorePrecision: ScorePrecision = .float32, instructionSet: InstructionSet? = nil
  ) {
    self.scale = scale
    self.nonFiniteInputs = nonFiniteInputs
    self.mask = mask
    self.scorePrecision = scorePrecision
    self.instructionSet = instructionSet
  }
}
