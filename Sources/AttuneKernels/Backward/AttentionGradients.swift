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
}
