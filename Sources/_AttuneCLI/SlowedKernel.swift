import AttuneBench
import AttuneKernels

/// A kernel made deliberately slower by a known factor: it runs `base`, then spins until the call
/// has lasted `factor` times as long. A test hook for the benchmark, to show that a known slowdown
/// is detected: beside the kernel under another name (`attune compare --test-slow-copy`), or in its
/// place under its own name, as a regression against a saved baseline (`--test-slow`).
package struct SlowedKernel: AttentionKernel {
  /// The kernel whose work is done.
  package let base: any AttentionKernel
  /// How much longer each call lasts (1.2 = 20 % slower).
  package let factor: Double
  /// Whether the kernel goes by the base kernel's name (a stand-in for it).
  package let keepsName: Bool

  /// Wraps `base`.
  package init(_ base: any AttentionKernel, factor: Double, keepsName: Bool = false) {
    self.base = base
    self.factor = factor
    self.keepsName = keepsName
  }

  /// The base name with the factor, as in `fused×1.2`, or the base name alone.
  package var name: String { keepsName ? base.name : "\(base.name)×\(factor)" }
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
