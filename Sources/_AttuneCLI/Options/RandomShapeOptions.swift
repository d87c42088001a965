import ArgumentParser
import AttuneKernels

/// The sizes of random inputs (`--random`), shared by `attune run` and `attune backward`. The
/// value width is each command's own option (`attune run --dv`, `attune backward --value-dim`,
/// whose `--dv` names dV's file), given to `check` and `shape`.
struct RandomShapeOptions: ParsableArguments {
  @Option(help: "Query rows with --random (default 2048).")
  var n: Int?

  @Option(help: "Key rows with --random (default: --n).")
  var nk: Int?

  @Option(help: "Query and key width with --random (default 64).")
  var d: Int?

  @Option(help: "Batch size B with --random (default 1).")
  var batch: Int?

  @Option(help: "Query heads H with --random (default 1).")
  var heads: Int?

  @Option(help: "Key/value heads Hkv with --random (default: --heads).")
  var kvHeads: Int?

  @Option(help: "Seed of the random inputs.")
  var seed: UInt64 = 1

  /// Checks the sizes: only with `--random`, each within the limits, heads a multiple of
  /// key/value heads.
  func check(random: Bool, valueDim: (flag: String, value: Int?)) throws {
    let sizes = [
      ("--n", n), ("--nk", nk), ("--d", d), valueDim, ("--batch", batch),
      ("--heads", heads), ("--kv-heads", kvHeads),
    ]
    if !random {
      for (flag, value) in sizes where value != nil {
        throw ValidationError("\(flag) goes with --random; with files the sizes come from them")
      }
    }
    for (flag, value) in sizes { try OptionLimits.dimension(value, flag) }
    if let kvHeads, (heads ?? 1) % kvHeads != 0 {
      throw ValidationError("--heads \(heads ?? 1) is not a multiple of --kv-heads \(kvHeads)")
    }
  }

  /// The shape the flags describe, with the defaults; `valueDim` defaults to `--d`.
  func shape(valueDim dv: Int?) -> MultiHeadShape {
    let n = self.n ?? 2048
    let d = self.d ?? 64
    let heads = self.heads ?? 1
    return MultiHeadShape(
      batch: batch ?? 1, heads: heads, kvHeads: kvHeads ?? heads,
      head: AttentionShape(queries: n, keys: nk ?? n, headDim: d, valueDim: dv ?? d))
  }

  /// Whether the outputs keep [B, H] as leading dimensions (either was given).
  var keepsLeadingDimensions: Bool { batch != nil || heads != nil }
}
