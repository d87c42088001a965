/// A way to compute attention: the five built-in kernels and any function a user registers.
///
/// A kernel is an immutable value holding its parameters (block sizes, thread count), so one
/// instance can run many problems, from many threads at once. The benchmark and the tuner treat
/// every conforming type alike.
public protocol AttentionKernel: Sendable {
  /// The kernel's short name, such as `"fused"`.
  var name: String { get }

  /// The parameter values this instance runs with, in a stable order.
  var settings: [KernelSetting] { get }

  /// Computes `O [Nq, dv]` for a validated problem.
  ///
  /// - Parameters:
  ///   - problem: Validated inputs; every buffer length matches `problem.shape`.
  ///   - output: `Nq · dv` elements, overwritten entirely.
  func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>)

  /// Bytes of scratch memory the kernel allocates for `shape`, beyond inputs and output.
  func scratchBytes(for shape: AttentionShape) -> Int

  /// Whether `compute` honours `problem.mask`, `problem.bias`, `problem.logSumExp` and
  /// `problem.scoreArithmetic`. Kernels that do not are never given any (the entry points refuse
  /// the call instead).
  var supportsMasks: Bool { get }

  /// The worker threads one call uses (1 when the kernel runs on the calling thread only).
  var threads: Int { get }

  /// The same kernel with `count` worker threads and every other setting unchanged, or nil when
  /// its thread count cannot be changed. Multi-head attention uses it to run whole heads in
  /// parallel on one-thread copies.
  ///
  /// - Precondition: `count ≥ 1`.
  func withThreads(_ count: Int) -> (any AttentionKernel)?
}

extension AttentionKernel {
  /// The name followed by the settings, as in `fused(blockQ=64, blockK=256, threads=2)`.
  public var configurationDescription: String {
    settings.isEmpty
      ? name
      : "\(name)(" + settings.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
  }

  /// Unknown by default: zero.
  public func scratchBytes(for shape: AttentionShape) -> Int { 0 }

  /// False by default.
  public var supportsMasks: Bool { false }

  /// One by default.
  public var threads: Int { 1 }

  /// Nil by default: the kernel keeps its own threads.
  public func withThreads(_ count: Int) -> (any AttentionKernel)? { nil }
}
