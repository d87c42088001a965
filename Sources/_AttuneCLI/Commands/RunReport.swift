import AttuneKernels
import AttuneStats

/// What `attune run` prints.
struct RunReport: Encodable {
  let kernel: String
  let settings: [String: Int]
  let configuration: String
  /// Where the configuration came from: `flags`, or the planner's reason.
  let plan: String
  let inputs: String
  let batch: Int
  let heads: Int
  let kvHeads: Int
  let queries: Int
  let keys: Int
  let headDim: Int
  let valueDim: Int
  let mask: String
  let bias: String?
  let outputShape: [Int]
  let storage: String
  /// The arithmetic of Q·Kᵀ: `float32`, `bfloat16 (AVX512-BF16)` or `bfloat16 (emulated)`.
  let scores: String
  /// The micro-kernel table the kernel ran on, e.g. `avx2-fma 6x16`.
  let microKernels: String
  let scale: Float
  let seconds: Double
  let gflops: Double
  let samples: [Double]
  /// The distribution-free interval of the median time (order statistics), at the level it
  /// reaches (95 % from 6 calls), when more than one call was timed.
  let medianInterval: ConfidenceInterval?
  let output: String?
  let logSumExp: String?
  /// For a ragged batch: its sequences and method (then `queries` and `keys` are the totals,
  /// `Tq` and `Tk`, and `batch` the sequence count).
  var ragged: RaggedSummary? = nil

  static func describe(_ mask: AttentionMask) -> String {
    switch mask {
    case .none: "none"
    case .causal(let alignment): "causal \(alignment.rawValue)"
    case .slidingWindow(let size, let alignment): "window \(size) \(alignment.rawValue)"
    }
  }

  static func describe(_ scores: ScorePrecision, on instructionSet: InstructionSet) -> String {
    guard let kernels = MicroKernelTable.entry(instructionSet) else { return "\(scores)" }
    switch ScoreArithmetic(scores, kernels: kernels) {
    case .float32: return "float32"
    case .bfloat16Hardware: return "bfloat16 (AVX512-BF16)"
    case .bfloat16Emulated: return "bfloat16 (emulated)"
    }
  }

  /// Seconds as milliseconds with three decimals.
  static func milliseconds(_ seconds: Double) -> Double { (seconds * 1e3 * 1000).rounded() / 1000 }

  var text: String {
    let milliseconds = Self.milliseconds(seconds)
    let rate = (gflops * 10).rounded() / 10
    let lead = batch > 1 || heads > 1 || kvHeads > 1
    var qShape = lead ? "[\(batch), \(heads), \(queries), \(headDim)]" : "[\(queries), \(headDim)]"
    var kShape = lead ? "[\(batch), \(kvHeads), \(keys), \(headDim)]" : "[\(keys), \(headDim)]"
    var vShape = lead ? "[\(batch), \(kvHeads), \(keys), \(valueDim)]" : "[\(keys), \(valueDim)]"
    if ragged != nil {
      qShape = "[\(heads), \(queries), \(headDim)]"
      kShape = "[\(kvHeads), \(keys), \(headDim)]"
      vShape = "[\(kvHeads), \(keys), \(valueDim)]"
    }
    var lines = [
      "kernel  \(configuration)",
      "plan    \(plan)",
      "inputs  \(inputs): Q \(qShape)  K \(kShape)  V \(vShape)\(storage == "float16" ? " (float16)" : "")",
    ]
    if let ragged { lines.append("batch   \(ragged.text)") }
    if mask != "none" || bias != nil {
      lines.append("mask    \(mask)\(bias.map { ", bias \($0)" } ?? "")")
    }
    if scores != "float32" { lines.append("scores  \(scores)") }
    lines.append("output  O \(outputShape)\(output.map { " -> \($0)" } ?? "")")
    if let logSumExp { lines.append("lse     -> \(logSumExp)") }
    lines.append("cpu     \(microKernels) micro-kernels")
    let median = medianInterval.map { interval in
      " [\(Self.milliseconds(interval.lower)), \(Self.milliseconds(interval.upper))] (median of \(samples.count) calls, its \(interval.levelPercent)% interval)"
    }
    lines.append(
      "time    \(milliseconds) ms\(median ?? "")  (\(rate) GFLOP/s, FLOPs = 2·\(ragged == nil ? "B·H·Nq·Nk" : "H·Σ Nq·Nk")·(dk+dv)\(mask == "none" ? "" : ", unmasked"))"
    )
    return lines.joined(separator: "\n")
  }
}
