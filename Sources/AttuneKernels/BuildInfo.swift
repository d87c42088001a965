/// How this copy of the kernels was compiled, for benchmark reports and (later) wisdom keys.
public enum BuildInfo {
  /// Attune's version.
  public static let version = "0.2.0"

  /// Whether the kernels were built with fused multiply-add enabled (`ATTUNE_FMA`, set with the
  /// CPU flags by the package manifest; see the README's "Vector code and the build").
  public static let fusedMultiplyAdd: Bool = {
    #if ATTUNE_FMA
      true
    #else
      false
    #endif
  }()

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
