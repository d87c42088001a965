import AttuneKernels

/// One measured configuration of a comparison: a kernel, its settings, and a shape.
public struct ComparisonEntry: Sendable, Hashable, Codable {
  /// Unique label, as in `fused(blockQ=64, blockK=512, threads=2)` (a `#2` suffix marks a repeat).
  public let label: String
  /// The kernel's name.
  public let kernel: String
  /// The kernel's parameter values.
  public let settings: [KernelSetting]
  /// The block size from the grid that this entry uses (`blockSize`, or `blockQ` for fused);
  /// nil for kernels without one.
  public let blockSize: Int?
  /// The problem's sizes.
  public let shape: AttentionShape
  /// Floating-point operations per call, `2·Nq·Nk·(dk + dv)`.
  public let flops: Double
  /// Calls per sample chosen by calibration.
  public let iterations: Int
  /// Scratch bytes the kernel declares for this shape.
  public let declaredScratchBytes: Int
  /// Bytes measured during one call (see `memorySource`), when measured.
  public let measuredMemoryBytes: Int?
  /// `allocated` (bytes the kernel allocated, counted exactly) or `peakRSSGrowth` (growth of the
  /// process's peak resident memory, for kernels Attune cannot count).
  public let memorySource: String
}
