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
          attune run --random --heads 32 --kv-heads 8 --n 1 --nk 32768 --d 128
          attune run --q q.npy --k k.npy --v v.npy --causal bottom-right --lse lse.npy
          attune run --random --lengths 64:2048 --batch 16 --heads 8 --padded
          attune run --random --lengths 512:4096 --batch 8 --n 1 --kv-storage int8
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

    @Option(help: "Value width with --random (default: --d).")
    var dv: Int?

    @OptionGroup var masking: MaskOptions

    @OptionGroup(title: "Ragged batches and the KV cache") var batching: RaggedOptions

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
        "Keep the inputs loaded and serve timing requests on stdin: each line holding a count C runs C calls and prints their mean seconds per call; with --kv-storage, a line 'read C' times C streaming reads of the cache's pages instead (used by scripts/bench).",
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
      try sizes.check(random: random, valueDim: ("--dv", dv))
      let mask = try masking.mask()
      try batching.check(random: random, mask: mask)
      if batching.isRagged {
        for (flag, given) in [("--bias", bias != nil), ("--lse", lse != nil)] where given {
          throw ValidationError("\(flag) does not go with a ragged batch")
        }
      }
      try OptionLimits.count(repeatCount, "--repeat", 1...1_000_000)
      try OptionLimits.count(warmup, "--warmup", 0...1_000_000)
      if let scale, !scale.isFinite {
        throw ValidationError("--scale must be finite, got \(scale)")
      }
    }

    func run() throws {
      if batching.isRagged {
        try runRagged()
        return
      }
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
        streamRead: streamRead
          ? try ensure { () throws(AttentionError) in
            try StreamRead([inputs.k, inputs.v], threads: kernelOptions.threads ?? 2)
          } : nil)
      let unchecked = call.withoutChecks()
      guard
        let (result, samples) = try measured(first: call.run, later: { _ = try unchecked.run() })
      else { return }
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
        let shape = sizes.shape(valueDim: dv)
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
