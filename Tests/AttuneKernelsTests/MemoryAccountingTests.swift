import AttuneKernels
import Testing

/// Each kernel's declared scratch (`scratchBytes(for:)`, which the memory guard relies on) against
/// what it really allocates, counted by an allocation tracker during the call.
struct MemoryAccountingTests {
  static let shapes = [
    AttentionShape(queries: 1, keys: 1, headDim: 1),
    AttentionShape(queries: 65, keys: 130, headDim: 72, valueDim: 40),
    AttentionShape(queries: 300, keys: 257, headDim: 64),
  ]

  func peak(_ kernel: any AttentionKernel, _ shape: AttentionShape) throws -> Int {
    let inputs = try AttentionInputs.random(shape: shape, seed: 1)
    var output = [Float](repeating: 0, count: shape.outputCount)
    let tracker = AllocationTracker()
    inputs.q.withUnsafeBufferPointer { q in
      inputs.k.withUnsafeBufferPointer { k in
        inputs.v.withUnsafeBufferPointer { v in
          output.withUnsafeMutableBufferPointer { o in
            guard
              var problem = try? AttentionProblem(
                q: q, k: k, v: v, shape: shape, scale: shape.defaultScale)
            else { return }
            problem.allocationTracker = tracker
            kernel.compute(problem, into: o)
          }
        }
      }
    }
    return tracker.peakBytes
  }

  @Test("on one thread, the measured peak equals the declared scratch", arguments: shapes)
  func oneThread(shape: AttentionShape) throws {
    let kernels: [any AttentionKernel] = [
      NaiveAttention(), try BlockedAttention(blockSize: 48),
      try ParallelAttention(blockSize: 48, threads: 1),
      try SIMDAttention(blockSize: 48, threads: 1),
      try FusedAttention(blockQ: 48, blockK: 80, threads: 1),
    ]
    for kernel in kernels {
      #expect(
        try peak(kernel, shape) == kernel.scratchBytes(for: shape),
        "\(kernel.configurationDescription) at \(shape)")
    }
  }

  @Test("with two threads, never more than declared")
  func twoThreads() throws {
    let shape = AttentionShape(queries: 300, keys: 257, headDim: 64)
    for name in ["parallel", "simd", "fused"] {
      let kernel = try KernelCatalog.make(name, ["threads": 2])
      let measured = try peak(kernel, shape)
      #expect(measured > 0 && measured <= kernel.scratchBytes(for: shape), "\(name)")
    }
  }

  @Test("the fused kernel's scratch does not grow with Nq × Nk")
  func fusedIsLinear() throws {
    let kernel = try FusedAttention(blockQ: 64, blockK: 512, threads: 2)
    let shape = AttentionShape(queries: 4096, keys: 4096, headDim: 64)
    let measured = try peak(kernel, shape)
    // Packed K (1 MiB) plus two workers' tiles (about 0.3 MiB): far below the 64 MiB score matrix.
    #expect(measured < 2 << 20)
    #expect(measured < shape.queries * shape.keys * 4 / 32)
  }

  /// The fused backward's tracked peak for one call on `shape` (O, its log-sum-exp and dO are
  /// placeholders: the scratch does not depend on their values).
  func backwardPeak(_ kernel: FusedBackward, _ shape: AttentionShape) throws -> Int {
    let inputs = try AttentionInputs.random(shape: shape, seed: 2)
    let output = [Float](repeating: 0.5, count: shape.outputCount)
    let lse = [Float](repeating: 1, count: shape.queries)
    var dq = [Float](repeating: 0, count: shape.queryCount)
    var dk = [Float](repeating: 0, count: shape.keyCount)
    var dv = [Float](repeating: 0, count: shape.valueCount)
    let tracker = AllocationTracker()
    try inputs.q.withUnsafeBufferPointer { q in
      try inputs.k.withUnsafeBufferPointer { k in
        try inputs.v.withUnsafeBufferPointer { v in
          var forward = try AttentionProblem(
            q: q, k: k, v: v, shape: shape, scale: shape.defaultScale)
          forward.allocationTracker = tracker
          try output.withUnsafeBufferPointer { o in
            try lse.withUnsafeBufferPointer { l in
              let problem = BackwardProblem(
                forward: forward, output: try #require(o.baseAddress),
                logSumExp: try #require(l.baseAddress), gradOutput: try #require(o.baseAddress))
              try kernel.computeGradients(problem, dq: &dq, dk: &dk, dv: &dv)
            }
          }
        }
      }
    }
    return tracker.peakBytes
  }

  @Test("the fused backward: declared scratch is the measured peak (one thread), a bound (two)")
  func fusedBackward() throws {
    for shape in Self.shapes {
      let one = try FusedBackward(blockQ: 64, blockK: 64, threads: 1)
      #expect(try backwardPeak(one, shape) == one.scratchBytes(for: shape), "\(shape)")
      let two = try FusedBackward(blockQ: 48, blockK: 80, threads: 2)
      let measured = try backwardPeak(two, shape)
      #expect(measured > 0 && measured <= two.scratchBytes(for: shape), "\(shape), 2 threads")
    }
  }
}
