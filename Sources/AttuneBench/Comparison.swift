import AttuneKernels
import AttuneStats

/// A benchmark of attention kernels over a grid: kernels × shapes × block sizes, measured
/// interleaved by the `MeasurementEngine` on random inputs, with statistics against a baseline.
///
/// This is what `attune compare` runs, and how a Swift user benchmarks their own function against
/// the built-in kernels:
///
/// ```swift
/// var comparison = Comparison(shapes: [.square(tokens: 1024, headDim: 64)])
/// try comparison.add(builtIn: "naive")
/// try comparison.add(builtIn: "fused")
/// comparison.add(CustomAttention(name: "mine") { problem, output in /* … */ })
/// let result = try comparison.run()
/// print(result.table())
/// ```
public struct Comparison: Sendable {
  /// The problem sizes, each measured with every kernel.
  public var shapes: [AttentionShape]
  /// Block sizes for kernels that take one (`blockSize`, or `blockQ` for fused): one entry per
  /// size that does not exceed `Nq`. Empty means each kernel's default.
  public var blockSizes: [Int]
  /// The kernel whose time the speedups divide (default `naive`).
  public var baselineKernel: String
  /// Rounds, warm-up, calibration, seed.
  public var plan: MeasurementPlan
  /// A test hook: every built-in kernel passes through it before it is measured (`attune compare
  /// --test-slow` puts a deliberately slower stand-in in a kernel's place, so that a saved
  /// baseline's regression check can be shown to catch a known slowdown).
  package var substitute: (@Sendable (any AttentionKernel) -> any AttentionKernel)?

  private var choices: [Choice] = []

  private enum Choice: Sendable {
    case builtIn(KernelDescriptor, [String: Int])
    case fixed(any AttentionKernel)
  }

  /// A comparison of `shapes`, with no kernels yet.
  public init(
    shapes: [AttentionShape], blockSizes: [Int] = [], baselineKernel: String = "naive",
    plan: MeasurementPlan = MeasurementPlan()
  ) {
    self.shapes = shapes
    self.blockSizes = blockSizes
    self.baselineKernel = baselineKernel
    self.plan = plan
  }

  /// Adds a built-in kernel; `parameters` fix values for every entry (such as `threads`), and the
  /// grid's block sizes vary its block parameter.
  ///
  /// - Throws: `AttentionError` for an unknown kernel or parameter, or an invalid value.
  public mutating func add(builtIn name: String, parameters: [String: Int] = [:])
    throws(AttentionError)
  {
    let descriptor = try KernelCatalog.descriptor(named: name)
    _ = try descriptor.make(parameters)  // reject bad values now, not mid-run
    choices.append(.builtIn(descriptor, parameters))
  }

  /// Adds a kernel as it is (a user's function, or a configured built-in): one entry per shape.
  public mutating func add(_ kernel: any AttentionKernel) { choices.append(.fixed(kernel)) }

  /// The kernel instances to measure at `shape`, each with its grid block size.
  func kernels(for shape: AttentionShape) throws(AttentionError) -> [(any AttentionKernel, Int?)] {
    var result: [(any AttentionKernel, Int?)] = []
    for choice in choices {
      switch choice {
      case .fixed(let kernel):
        result.append((kernel, nil))
      case .builtIn(let descriptor, let parameters):
        let names = descriptor.parameters.map(\.name)
        guard let block = ["blockSize", "blockQ"].first(where: names.contains),
          parameters[block] == nil, !blockSizes.isEmpty
        else {
          let kernel = try descriptor.make(parameters)
          let block = kernel.settings.first { $0.name == "blockSize" || $0.name == "blockQ" }
          result.append((substituted(kernel), block?.value))
          continue
        }
        let sizes = blockSizes.filter { $0 <= shape.queries }
        for size in sizes.isEmpty ? [shape.queries] : sizes {
          var values = parameters
          values[block] = size
          result.append((substituted(try descriptor.make(values)), size))
        }
      }
    }
    return result
  }

  /// `kernel`, or what `substitute` puts in its place.
  private func substituted(_ kernel: any AttentionKernel) -> any AttentionKernel {
    substitute?(kernel) ?? kernel
  }

  /// Measures every entry and computes the statistics.
  ///
  /// - Parameters:
  ///   - engine: The engine (its clock); the system clock by default.
  ///   - progress: Called after each unit of work.
  /// - Returns: Every entry, every raw sample, the statistics and the machine's description.
  /// - Throws: `ComparisonError.wrongOutput` for a kernel of yours whose output disagrees with
  ///   the naive kernel's, `AttentionError` for an invalid shape or parameters, or scratch beyond the
  ///   machine's memory; `StatsError` only if no sample could be taken.
  public func run(
    engine: MeasurementEngine = MeasurementEngine(),
    progress: (MeasurementProgress) -> Void = { _ in }
  ) throws -> ComparisonReport {
    var entries: [ComparisonEntry] = []
    var candidates: [Candidate] = []
    var labels: [String: Int] = [:]
    // Every shape's inputs and output with each kernel's scratch, checked before anything is
    // drawn (drawing 10⁸ random inputs takes seconds before a scratch check would refuse).
    for shape in shapes {
      try Workspace.checkMemory(for: shape, kernels: try kernels(for: shape).map(\.0))
    }
    for (shapeIndex, shape) in shapes.enumerated() {
      let workspace = try Workspace(shape: shape, seed: plan.seed &+ UInt64(shapeIndex))
      let shapeKernels = try kernels(for: shape)
      try Self.checkOutputs(of: shapeKernels.map(\.0), on: workspace)
      for (kernel, block) in shapeKernels {
        try Platform.checkMemory(
          "the \(kernel.name) kernel's scratch at \(shape)", bytes: kernel.scratchBytes(for: shape))
        var label = kernel.configurationDescription
        labels[label, default: 0] += 1
        if let seen = labels[label], seen > 1 { label += "#\(seen)" }
        let isBuiltIn = KernelCatalog.names.contains(kernel.name)
        candidates.append(
          Candidate(
            name: "\(label) \(shape)",
            refresh: { seed in workspace.refresh(seed: seed) },
            measureMemory: {
              isBuiltIn ? workspace.allocatedBytes(kernel) : workspace.rssGrowth(kernel)
            },
            run: { workspace.run(kernel) }))
        entries.append(
          ComparisonEntry(
            label: label, kernel: kernel.name, settings: kernel.settings, blockSize: block,
            shape: shape, flops: shape.flops, iterations: 0,
            declaredScratchBytes: kernel.scratchBytes(for: shape), measuredMemoryBytes: nil,
            memorySource: isBuiltIn ? "allocated" : "peakRSSGrowth"))
      }
      labels = [:]
    }
    let measurement = engine.measure(candidates, plan: plan, progress: progress)
    let measured = entries.enumerated().map { index, entry in
      ComparisonEntry(
        label: entry.label, kernel: entry.kernel, settings: entry.settings,
        blockSize: entry.blockSize, shape: entry.shape, flops: entry.flops,
        iterations: measurement.iterations[index], declaredScratchBytes: entry.declaredScratchBytes,
        measuredMemoryBytes: measurement.memoryBytes[index], memorySource: entry.memorySource)
    }
    return try ComparisonReport(
      machine: .current(), plan: plan, baselineKernel: baselineKernel, entries: measured,
      measurement: measurement)
  }

  /// Runs each kernel that is not built in once and compares its output with the naive
  /// kernel's on the same inputs: a function that does not compute attention (an empty closure
  /// "1,000,000× faster") is refused before it is timed. Built-in kernels are checked against a
  /// Float64 oracle by the test suite instead, so they cost no extra naive call here.
  ///
  /// Tolerance: |o − reference| ≤ 1e-3 · (1 + |reference|) for every element, far above float32
  /// kernels' own error (about 1e-6 here) and far below a wrong result's.
  static func checkOutputs(of kernels: [any AttentionKernel], on workspace: Workspace)
    throws(ComparisonError)
  {
    let custom = kernels.filter { !KernelCatalog.names.contains($0.name) }
    guard !custom.isEmpty else { return }
    let reference = workspace.output(of: NaiveAttention())
    for kernel in custom {
      let output = workspace.output(of: kernel)
      var worst = 0.0
      var index = 0
      for (position, (value, expected)) in zip(output, reference).enumerated() {
        let error = abs(Double(value) - Double(expected))
        let allowed = 1e-3 * (1 + abs(Double(expected)))
        if !(error <= allowed) && (error / allowed > worst || error.isNaN) {
          worst = error.isNaN ? .infinity : error / allowed
          index = position
        }
      }
      if worst > 0 {
        throw .wrongOutput(
          kernel: kernel.configurationDescription, shape: workspace.shape, element: index,
          value: Double(output[index]), expected: Double(reference[index]))
      }
    }
  }
}
