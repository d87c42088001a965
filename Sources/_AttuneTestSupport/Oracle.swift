import AttuneKernels

/// Attention evaluated in Float64 from Float32 inputs: the reference every kernel is checked
/// against.
///
/// Each row: scores `s_j = scale · Σ_c q_c k_jc + bias_j` in Float64 (−∞ for keys the mask
/// hides), `m = max_j s_j`, `O = Σ_j e^(s_j − m) v_j / Σ_j e^(s_j − m)`, and the log-sum-exp
/// `m + log Σ_j e^(s_j − m)`. A row that sees no key gives zeros and a log-sum-exp of −∞.
/// Float64 carries 29 more bits than the kernels, so its own error is negligible at the
/// tolerances used.
public enum Oracle {
  /// The Float64 output `[Nq, dv]` for `inputs` with score scale `scale`.
  public static func attention(
    _ inputs: AttentionInputs, scale: Double, mask: AttentionMask = .none, bias: [Float]? = nil
  ) -> [Double] {
    attentionAndLogSumExp(inputs, scale: scale, mask: mask, bias: bias).output
  }

  /// The Float64 output `[Nq, dv]` and log-sum-exp `[Nq]`.
  public static func attentionAndLogSumExp(
    _ inputs: AttentionInputs, scale: Double, mask: AttentionMask = .none, bias: [Float]? = nil
  ) -> (output: [Double], logSumExp: [Double]) {
    let s = inputs.shape
    let (nq, nk, dk, dv) = (s.queries, s.keys, s.headDim, s.valueDim)
    let q = inputs.q.map(Double.init)
    let k = inputs.k.map(Double.init)
    let v = inputs.v.map(Double.init)
    var out = [Double](repeating: 0, count: nq * dv)
    var lse = [Double](repeating: -.infinity, count: nq)
    var scores = [Double](repeating: 0, count: nk)
    for i in 0..<nq {
      var rowMax = -Double.infinity
      for j in 0..<nk {
        guard visible(mask, row: i, key: j, queries: nq, keys: nk) else {
          scores[j] = -.infinity
          continue
        }
        var dot = 0.0
        for c in 0..<dk { dot += q[i * dk + c] * k[j * dk + c] }
        scores[j] = dot * scale + Double(bias?[i * nk + j] ?? 0)
        rowMax = max(rowMax, scores[j])
      }
      guard rowMax > -.infinity else { continue }
      var sum = 0.0
      for j in 0..<nk {
        scores[j] = OracleMath.exp(scores[j] - rowMax)
        sum += scores[j]
      }
      lse[i] = rowMax + OracleMath.log(sum)
      for j in 0..<nk where scores[j] > 0 {
        let p = scores[j] / sum
        for c in 0..<dv { out[i * dv + c] += p * v[j * dv + c] }
      }
    }
    return (out, lse)
  }

  /// The Float64 gradients `(dQ, dK, dV)` of `Σ dO ∘ O` for `inputs` (no gradient to the bias),
  /// from the definitions on whole matrices: `P = softmax(S)`, `dV = Pᵀ · dO`, `dP = dO · Vᵀ`,
  /// `dS = P ∘ (dP − rowsum(dO ∘ O))`, `dQ = dS · K · scale`, `dK = dSᵀ · Q · scale`.
  public static func attentionBackward(
    _ inputs: AttentionInputs, gradOutput: [Float], scale: Double, mask: AttentionMask = .none,
    bias: [Float]? = nil
  ) -> (dq: [Double], dk: [Double], dv: [Double]) {
    attentionBackward(
      q: inputs.q.map(Double.init), k: inputs.k.map(Double.init), v: inputs.v.map(Double.init),
      shape: inputs.shape, gradOutput: gradOutput.map(Double.init), scale: scale, mask: mask,
      bias: bias?.map(Double.init))
  }

  /// `attentionBackward(_:gradOutput:scale:mask:bias:)` on Float64 inputs.
  public static func attentionBackward(
    q: [Double], k: [Double], v: [Double], shape s: AttentionShape, gradOutput dO: [Double],
    scale: Double, mask: AttentionMask = .none, bias: [Double]? = nil
  ) -> (dq: [Double], dk: [Double], dv: [Double]) {
    let (nq, nk, dk, dv) = (s.queries, s.keys, s.headDim, s.valueDim)
    let p = probabilities(q: q, k: k, shape: s, scale: scale, mask: mask, bias: bias)
    var dQ = [Double](repeating: 0, count: nq * dk)
    var dK = [Double](repeating: 0, count: nk * dk)
    var dV = [Double](repeating: 0, count: nk * dv)
    for i in 0..<nq {
      // D_i = Σ_c dO_ic · O_ic, O from the same probabilities.
      var d = 0.0
      for c in 0..<dv {
        var o = 0.0
        for j in 0..<nk { o += p[i * nk + j] * v[j * dv + c] }
        d += dO[i * dv + c] * o
      }
      for j in 0..<nk where p[i * nk + j] > 0 {
        var dp = 0.0
        for c in 0..<dv {
          dp += dO[i * dv + c] * v[j * dv + c]
          dV[j * dv + c] += p[i * nk + j] * dO[i * dv + c]
        }
        let ds = p[i * nk + j] * (dp - d)
        for c in 0..<dk {
          dQ[i * dk + c] += ds * k[j * dk + c] * scale
          dK[j * dk + c] += ds * q[i * dk + c] * scale
        }
      }
    }
    return (dQ, dK, dV)
  }

  /// `P = softmax(Q · Kᵀ · scale + bias)` row by row in Float64, `[Nq, Nk]` (a row that sees no
  /// key is zeros).
  public static func probabilities(
    q: [Double], k: [Double], shape s: AttentionShape, scale: Double,
    mask: AttentionMask = .none, bias: [Double]? = nil
  ) -> [Double] {
    let (nq, nk, dk) = (s.queries, s.keys, s.headDim)
    var p = [Double](repeating: 0, count: nq * nk)
    for i in 0..<nq {
      var rowMax = -Double.infinity
      for j in 0..<nk {
        guard visible(mask, row: i, key: j, queries: nq, keys: nk) else {
          p[i * nk + j] = -.infinity
          continue
        }
        var dot = 0.0
        for c in 0..<dk { dot += q[i * dk + c] * k[j * dk + c] }
        p[i * nk + j] = dot * scale + (bias?[i * nk + j] ?? 0)
        rowMax = max(rowMax, p[i * nk + j])
      }
      guard rowMax > -.infinity else {
        for j in 0..<nk { p[i * nk + j] = 0 }
        continue
      }
      var sum = 0.0
      for j in 0..<nk {
        p[i * nk + j] = OracleMath.exp(p[i * nk + j] - rowMax)
        sum += p[i * nk + j]
      }
      for j in 0..<nk { p[i * nk + j] /= sum }
    }
    return p
  }

  /// Whether query `row` may see `key`, written from the definitions (not from the kernels'
  /// range arithmetic, which it checks).
  public static func visible(
    _ mask: AttentionMask, row: Int, key: Int, queries: Int, keys: Int
  ) -> Bool {
    func diagonal(_ alignment: CausalAlignment) -> Int {
      switch alignment {
      case .topLeft: row
      case .bottomRight: row + keys - queries
      }
    }
    switch mask {
    case .none: return true
    case .causal(let alignment): return key <= diagonal(alignment)
    case .slidingWindow(let size, let alignment):
      return key <= diagonal(alignment) && key > diagonal(alignment) - size
    }
  }
}
