/// How this copy of the kernels was compiled, for benchmark reports and (later) wisdom keys.
public enum BuildInfo {
  /// Attune's version.
  public static let version = "0.2.0"

  /// Whether the `simd` and `fused` kernels run on fused multiply-add instructions: always with
  /// a CPU-specific micro-kernel table (AVX2 + FMA, AVX-512, NEON); with the portable one only
  /// when the Swift code was compiled with FMA (`ATTUNE_FMA`, set with `ATTUNE_MARCH`).
  public static var fusedMultiplyAdd: Bool {
    MicroKernelTable.current.instructionSet != .portable || swiftFusedMultiplyAdd
  }

  /// Whether the Swift code (the portable micro-kernels) was compiled with fused multiply-add.
  public static let swiftFusedMultiplyAdd: Bool = {
    #if ATTUNE_FMA
      true
    #else
      false
    #endif
  }()

  /// The micro-kernel table calls use by default (`ATTUNE_ISA`, else the best this CPU runs),
  /// with its score tile: e.g. `avx2-fma 6x16`.
  public static var microKernels: String { MicroKernelTable.current.name }

  /// `"release"` for optimized builds, `"debug"` otherwise.
  public static let configuration: String = {
    #if DEBUG
      "debug"
    #else
      "release"
    #endif
  }()

  /// The architecture the kernels were compiled for.
  public static let architecture: String = {
    #if arch(x86_64)
      "x86_64"
    #elseif arch(arm64)
      "arm64"
    #else
      "other"
    #endif
  }()
}
