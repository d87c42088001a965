import ArgumentParser
import AttuneKernels

/// Ragged batches and the KV cache in `attune run`: sequence offsets for files, lengths for
/// random inputs, cache storage, and the padded reference.
struct RaggedOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Query offsets of a ragged batch, an .npy of int32 or int64 [B + 1] from 0 (cu_seqlens_q): Q is then [H, Tq, dk], each sequence's rows end to end.",
      valueName: "npy"))
  var qOffsets: String?

  @Option(
    help: ArgumentHelp(
      "Key offsets of a ragged batch, [B + 1] (cu_seqlens_k): K is then [Hkv, Tk, dk], V [Hkv, Tk, dv].",
      valueName: "npy"))
  var kvOffsets: String?

  @Option(
    help: ArgumentHelp(
      "With --random, a ragged batch: key lengths spread evenly from A to B over --batch sequences (A:B), or one per sequence (L1,L2,...); each sequence has --n queries, or as many as its keys.",
      valueName: "lengths"))
  var lengths: String?

  @Option(
    help: ArgumentHelp(
      "Keep K and V in a paged KV cache stored as float32, float16 or int8 (a scale per 32 features), filled before the timed calls, and compute from it. With a ragged batch.",
      valueName: "storage"))
  var kvStorage: KVStorage?

  @Option(help: "Tokens per page of the KV cache (default 1024).")
  var pageTokens: Int?

  @Flag(
    help:
      "With --lengths: compute the batch padded to its longest sequence instead, hiding the padding keys with a mask (the reference a ragged batch is measured against)."
  )
  var padded = false

  /// Whether the run is a ragged batch.
  var isRagged: Bool { qOffsets != nil || kvOffsets != nil || lengths != nil }

  /// Checks the flags against each other and the input source.
  func check(random: Bool, mask: AttentionMask) throws {
    if random && (qOffsets != nil || kvOffsets != nil) {
      throw ValidationError(
        "--q-offsets and --kv-offsets go with files; with --random give --lengths")
    }
    if !random && lengths != nil {
      throw ValidationError(
        "--lengths goes with --random; with files give --q-offsets and --kv-offsets")
    }
    if (qOffsets == nil) != (kvOffsets == nil) {
      throw ValidationError("give both --q-offsets and --kv-offsets")
    }
    if !isRagged {
      for (flag, given) in [
        ("--kv-storage", kvStorage != nil), ("--page-tokens", pageTokens != nil),
        ("--padded", padded),
      ] where given {
        throw ValidationError(
          "\(flag) goes with a ragged batch (--lengths, or --q-offsets and --kv-offsets)")
      }
    }
    try OptionLimits.dimension(pageTokens, "--page-tokens")
    if pageTokens != nil && kvStorage == nil {
      throw ValidationError("--page-tokens goes with --kv-storage")
    }
    if padded {
      guard lengths != nil else { throw ValidationError("--padded goes with --lengths") }
      guard kvStorage == nil else {
        throw ValidationError("--padded and --kv-storage exclude each other")
      }
      switch mask {
      case .none, .causal(.topLeft): break
      default:
        // Padding at the end moves each sequence's last key: bottom-right masks would shift.
        throw ValidationError("--padded takes no mask or --causal top-left only")
      }
    }
    if let lengths { _ = try Self.lengths(lengths, batch: nil) }
  }

  /// The key lengths `--lengths` gives for `batch` sequences (nil: 1, or the list's count).
  ///
  /// - Throws: `ValidationError` for a malformed value, lengths beyond 1...2²⁴, or a list whose
  ///   count differs from `batch`.
  static func lengths(_ text: String, batch: Int?) throws -> [Int] {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    if parts.count == 2 {
      guard let low = Int(parts[0]), let high = Int(parts[1]), low <= high else {
        throw ValidationError("--lengths: '\(text)' is not A:B with integers A ≤ B")
      }
      try OptionLimits.dimension(low, "--lengths")
      try OptionLimits.dimension(high, "--lengths")
      let count = batch ?? 1
      guard count > 1 else { return [high] }
      return (0..<count).map { low + (high - low) * $0 / (count - 1) }
    }
    let list = try ListParsing.positiveIntegers(text, flag: "--lengths")
    for length in list { try OptionLimits.dimension(length, "--lengths") }
    if let batch, batch != list.count {
      throw ValidationError("--lengths lists \(list.count) sequences and --batch is \(batch)")
    }
    return list
  }
}
