internal import _AttuneShims

/// The arithmetic of the score product `Q · Kᵀ`.
///
/// The softmax, the product with V and every sum stay in Float32 whatever the choice.
public enum ScorePrecision: Sendable, Hashable, CaseIterable {
  /// Float32 products and sums: within a few units in the last place of the Float64 oracle.
  case float32
  /// Q and K rounded to bfloat16 (8 significant bits, round to nearest even) before the product;
  /// products and sums in Float32. On CPUs with AVX512-BF16 (`bfloat16IsAccelerated`) the product
  /// runs on `vdpbf16ps`, two multiply-adds per lane per instruction, which also treats bfloat16
  /// subnormals (below 1.2·10⁻³⁸) as zero; elsewhere the same rounding is applied and the product
  /// computed in Float32.
  ///
  /// Accuracy: each score is exact for the rounded Q and K, whose elements are within 2⁻⁹
  /// (relative) of the originals, so a score `q·k` moves by about `2⁻⁹ · |q| · |k| / √dk` for
  /// random signs, scaled by `scale` before the softmax. `BFloat16ScoreTests` measures the output
  /// against the Float64 oracle on the exact inputs, and against it on the rounded inputs (where
  /// the result must agree as closely as Float32 scores do).
  case bfloat16

  /// Whether this CPU runs the bfloat16 score product in hardware (x86-64 with AVX512-BF16).
  public static let bfloat16IsAccelerated: Bool = attune_bf16_dot_available()
}

/// How a kernel computes scores: the resolved form of a `ScorePrecision` on this machine.
package enum ScoreArithmetic: Sendable, Hashable {
  /// Float32 scores, on the problem's micro-kernel table.
  case float32
  /// bfloat16 operands on `vdpbf16ps`.
  case bfloat16Hardware
  /// bfloat16-rounded operands multiplied in Float32: the same values as the hardware path up to
  /// summation order (and bfloat16 subnormals, which the hardware flushes).
  case bfloat16Emulated

  /// The arithmetic `precision` asks for with the micro-kernels `kernels`: bfloat16 products in
  /// hardware only beside the AVX-512 entry, whose tiles `attune_bf16_scores` shares.
  package init(_ precision: ScorePrecision, kernels: MicroKernelTable) {
    switch precision {
    case .float32: self = .float32
    case .bfloat16:
      self =
        ScorePrecision.bfloat16IsAccelerated && kernels.instructionSet == .avx512
        ? .bfloat16Hardware : .bfloat16Emulated
    }
  }

  /// Whether Q and K are rounded to bfloat16.
  package var roundsToBFloat16: Bool { self == .bfloat16Hardware || self == .bfloat16Emulated }
}

extension ScoreArithmetic {
  /// Scratch beyond a kernel's `scratchBytes(for:)` that rounding to bfloat16 may add: a rounded
  /// copy of Q, and K packed even where the Float32 path reads it in place (decoding). An upper
  /// bound for tiles of at least 32 keys, used by the memory guard.
  package func extraScratchBytes(for shape: AttentionShape) -> Int {
    guard roundsToBFloat16 else { return 0 }
    let (queries, qOverflow) = shape.queries.multipliedReportingOverflow(by: shape.headDim)
    let (keys, kOverflow) = (shape.keys &+ BFloat16Panels.panelKeys).multipliedReportingOverflow(
      by: 2 &* shape.headDim)
    guard !qOverflow, !kOverflow else { return Int.max }
    let (total, overflow) = Platform.floatBytes(queries).addingReportingOverflow(
      Platform.floatBytes(keys))
    return overflow ? Int.max : total
  }
}
