/// What a backward kernel reads: the forward problem (Q, K, V, scale, mask, bias), the forward's
/// output `O [Nq, dv]` and log-sum-exp `L [Nq]`, and the loss's gradient `dO [Nq, dv]`.
///
/// The buffers are the caller's, validated against the shape by `attentionBackward`; they stay
/// alive and unchanged while a kernel runs.
public struct BackwardProblem: @unchecked Sendable {
  /// Q, K, V, the shape, scale, mask and bias.
  public let forward: AttentionProblem
  /// The forward output, `[Nq, dv]`.
  public let output: UnsafePointer<Float>
  /// The forward's log-sum-exp of each row's scaled, masked scores, `[Nq]` (−∞: the row saw no
  /// key).
  public let logSumExp: UnsafePointer<Float>
  /// ∂loss/∂O, `[Nq, dv]`.
  public let gradOutput: UnsafePointer<Float>

  package init(
    forward: AttentionProblem, output: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>,
    gradOutput: UnsafePointer<Float>
  ) {
    self.forward = forward
    self.output = output
    self.logSumExp = logSumExp
    self.gradOutput = gradOutput
  }

  /// `D_i = Σ_c dO_ic · O_ic` for every row (FlashAttention-2's first step), summed in Float64:
  /// the term every gradient of row `i`'s softmax subtracts.
  ///
  /// - Complexity: O(Nq · dv).
  package func rowDots() -> AlignedBuffer {
    let (nq, dv) = (forward.shape.queries, forward.shape.valueDim)
    let d = AlignedBuffer(count: nq, for: forward, zeroed: false)
    for i in 0..<nq {
      let (g, o) = (gradOutput + i * dv, output + i * dv)
      // Four sums side by side: one chain of dependent additions would wait on each.
      var sums = SIMD4<Double>()
      var c = 0
      while c + 4 <= dv {
        let gc = UnsafeRawPointer(g + c).loadUnaligned(as: SIMD4<Float>.self)
        let oc = UnsafeRawPointer(o + c).loadUnaligned(as: SIMD4<Float>.self)
        sums += SIMD4<Double>(gc) * SIMD4<Double>(oc)
        c += 4
      }
      var sum = sums.sum()
      while c < dv {
        sum += Double(g[c]) * Double(o[c])
        c += 1
      }
      d.base[i] = Float(sum)
    }
    return d
  }
}
