import AttuneKernels

/// Attention evaluated in Float64 from Float32 inputs: the reference every kernel is checked
/// against.
///
/// Each row: scores `s_j = scale · Σ_c q_c k_jc` in Float64, `m = max_j s_j`,
/// `O = Σ_j e^(s_j − m) v_j / Σ_j e^(s_j − m)`. Float64 carries 29 more bits than the kernels, so
/// its own error is negligible at the tolerances used.
public enum Oracle {
  /// The Float64 output `[Nq, dv]` for `inputs` with score scale `scale`.
  public static func attention(_ inputs: AttentionInputs, scale: Double) -> [Double] {
    let s = inputs.shape
    let (nq, nk, dk, dv) = (s.queries, s.keys, s.headDim, s.valueDim)
    let q = inputs.q.map(Double.init)
    let k = inputs.k.map(Double.init)
    let v = inputs.v.map(Double.init)
    var out = [Double](repeating: 0, count: nq * dv)
    var scores = [Double](repeating: 0, count: nk)
    for i in 0..<nq {
      var rowMax = -Double.infinity
      for j in 0..<nk {
        var dot = 0.0
        for c in 0..<dk { dot += q[i * dk + c] * k[j * dk + c] }
        scores[j] = dot * scale
        rowMax = max(rowMax, scores[j])
      }
      var sum = 0.0
      for j in 0..<nk {
        scores[j] = OracleMath.exp(scores[j] - rowMax)
        sum += scores[j]
      }
      for j in 0..<nk {
        let p = scores[j] / sum
        for c in 0..<dv { out[i * dv + c] += p * v[j * dv + c] }
      }
    }
    return out
  }
}
