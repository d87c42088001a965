import ArgumentParser
import AttuneKernels
import AttuneNPY
import AttunePlanner
import AttuneStats
import Foundation

extension Attune {
  /// `attune run`: attention on `.npy` tensors or random ones, timed.
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compute attention on .npy tensors (or random ones) and time it.",
      discussion: """
        Q is [Nq, dk], [H, Nq, dk] or [B, H, Nq, dk]; K and V are [.., Nk, dk] and \
        [.., Nk, dv] with the same batch B and Hkv heads, H a multiple of Hkv (grouped-query \
        attention). .npy files of float16, float32 or float64, in C order. The output has Q's \
        leading dimensions and is float16 when Q, K and V all are (computed in float32), else \
        float32.

        --causal and --window mask keys by position; --bias adds a float (or boolean: false \
        hides) .npy of any shape that broadcasts to [B, H, Nq, Nk] as PyTorch's attn_mask (a \
        padding mask [B, 1, 1, Nk], [Nq, Nk], [H, Nq, Nk]...; float64 values below -3.4e38 \
        hide their key); --lse writes each row's log-sum-exp, shaped as Q without its last \
        dimension; --scores bfloat16 rounds Q and K to bfloat16 for Q·Kᵀ (fused and naive \
        kernels).

        Inputs holding NaN or infinity, or float64 values beyond float32's range, are refused; \
        with --allow-nonfinite, NaN and infinity propagate to exactly the rows that see them.

        Examples:
          attune run --q q.npy --k k.npy --v v.npy --out o.npy
          attune run --random --n 2048 --d 64 --kernel simd --block-size 128
          attune run --random --batch 1 --heads 32 --kv-heads 8 --n 1 --nk 32768 --d 128
          attune run --q q.npy --k k.npy --v v.npy --causal bottom-right --lse lse.npy
        """)

    @Option(name: .customLong("q"), help: "Queries, an .npy file [Nq, dk].")
    var queryPath: String?

    @Option(name: .customLong("k"), help: "Keys, an .npy file [Nk, dk].")
    var keyPath: String?

    @Option(name: .customLong("v"), help: "Values, an .npy file [Nk, dv].")
    var valuePath: String?

    @Option(name: .customLong("out"), help: "Where to write O [Nq, dv] as float32 .npy.")
    var outputPath: String?

    @Flag(help: "Use standard normal random inputs instead of files.")
    var random = false

    @OptionGroup var sizes: RandomShapeOptions

    @OptionGroup var masking: MaskOptions

    @Option(
      help:
        "Additive bias (float) or boolean mask (.npy), broadcast to [B, H, Nq, Nk] as PyTorch's.")
    var bias: String?

    @Option(help: "Write each row's log-sum-exp [B, H, Nq] as float32 .npy.")
    var lse: String?

    @Option(
      help: ArgumentHelp(
        "Arithmetic of Q·Kᵀ: float32, or bfloat16 (Q and K rounded to bfloat16, products summed in float32; on AVX512-BF16 where the CPU has it).",
        valueName: "precision"))
    var scores: ScorePrecision = .float32

    @OptionGroup var instructionSetOption: InstructionSetOption

    @OptionGroup var kernelOptions: KernelOptions

    @OptionGroup var location: WisdomOptions

    @Flag(help: "Use the kernel's built-in defaults even when wisdom applies.")
    var noWisdom = false

    @Option(
      parsing: .unconditional,
      help: "Score scale, any finite number, 0 and negative ones included (default 1/√dk).")
    var scale: Float?

    @Flag(help: "Compute even when an input holds NaN or infinity.")
    var allowNonfinite = false

    @Option(
      name: .customLong("repeat"),
      help: "Time this many calls after the first, 1 to 10⁶, and report each.")
    var repeatCount = 1

    @Option(help: "Untimed calls before the timed ones (with --repeat; 0 to 10⁶).")
    var warmup = 0

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(
      help: ArgumentHelp(
        "Keep the inputs loaded and serve timing requests on stdin: each line holding a count C runs C calls and prints their mean seconds per call (used by scripts/bench/peer_benchmark.py).",
        visibility: .hidden))
    var serve = false

    @Flag(
      help: ArgumentHelp(
        "Benchmark reference: each call reads K and V once (a vector sum over --threads workers) instead of computing attention.",
        visibility: .hidden))
    var streamRead = false

    func validate() throws {
      let paths = [queryPath, keyPath, valuePath].compactMap { $0 }
      if random {
        guard paths.isEmpty else {
          throw ValidationError("--random and --q/--k/--v exclude each other")
        }
      } else {
        guard paths.count == 3 else {
          throw ValidationError("give --q, --k and --v (three .npy files), or --random")
        }
      }
      try sizes.check(random: random)
      _ = try masking.mask()
      try OptionLimits.count(repeatCount, "--repeat", 1...1_000_000)
      try OptionLimits.count(warmup, "--warmup", 0...1_000_000)
      if let scale, !scale.isFinite {
        throw ValidationError("--scale must be finite, got \(scale)")
      }
    }

    func run() throws {
      var kernel = try kernelOptions.make()
      try OutputFile.check(outputPath, lse)
      let inputs = try loadInputs()
      if !random {
        let held = Platform.floatBytes(inputs.q.count &+ inputs.k.count &+ inputs.v.count)
        let bytes = Platform.totalBytes(held, outputBytes(for: inputs.shape, half: inputs.isHalf))
        try ensure { () throws(AttentionError) in
          try Platform.checkMemory("the inputs and the output", bytes: bytes)
        }
      }
      let bias = try self.bias.map { try RunInputs.bias($0, for: inputs.shape) }
      var plan = "flags"
      let empty = inputs.shape.head.queries == 0 || inputs.shape.head.keys == 0
      if kernelOptions.choosesNothing && !empty {
        // As a library call with the planner's default level: wisdom when it applies.
        let planner = AttentionPlanner(wisdom: noWisdom ? nil : try? location.store())
        let chosen = try ensure { () throws(PlanningError) in
          try planner.plan(for: inputs.shape.head, level: noWisdom ? .estimate : .automatic)
        }
        printWarnings(chosen.warnings)
        kernel = chosen.kernel
        plan = chosen.reason
      }
      let mask = try masking.mask()
      let instructionSet = try instructionSetOption.resolved()
      let options = AttentionOptions(
        scale: scale, nonFiniteInputs: allowNonfinite ? .propagate : .reject, mask: mask,
        scorePrecision: scores, instructionSet: instructionSet)
      let call = Call(
        inputs: inputs, kernel: kernel, bias: bias, logSumExp: lse != nil, options: options,
        streamReadThreads: streamRead ? kernelOptions.threads ?? 2 : nil)
      let clock = ContinuousClock()
      var result = MultiHeadResult(output: [], logSumExp: nil)
      // The first call checks the inputs under the chosen policy; later ones skip the scan.
      let elapsed = try clock.measure { result = try call.run() }
      var samples = [elapsed.seconds]
      let unchecked = call.withoutChecks()
      if serve {
        try Self.serve(unchecked)
        return
      }
      if streamRead {
        throw ValidationError("--stream-read is a benchmark reference; use it with --serve")
      }
      if repeatCount > 1 || warmup > 0 {
        samples = try Self.time(unchecked, warmup: warmup, calls: repeatCount)
      }
      let seconds = samples.sorted()[samples.count / 2]
      let shape = inputs.shape
      let outputShape = inputs.leading + [shape.head.queries, shape.head.valueDim]
      // O and the log-sum-exp are written together: both, or neither.
      var outputs: [(bytes: [UInt8], path: String)] = []
      if let outputPath {
        let array = try ensure { () throws(NPYError) in
          try NPYArray(shape: outputShape, values: result.output)
        }
        outputs.append(
          (NPY.encode(array, as: inputs.isHalf ? .float16 : .float32), outputPath))
      }
      if let lse, let values = result.logSumExp {
        let array = try ensure { () throws(NPYError) in
          try NPYArray(shape: inputs.leading + [shape.head.queries], values: values)
        }
        outputs.append((NPY.encode(array), lse))
      }
      try OutputFile.write(outputs)
      let report = RunReport(
        kernel: kernel.name,
        settings: Dictionary(uniqueKeysWithValues: kernel.settings.map { ($0.name, $0.value) }),
        configuration: kernel.configurationDescription, plan: plan,
        inputs: random ? "random (seed \(sizes.seed))" : "files", batch: shape.batch,
        heads: shape.heads, kvHeads: shape.kvHeads, queries: shape.head.queries,
        keys: shape.head.keys, headDim: shape.head.headDim, valueDim: shape.head.valueDim,
        mask: RunReport.describe(mask), bias: self.bias, outputShape: outputShape,
        storage: inputs.isHalf ? "float16" : "float32",
        scores: RunReport.describe(scores, on: instructionSet),
        microKernels: instructionSet.entryName,
        scale: scale ?? shape.head.defaultScale, seconds: seconds,
        gflops: shape.flops / seconds / 1e9, samples: samples,
        medianInterval: samples.count > 1 ? try? ConfidenceInterval.median(samples) : nil,
        output: outputPath, logSumExp: lse)
      print(json ? try JSONOutput.string(report) : report.text)
    }

    /// One configured call: inputs, kernel, bias, options.
    struct Call {
      let inputs: RunInputs
      let kernel: any AttentionKernel
      let bias: AttentionBias?
      let logSumExp: Bool
      let options: AttentionOptions
      /// When set, a call reads K and V with this many threads instead (`--stream-read`).
      var streamReadThreads: Int?

      func run() throws -> MultiHeadResult {
        if let threads = streamReadThreads {
          let sum = StreamRead.sum([inputs.k, inputs.v], threads: threads)
          return MultiHeadResult(output: [sum], logSumExp: nil)
        }
        return try ensure { () throws(AttentionError) in
          try multiHeadAttention(
            q: inputs.q, k: inputs.k, v: inputs.v, shape: inputs.shape, kernel: kernel,
            options: options, bias: bias, logSumExp: logSumExp)
        }
      }

      /// The same call without the scan for non-finite inputs (done once already).
      func withoutChecks() -> Call {
        var options = options
        options.nonFiniteInputs = .propagate
        return Call(
          inputs: inputs, kernel: kernel, bias: bias, logSumExp: logSumExp, options: options,
          streamReadThreads: streamReadThreads)
      }
    }

    /// Times `calls` calls one by one after `warmup` untimed ones.
    private static func time(_ call: Call, warmup: Int, calls: Int) throws -> [Double] {
      let clock = ContinuousClock()
      var samples: [Double] = []
      for index in 0..<(warmup + calls) {
        let elapsed = try clock.measure { _ = try call.run() }
        if index >= warmup { samples.append(elapsed.seconds) }
      }
      return samples
    }

    /// Answers timing requests from stdin until it closes (see `--serve`).
    private static func serve(_ call: Call) throws {
      try ServeLoop.run { calls in
        let samples = try time(call, warmup: 0, calls: calls)
        return samples.reduce(0, +) / Double(samples.count)
      }
    }

    /// What the run holds besides its inputs: O, its `.npy` encoding when written, and the
    /// log-sum-exp (with its encoding).
    private func outputBytes(for shape: MultiHeadShape, half: Bool) -> Int {
      let output = Platform.floatBytes(shape.outputCount)
      let encoded = outputPath == nil ? 0 : half ? output / 2 : output
      let lse = self.lse == nil ? 0 : Platform.floatBytes(shape.logSumExpCount)
      return Platform.totalBytes(output, encoded, lse, lse)
    }

    /// Reads the three files, or draws random inputs.
    private func loadInputs() throws -> RunInputs {
      if random {
        let shape = sizes.shape
        return try RunInputs.random(
          shape, seed: sizes.seed, leading: sizes.keepsLeadingDimensions,
          outputBytes: outputBytes(for: shape, half: false))
      }
      guard let queryPath, let keyPath, let valuePath else {
        throw ValidationError("give --q, --k and --v (three .npy files), or --random")
      }
      return try RunInputs.load(q: queryPath, k: keyPath, v: valuePath)
    }
  }
}

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
    let qShape = lead ? "[\(batch), \(heads), \(queries), \(headDim)]" : "[\(queries), \(headDim)]"
    let kShape = lead ? "[\(batch), \(kvHeads), \(keys), \(headDim)]" : "[\(keys), \(headDim)]"
    let vShape = lead ? "[\(batch), \(kvHeads), \(keys), \(valueDim)]" : "[\(keys), \(valueDim)]"
    var lines = [
      "kernel  \(configuration)",
      "plan    \(plan)",
      "inputs  \(inputs): Q \(qShape)  K \(kShape)  V \(vShape)\(storage == "float16" ? " (float16)" : "")",
    ]
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
      "time    \(milliseconds) ms\(median ?? "")  (\(rate) GFLOP/s, FLOPs = 2·B·H·Nq·Nk·(dk+dv)\(mask == "none" ? "" : ", unmasked"))"
    )
    return lines.joined(separator: "\n")
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) * 1e-18
  }
}
