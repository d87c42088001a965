import ArgumentParser
import AttuneKernels

/// The position masks (`--causal`, `--window`), shared by `attune run` and `attune backward`.
struct MaskOptions: ParsableArguments {
  @Option(
    help:
      "Causal mask: top-left (query i sees keys ≤ i, as PyTorch's is_causal) or bottom-right (the last query sees every key, for a KV cache)."
  )
  var causal: String?

  @Option(help: "Sliding window: each query sees this many keys, ending at its diagonal.")
  var window: Int?

  /// The mask the flags describe.
  func mask() throws -> AttentionMask {
    try OptionLimits.dimension(window, "--window")
    let alignment: CausalAlignment?
    switch causal {
    case nil: alignment = nil
    case "top-left": alignment = .topLeft
    case "bottom-right": alignment = .bottomRight
    case let other?:
      throw ValidationError("--causal: no '\(other)'; give top-left or bottom-right")
    }
    if let window { return .slidingWindow(size: window, alignment: alignment ?? .bottomRight) }
    return alignment.map { .causal($0) } ?? .none
  }
}
