/// A user-supplied function of (Q, K, V), usable wherever a built-in kernel is: in
/// `attention(…)`, the benchmark and the tuner.
///
/// The body receives validated inputs and must fill the whole output:
///
/// ```swift
/// let mine = CustomAttention(name: "mine") { problem, output in
///   // problem.q [Nq, dk], problem.k [Nk, dk], problem.v [Nk, dv], problem.scale
///   // output [Nq, dv]
/// }
/// let o = try attention(q: q, k: k, v: v, shape: shape, kernel: mine)
/// ```
public struct CustomAttention: AttentionKernel {
  /// The name shown in tables and reports.
  public let name: String
  /// Settings to show with the name (informational; the body decides what they mean).
  public let settings: [KernelSetting]
  private let body: @Sendable (AttentionProblem, UnsafeMutableBufferPointer<Float>) -> Void

  /// Wraps `body` as a kernel named `name`.
  public init(
    name: String, settings: [KernelSetting] = [],
    _ body: @escaping @Sendable (AttentionProblem, UnsafeMutableBufferPointer<Float>) -> Void
  ) {
    self.name = name
    self.settings = settings
    self.body = body
  }

  /// Calls the body.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    body(problem, output)
  }
}
