import ArgumentParser
import AttuneKernels
import AttuneNPY
import AttuneStats
import Foundation

extension Attune {
  /// `attune backward`: attention's gradients dQ, dK, dV on `.npy` tensors or random ones, timed.
  struct Backward: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compute attention's gradients dQ, dK, dV on .npy tensors (or random ones).",
      discussion: """
        Q, K, V are laid out as for attune run ([N, d], [H, N, d] or [B, H, N, d], grouped-query \
        heads allowed); --grad-output is dL/dO, shaped as O. --out and --lse give the forward's \
        output and log-sum-exp (as attune run --out --lse writes them); without them the \
        forward runs first. dQ, dK and dV are written with Q's, K's and V's shapes, float16 \
        when Q, K and V all are, else float32, all three or none.

        With --random, Q, K, V and dL/dO are standard normal; --repeat times the backward alone \
        (the forward's O and log-sum-exp computed once) and reports the median. FLOPs are \
        counted as 2·B·H·Nq·Nk·(3·dk + 2·dv) (five products; unmasked); --step times the forward \
        and the backward together (seven products).

        Examples:
          attune backward --q q.npy --k k.npy --v v.npy --grad-output do.npy \\
              --dq dq.npy --dk dk.npy --dv dv.npy --causal top-left
          attune backward --random --n 2048 --d 64 --repeat 10 --json
        """)

    @Option(name: .customLong("q"), help: "Queries, an .npy file [Nq, dk].")
    var queryPath: String?

    @Option(name: .customLong("k"), help: "Keys, an .npy file [Nk, dk].")
    var keyPath: String?

    @Option(name: .customLong("v"), help: "Values, an .npy file [Nk, dv].")
    var valuePath: String?

    @Option(help: "dL/dO, an .npy file shaped as O [Nq, dv].")
    var gradOutput: String?

    @Option(name: .customLong("out"), help: "The forward's O (.npy), with --lse.")
    var outputPath: String?

    @Option(help: "The forward's log-sum-exp (.npy, Q's shape without its last dimension).")
    var lse: String?

    @Option(help: "Where to write dQ (.npy).")
    var dq: String?

    @Option(help: "Where to write dK (.npy).")
    var dk: String?

    @Option(help: "Where to write dV (.npy).")
    var dv: String?

    @Flag(help: "Use standard normal random Q, K, V and dL/dO instead of files.")
    var random = false

    @OptionGroup var sizes: RandomShapeOptions

    @Option(help: "Value width with --random (default: --d). (--dv names dV's file.)")
    var valueDim: Int?

    @OptionGroup var masking: MaskOptions

    @Option(help: "The forward's additive bias or boolean mask (.npy), as for attune run.")
    var bias: String?

    @Option(help: "Backward kernel: fused (FlashAttention-2's tiles) or naive (whole matrices).")
    var kernel = "fused"

    @Option(help: "Query rows per tile (fused; default 64).")
    var blockQ: Int?

    @Option(help: "Keys per tile (fused; default 64).")
    var blockK: Int?

    @Option(help: "Worker threads (fused and the forward; default: active processors).")
    var threads: Int?

    @Option(
      parsing: .unconditional,
      help: "Score scale, any finite number (default 1/√dk), as in the forward.")
    var scale: Float?

    @OptionGroup var instructionSetOption: InstructionSetOption

    @Option(
      name: .customLong("repeat"),
      help: "Time this many backward calls after the first, 1 to 10⁶, and report the median.")
    var repeatCount = 1

    @Option(help: "Untimed backward calls before the timed ones (0 to 10⁶).")
    var warmup = 0

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(
      help:
        "Time a training step's attention: each timed call runs the forward (O and its log-sum-exp) and then the backward."
    )
    var step = false

    @Flag(
      help: ArgumentHelp(
        "Keep the inputs loaded and serve timing requests on stdin as attune run --serve (used by scripts/bench/backward_benchmark.py).",
        visibility: .hidden))
    var serve = false

    func validate() throws {
      let files = [queryPath, keyPath, valuePath, gradOutput, outputPath, lse].compactMap { $0 }
      if random {
        guard files.isEmpty else {
          throw ValidationError("--random excludes --q, --k, --v, --grad-output, --out and --lse")
        }
      } else {
        guard queryPath != nil, keyPath != nil, valuePath != nil, gradOutput != nil else {
          throw ValidationError(
            "give --q, --k, --v and --grad-output (.npy files), or --random")
        }
      }
      guard (outputPath == nil) == (lse == nil) else {
        throw ValidationError("--out and --lse go together: the forward's O and log-sum-exp")
      }
      try sizes.check(random: random, valueDim: ("--value-dim", valueDim))
      _ = try masking.mask()
      _ = try backwardKernel()
      try OptionLimits.count(repeatCount, "--repeat", 1...1_000_000)
      try OptionLimits.count(warmup, "--warmup", 0...1_000_000)
      if let scale, !scale.isFinite {
        throw ValidationError("--scale must be finite, got \(scale)")
      }
    }

    /// The backward kernel the flags describe.
    func backwardKernel() throws -> any AttentionBackwardKernel {
      switch kernel {
      case "naive":
        for (flag, value) in [("--block-q", blockQ), ("--block-k", blockK)] where value != nil {
          throw ValidationError("\(flag) applies to the fused backward kernel only")
        }
        return NaiveBackward()
      case "fused":
        let defaults = FusedBackward()
        do throws(AttentionError) {
          return try FusedBackward(
            blockQ: blockQ ?? defaults.blockQ, blockK: blockK ?? defaults.blockK,
            threads: threads ?? defaults.threads)
        } catch {
          throw ValidationError(error.description)
        }
      default:
        throw ValidationError("--kernel: no backward kernel '\(kernel)'; give fused or naive")
      }
    }

    func run() throws {
      let backward = try backwardKernel()
      try OutputFile.check(dq, dk, dv)
      let inputs = try loadInputs()
      let shape = inputs.shape
      let gradient = try loadGradOutput(for: inputs)
      let bias = try self.bias.map { try RunInputs.bias($0, for: shape) }
      let instructionSet = try instructionSetOption.resolved()
      let options = AttentionOptions(
        scale: scale, mask: try masking.mask(), instructionSet: instructionSet)
      let (output, logSumExp) = try forwardResults(
        inputs, options: options, bias: bias, reading: true)
      func call(_ options: AttentionOptions) throws -> AttentionGradients {
        try ensure { () throws(AttentionError) in
          try multiHeadAttentionBackward(
            q: inputs.q, k: inputs.k, v: inputs.v, output: output, logSumExp: logSumExp,
            gradOutput: gradient, shape: shape, kernel: backward, options: options, bias: bias)
        }
      }
      let clock = ContinuousClock()
      var gradients = AttentionGradients(dq: [], dk: [], dv: [])
      // The first call checks every input; the timed ones skip the scan.
      var samples = [try clock.measure { gradients = try call(options) }.seconds]
      var unchecked = options
      unchecked.nonFiniteInputs = .propagate
      /// One timed call: the backward, or with --step the forward and then the backward.
      func timed() throws {
        if step { _ = try forwardResults(inputs, options: unchecked, bias: bias, reading: false) }
        _ = try call(unchecked)
      }
      if serve {
        try ServeLoop.run { calls in
          let total = try clock.measure { for _ in 0..<calls { try timed() } }
          return total.seconds / Double(calls)
        }
        return
      }
      if repeatCount > 1 || warmup > 0 || step {
        samples = []
        for index in 0..<(warmup + repeatCount) {
          let elapsed = try clock.measure { try timed() }
          if index >= warmup { samples.append(elapsed.seconds) }
        }
      }
      try writeGradients(gradients, inputs: inputs)
      let seconds = samples.sorted()[samples.count / 2]
      let head = shape.head
      let flops =
        2 * Double(shape.batch * shape.heads) * Double(head.queries) * Double(head.keys)
        * Double(3 * head.headDim + 2 * head.valueDim + (step ? head.headDim + head.valueDim : 0))
      let report = BackwardReport(
        kernel: backward.name, inputs: random ? "random (seed \(sizes.seed))" : "files",
        batch: shape.batch, heads: shape.heads, kvHeads: shape.kvHeads, queries: head.queries,
        keys: head.keys, headDim: head.headDim, valueDim: head.valueDim,
        mask: RunReport.describe(options.mask), bias: self.bias,
        forward: step ? "timed with the backward" : outputPath == nil ? "computed" : "read",
        microKernels: instructionSet.entryName, scale: scale ?? head.defaultScale,
        scratchBytes: backwardScratchBytes(shape: shape, kernel: backward, bias: bias),
        seconds: seconds, gflops: flops / seconds / 1e9, samples: samples,
        medianInterval: samples.count > 1 ? try? ConfidenceInterval.median(samples) : nil,
        dq: dq, dk: dk, dv: dv)
      print(json ? try JSONOutput.string(report) : report.text)
    }

    /// Q, K and V from their files, or random.
    private func loadInputs() throws -> RunInputs {
      if random {
        return try RunInputs.random(
          sizes.shape(valueDim: valueDim), seed: sizes.seed, leading: sizes.keepsLeadingDimensions)
      }
      guard let queryPath, let keyPath, let valuePath else {
        throw ValidationError("give --q, --k, --v and --grad-output (.npy files), or --random")
      }
      return try RunInputs.load(q: queryPath, k: keyPath, v: valuePath)
    }

    /// dL/dO from its file (shaped as O), or random.
    private func loadGradOutput(for inputs: RunInputs) throws -> [Float] {
      let count = inputs.shape.outputCount
      guard let gradOutput else {
        return StandardNormals.draw(count: count, seed: sizes.seed, stream: 3)
      }
      return try Self.read(
        "dL/dO (--grad-output)", gradOutput,
        shape: inputs.leading + [inputs.shape.head.queries, inputs.shape.head.valueDim])
    }

    /// The forward's O and log-sum-exp: read (`--out`, `--lse`, when `reading`) or computed.
    private func forwardResults(
      _ inputs: RunInputs, options: AttentionOptions, bias: AttentionBias?, reading: Bool
    ) throws -> (output: [Float], logSumExp: [Float]) {
      let head = inputs.shape.head
      if reading, let outputPath, let lse {
        return (
          try Self.read(
            "O (--out)", outputPath, shape: inputs.leading + [head.queries, head.valueDim]),
          try Self.read("the log-sum-exp (--lse)", lse, shape: inputs.leading + [head.queries])
        )
      }
      let forward = try ensure { () throws(AttentionError) -> MultiHeadResult in
        var kernel = FusedAttention()
        if let threads {
          kernel = try FusedAttention(
            blockQ: kernel.blockQ, blockK: kernel.blockK, threads: threads)
        }
        return try multiHeadAttention(
          q: inputs.q, k: inputs.k, v: inputs.v, shape: inputs.shape, kernel: kernel,
          options: options, bias: bias, logSumExp: true)
      }
      return (forward.output, forward.logSumExp ?? [])
    }

    /// A float tensor of exactly `shape` (a log-sum-exp may hold −∞).
    private static func read(_ name: String, _ path: String, shape: [Int]) throws -> [Float] {
      let array: NPYArray
      do { array = try NPY.read(path: path) } catch {
        throw CommandError("\(name) (\(path)): \(error)")
      }
      guard array.shape == shape, array.storedType != .bool else {
        throw CommandError(
          "\(name) (\(path)) has shape \(array.shapeDescription) of \(array.storedType.rawValue); expected floats of shape \(shape)"
        )
      }
      if let outside = array.firstOutOfRange, outside.value > 0 || !name.contains("log-sum-exp") {
        throw RunInputs.outOfRange(outside, name, path)
      }
      return array.values
    }

    /// dQ, dK and dV with Q's, K's and V's shapes, written together.
    private func writeGradients(_ gradients: AttentionGradients, inputs: RunInputs) throws {
      let shape = inputs.shape
      let head = shape.head
      let kvLeading = inputs.leading.isEmpty ? [] : inputs.leading.dropLast() + [shape.kvHeads]
      var outputs: [(bytes: [UInt8], path: String)] = []
      for (path, values, dims) in [
        (dq, gradients.dq, inputs.leading + [head.queries, head.headDim]),
        (dk, gradients.dk, kvLeading + [head.keys, head.headDim]),
        (dv, gradients.dv, kvLeading + [head.keys, head.valueDim]),
      ] {
        guard let path else { continue }
        let array = try ensure { () throws(NPYError) in
          try NPYArray(shape: dims, values: values)
        }
        outputs.append((NPY.encode(array, as: inputs.isHalf ? .float16 : .float32), path))
      }
      try OutputFile.write(outputs)
    }
  }
}

/// What `attune backward` prints.
struct BackwardReport: Encodable {
  let kernel: String
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
  /// `read` (from --out and --lse) or `computed`.
  let forward: String
  let microKernels: String
  let scale: Float
  /// The most memory the backward holds at once beyond its inputs and gradients (the kernel's
  /// declared scratch, equal to its measured peak in MemoryAccountingTests).
  let scratchBytes: Int
  /// The median time of one backward call.
  let seconds: Double
  let gflops: Double
  let samples: [Double]
  let medianInterval: ConfidenceInterval?
  let dq: String?
  let dk: String?
  let dv: String?

  var text: String {
    let ms = RunReport.milliseconds(seconds)
    let rate = (gflops * 10).rounded() / 10
    var lines = [
      "kernel  \(kernel) backward",
      "inputs  \(inputs): B=\(batch) H=\(heads) Hkv=\(kvHeads) Nq=\(queries) Nk=\(keys) dk=\(headDim) dv=\(valueDim); forward \(forward)",
    ]
    if mask != "none" || bias != nil {
      lines.append("mask    \(mask)\(bias.map { ", bias \($0)" } ?? "")")
    }
    let written = [("dQ", dq), ("dK", dk), ("dV", dv)].compactMap { name, path in
      path.map { "\(name) -> \($0)" }
    }
    if !written.isEmpty { lines.append("grads   \(written.joined(separator: "  "))") }
    lines.append("cpu     \(microKernels) micro-kernels")
    let median = medianInterval.map { interval in
      " [\(RunReport.milliseconds(interval.lower)), \(RunReport.milliseconds(interval.upper))] (median of \(samples.count) calls, its \(interval.levelPercent)% interval)"
    }
    lines.append("time    \(ms) ms\(median ?? "")  (\(rate) GFLOP/s)")
    let mib = (Double(scratchBytes) / 1_048_576 * 10).rounded() / 10
    lines.append("memory  \(mib) MiB of scratch beyond the inputs and gradients")
    return lines.joined(separator: "\n")
  }
}
