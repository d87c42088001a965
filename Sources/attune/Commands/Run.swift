import ArgumentParser
import AttuneKernels
import AttuneNPY
import AttunePlanner
import Foundation

extension Attune {
  /// `attune run`: attention on `.npy` tensors or random ones, timed.
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compute attention on .npy tensors (or random ones) and time it.",
      discussion: """
        Q is [Nq, dk], K is [Nk, dk] and V is [Nk, dv] (leading dimensions of size 1 are allowed, as
        in [1, 1, N, d]); .npy files of float32 or float64, in C order. The output is written as
        float32 with Q's leading dimensions. Inputs holding NaN or infinity are refused unless
        --allow-nonfinite is given, in which case they propagate to the rows they touch.

        Examples:
          attune run --q q.npy --k k.npy --v v.npy --out o.npy
          attune run --random --n 2048 --d 64 --kernel simd --block-size 128
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

    @Option(help: "Query rows with --random (default 2048).")
    var n: Int?

    @Option(help: "Key rows with --random (default: --n).")
    var nk: Int?

    @Option(help: "Query and key width with --random (default 64).")
    var d: Int?

    @Option(help: "Value width with --random (default: --d).")
    var dv: Int?

    @Option(help: "Seed of the random inputs.")
    var seed: UInt64 = 1

    @OptionGroup var kernelOptions: KernelOptions

    @OptionGroup var location: WisdomOptions

    @Flag(help: "Use the kernel's built-in defaults even when wisdom applies.")
    var noWisdom = false

    @Option(help: "Score scale (default 1/√dk).")
    var scale: Float?

    @Flag(help: "Compute even when an input holds NaN or infinity.")
    var allowNonfinite = false

    @Option(
      name: .customLong("repeat"),
      help: "Time this many calls after the first and report each (inputs are checked once).")
    var repeatCount = 1

    @Option(help: "Untimed calls before the timed ones (with --repeat).")
    var warmup = 0

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(
      help: ArgumentHelp(
        "Keep the inputs loaded and serve timing requests on stdin: each line holding a count C runs C calls and prints their mean seconds per call (used by scripts/peer_benchmark.py).",
        visibility: .hidden))
    var serve = false

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
        for (flag, value) in [("--n", n), ("--nk", nk), ("--d", d), ("--dv", dv)] where value != nil
        {
          throw ValidationError("\(flag) goes with --random; with files the sizes come from them")
        }
      }
      for (flag, value) in [("--n", n), ("--nk", nk), ("--d", d), ("--dv", dv)] {
        if let value, value < 1 {
          throw ValidationError("\(flag) must be at least 1, got \(value)")
        }
      }
      guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1") }
      guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
      if let scale, !(scale.isFinite && scale > 0) {
        throw ValidationError("--scale must be finite and positive, got \(scale)")
      }
    }

    func run() throws {
      var kernel = try kernelOptions.make()
      if let outputPath {
        try ensure { () throws(NPYError) in try FileIO.checkWritable(path: outputPath) }
      }
      let (inputs, leading) = try loadInputs()
      var plan = "flags"
      if kernelOptions.choosesNothing {
        // As a library call with the planner's default level: wisdom when it applies.
        let planner = AttentionPlanner(wisdom: noWisdom ? nil : try? location.store())
        let chosen = try ensure { () throws(PlanningError) in
          try planner.plan(for: inputs.shape, level: noWisdom ? .estimate : .automatic)
        }
        printWarnings(chosen.warnings)
        kernel = chosen.kernel
        plan = chosen.reason
      }
      let options = AttentionOptions(
        scale: scale, nonFiniteInputs: allowNonfinite ? .propagate : .reject)
      let clock = ContinuousClock()
      var output: [Float] = []
      // The first call checks the inputs under the chosen policy; later ones skip the scan.
      let elapsed = try clock.measure {
        output = try ensure { () throws(AttentionError) in
          try inputs.run(kernel, options: options)
        }
      }
      var samples = [elapsed.seconds]
      if serve {
        try Self.serve(kernel, inputs, output: &output, options: options)
        return
      }
      if repeatCount > 1 || warmup > 0 {
        samples = try Self.time(
          kernel, inputs, output: &output, warmup: warmup, calls: repeatCount,
          options: AttentionOptions(scale: scale, nonFiniteInputs: .propagate))
      }
      let seconds = samples.sorted()[samples.count / 2]
      let shape = inputs.shape
      let outputShape = leading + [shape.queries, shape.valueDim]
      if let outputPath {
        try ensure { () throws(NPYError) in
          try NPY.write(NPYArray(shape: outputShape, values: output), path: outputPath)
        }
      }
      let report = RunReport(
        kernel: kernel.name,
        settings: Dictionary(uniqueKeysWithValues: kernel.settings.map { ($0.name, $0.value) }),
        configuration: kernel.configurationDescription, plan: plan,
        inputs: random ? "random (seed \(seed))" : "files",
        queries: shape.queries, keys: shape.keys, headDim: shape.headDim, valueDim: shape.valueDim,
        outputShape: outputShape,
        scale: scale ?? shape.defaultScale, seconds: seconds, gflops: shape.flops / seconds / 1e9,
        samples: samples, output: outputPath)
      print(json ? try JSONOutput.string(report) : report.text)
    }

    /// Times `calls` calls of `kernel` one by one after `warmup` untimed ones, writing into `output`.
    private static func time(
      _ kernel: any AttentionKernel, _ inputs: AttentionInputs, output: inout [Float],
      warmup: Int, calls: Int, options: AttentionOptions
    ) throws -> [Double] {
      let clock = ContinuousClock()
      var samples: [Double] = []
      try inputs.q.withUnsafeBufferPointer { q in
        try inputs.k.withUnsafeBufferPointer { k in
          try inputs.v.withUnsafeBufferPointer { v in
            try output.withUnsafeMutableBufferPointer { o in
              for call in 0..<(warmup + calls) {
                let elapsed = try clock.measure {
                  try ensure { () throws(AttentionError) in
                    try attention(
                      q: q, k: k, v: v, shape: inputs.shape, into: o, kernel: kernel,
                      options: options)
                  }
                }
                if call >= warmup { samples.append(elapsed.seconds) }
              }
            }
          }
        }
      }
      return samples
    }

    /// Answers timing requests from stdin until it closes (see `--serve`).
    private static func serve(
      _ kernel: any AttentionKernel, _ inputs: AttentionInputs, output: inout [Float],
      options: AttentionOptions
    ) throws {
      emit("ready")
      while let line = readLine() {
        guard let calls = Int(line.trimmingCharacters(in: .whitespaces)), calls >= 1 else {
          throw CommandError("--serve expects a positive call count per line, got '\(line)'")
        }
        let samples = try time(
          kernel, inputs, output: &output, warmup: 0, calls: calls,
          options: AttentionOptions(scale: options.scale, nonFiniteInputs: .propagate))
        emit(String(samples.reduce(0, +) / Double(samples.count)))
      }
    }

    /// Writes a line to stdout at once (`print` would buffer it in a pipe).
    private static func emit(_ line: String) {
      FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Reads the three files, or draws random inputs; returns them and Q's leading dimensions.
    private func loadInputs() throws -> (AttentionInputs, [Int]) {
      if random {
        let n = self.n ?? 2048
        let d = self.d ?? 64
        let shape = AttentionShape(queries: n, keys: nk ?? n, headDim: d, valueDim: dv ?? d)
        let inputs = try ensure { () throws(AttentionError) in
          try AttentionInputs.random(shape: shape, seed: seed)
        }
        return (inputs, [])
      }
      guard let queryPath, let keyPath, let valuePath else {
        throw ValidationError("give --q, --k and --v (three .npy files), or --random")
      }
      let q = try Self.matrix("Q", queryPath)
      let k = try Self.matrix("K", keyPath)
      let v = try Self.matrix("V", valuePath)
      guard q.columns == k.columns else {
        throw CommandError(
          "Q is \(q.array.shapeDescription) and K is \(k.array.shapeDescription): their last dimensions (dk) must match"
        )
      }
      guard k.rows == v.rows else {
        throw CommandError(
          "K is \(k.array.shapeDescription) and V is \(v.array.shapeDescription): they need the same number of rows (Nk)"
        )
      }
      let shape = AttentionShape(
        queries: q.rows, keys: k.rows, headDim: q.columns, valueDim: v.columns)
      return (
        AttentionInputs(q: q.array.values, k: k.array.values, v: v.array.values, shape: shape),
        Array(q.array.shape.dropLast(2))
      )
    }

    /// An `.npy` file read as a matrix `[rows, columns]`: rank 2, or higher with leading 1s.
    private static func matrix(_ name: String, _ path: String) throws -> (
      array: NPYArray, rows: Int, columns: Int
    ) {
      let array: NPYArray
      do {
        array = try NPY.read(path: path)
      } catch {
        throw CommandError("\(name) (\(path)): \(error)")
      }
      guard array.shape.count >= 2, array.shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
        throw CommandError(
          "\(name) (\(path)) has shape \(array.shapeDescription); expected [N, d] (batches and heads come later: leading dimensions must be 1)"
        )
      }
      let rows = array.shape[array.shape.count - 2]
      let columns = array.shape[array.shape.count - 1]
      guard rows >= 1, columns >= 1 else {
        throw CommandError("\(name) (\(path)) is empty: shape \(array.shapeDescription)")
      }
      return (array, rows, columns)
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
  let queries: Int
  let keys: Int
  let headDim: Int
  let valueDim: Int
  let outputShape: [Int]
  let scale: Float
  let seconds: Double
  let gflops: Double
  let samples: [Double]
  let output: String?

  var text: String {
    let milliseconds = (seconds * 1e3 * 1000).rounded() / 1000
    let rate = (gflops * 10).rounded() / 10
    return """
      kernel  \(configuration)
      plan    \(plan)
      inputs  \(inputs): Q [\(queries), \(headDim)]  K [\(keys), \(headDim)]  V [\(keys), \(valueDim)]
      output  O \(outputShape)\(output.map { " -> \($0)" } ?? "")
      time    \(milliseconds) ms\(samples.count > 1 ? " (median of \(samples.count) calls)" : "")  (\(rate) GFLOP/s, FLOPs = 2·Nq·Nk·(dk+dv))
      """
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) * 1e-18
  }
}
