import AttuneKernels

/// The inputs and output buffer one shape's candidates share during a comparison.
///
/// `@unchecked Sendable`: the engine runs one candidate at a time on one thread, so the buffers
/// are never touched concurrently (a kernel's own workers only read the inputs and write disjoint
/// output rows).
package final class Workspace: @unchecked Sendable {
  package let shape: AttentionShape
  private var inputs: AttentionInputs
  private var output: [Float]

  /// Checks, before anything is drawn, that a workspace of `shape` and the scratch of each of
  /// `kernels` (one at a time) fit in memory together.
  ///
  /// - Throws: `AttentionError.insufficientMemory` naming the kernel and the shape.
  package static func checkMemory(
    for shape: AttentionShape, kernels: [any AttentionKernel]
  ) throws(AttentionError) {
    let tensors = Platform.floatBytes(
      shape.queryCount &+ shape.keyCount &+ shape.valueCount &+ shape.outputCount)
    for kernel in kernels {
      try Platform.checkMemory(
        "the \(kernel.name) kernel at \(shape) (inputs, output and scratch)",
        bytes: Platform.totalBytes(tensors, kernel.scratchBytes(for: shape)))
    }
  }

  /// Random normal inputs for `shape` from `seed`.
  package init(shape: AttentionShape, seed: UInt64) throws(AttentionError) {
    self.shape = shape
    inputs = try AttentionInputs.random(shape: shape, seed: seed)
    try Platform.checkMemory(
      "the output at \(shape)", bytes: Platform.floatBytes(shape.outputCount))
    output = [Float](repeating: 0, count: shape.outputCount)
  }

  /// New random inputs from `seed` (same shape, so nothing can fail).
  func refresh(seed: UInt64) {
    if let fresh = try? AttentionInputs.random(shape: shape, seed: seed) { inputs = fresh }
  }

  /// One call of `kernel` on the current inputs.
  package func run(_ kernel: any AttentionKernel, tracker: AllocationTracker? = nil) {
    let shape = self.shape
    inputs.q.withUnsafeBufferPointer { q in
      inputs.k.withUnsafeBufferPointer { k in
        inputs.v.withUnsafeBufferPointer { v in
          output.withUnsafeMutableBufferPointer { o in
            var problem = AttentionProblem(
              validated: q, k: k, v: v, shape: shape, scale: shape.defaultScale)
            problem.allocationTracker = tracker
            kernel.compute(problem, into: o)
          }
        }
      }
    }
  }

  /// The output of one call of `kernel` on the current inputs (a copy).
  func output(of kernel: any AttentionKernel) -> [Float] {
    output = [Float](repeating: .nan, count: output.count)
    run(kernel)
    return output
  }

  /// The peak bytes `kernel` allocates during one call, counted exactly.
  func allocatedBytes(_ kernel: any AttentionKernel) -> Int {
    let tracker = AllocationTracker()
    run(kernel, tracker: tracker)
    return tracker.peakBytes
  }

  /// How much one call of `kernel` raises the process's peak resident memory.
  func rssGrowth(_ kernel: any AttentionKernel) -> Int { PeakMemory.growth { run(kernel) } }
}
