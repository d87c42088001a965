import AttuneKernels

/// A kernel made deliberately slower by a known factor: it runs `base`, then spins until the call
/// has lasted `factor` times as long. A test hook for the benchmark (`attune compare
/// --test-slow-copy`), to show that a known slowdown is detected.
package struct SlowedKernel: AttentionKernel {
  /// The kernel whose work is done.
  package let base: any AttentionKernel
  /// How much longer each call lasts (1.2 = 20 % slower).
  package let factor: Double

  /// Wraps `base`.
  package init(_ base: any AttentionKernel, factor: Double) {
    self.base = base
    self.factor = factor
  }

  /// The base name with the factor, as in `fused×1.2`.
  package var name: String { "\(base.name)×\(factor)" }
  /// The base kernel's settings.
  package var settings: [KernelSetting] { base.settings }

  /// The base kernel's scratch.
  package func scratchBytes(for shape: AttentionShape) -> Int { base.scratchBytes(for: shape) }

  /// Runs the base kernel, then waits actively for `(factor − 1)` times its duration.
  package func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>)
  {
    let clock = MonotonicClock()
    let start = clock.seconds()
    base.compute(problem, into: output)
    let end = start + (clock.seconds() - start) * factor
    while clock.seconds() < end {}
  }
}
