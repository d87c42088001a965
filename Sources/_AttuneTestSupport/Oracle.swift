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
