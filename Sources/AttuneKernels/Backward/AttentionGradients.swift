/// The gradients of a loss with respect to attention's inputs, row-major like the inputs:
/// `dq [Nq, dk]`, `dk [Nk, dk]`, `dv [Nk, dv]`.
public struct AttentionGradients: Sendable, Hashable {
  /// ∂loss/∂Q, `[Nq, dk]`.
  public var dq: [Float]
  /// ∂loss/∂K, `[Nk, dk]`.
  public var dk: [Float]
  /// ∂loss/∂V, `[Nk, dv]`.
  public var dv: [Float]

  /// Wraps the three gradients.
  public init(dq: [Float], dk: [Float], dv: [Float]) {
    self.dq = dq
    self.dk = dk
    self.dv = dv
  }

  /// Gradients of these sizes: zeros, or, when `zeroed` is false, whatever memory the allocator
  /// gives, for a backward kernel to overwrite entirely (`AttentionBackwardKernel`'s contract).
  /// Not zeroing saves a pass over the gradients on the calling thread before the parallel work,
  /// and leaves each fresh page's first touch to the worker that writes it (at B=1, H=8,
  /// N=1024, d=64 the zeroing and its page faults were 4 % of the profile, on one thread).
  ///
  /// - Complexity: O(1) when not zeroed, else O(count).
  package init(queryCount: Int, keyCount: Int, valueCount: Int, zeroed: Bool) {
    func floats(_ count: Int) -> [Float] {
      guard !zeroed else { return [Float](repeating: 0, count: count) }
      // Float is trivial: every bit pattern is a value, and the kernel writes each one.
      return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
    self.init(dq: floats(queryCount), dk: floats(keyCount), dv: floats(valueCount))
  }
}
