/// A way to compute attention's gradients: `NaiveBackward` (whole matrices, the reference) and
/// `FusedBackward` (FlashAttention-2's tiles).
///
/// With `P = softmax(S)`, `S = Q · Kᵀ · scale + bias` (masked scores −∞), `O = P · V` and the
/// loss's gradient `dO`: `dV = Pᵀ · dO`, `dP = dO · Vᵀ`, `dS = P ∘ (dP − D)` with
/// `D = rowsum(dO ∘ O)`, `dQ = dS · K · scale`, `dK = dSᵀ · Q · scale`. No gradient reaches the
/// bias. A row that sees no key has `P = 0`: zero gradients from it, never NaN.
public protocol AttentionBackwardKernel: Sendable {
  /// The kernel's short name, such as `"fused"`.
  var name: String { get }

  /// Writes `dq [Nq, dk]`, `dk [Nk, dk]` and `dv [Nk, dv]`, overwriting them entirely.
  func computeGradients(
    _ problem: BackwardProblem, dq: UnsafeMutablePointer<Float>,
    dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>)

  /// Bytes of scratch memory the kernel allocates for `shape`, beyond inputs and gradients.
  func scratchBytes(for shape: AttentionShape) -> Int
}
