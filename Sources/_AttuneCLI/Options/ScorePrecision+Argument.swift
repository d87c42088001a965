import ArgumentParser
import AttuneKernels

/// `--scores float32|bfloat16` (also `bf16`, `fp32`).
extension ScorePrecision: ExpressibleByArgument {
  /// Parses `float32` (`fp32`, `f32`) or `bfloat16` (`bf16`), in any case.
  public init?(argument: String) {
    switch argument.lowercased() {
    case "float32", "fp32", "f32": self = .float32
    case "bfloat16", "bf16": self = .bfloat16
    default: return nil
    }
  }

  /// The name shown as the default in help.
  public var defaultValueDescription: String { self == .float32 ? "float32" : "bfloat16" }

  /// The names listed in help and errors.
  public static var allValueStrings: [String] { ["float32", "bfloat16"] }
}
