/// Rows recomputed in Float64 where a kernel's Float32 arithmetic left the representable range.
///
/// Every kernel computes in Float32. On finite inputs the answer is always finite (each output
/// row is an average of V's rows), but two intermediate values can overflow: a scaled score
/// (`--scale 3e38`, or Q and K near 1e19: `+∞` then `∞ − ∞ = NaN`, or `−∞` everywhere and a row
/// that seems to see no key) and the fused kernel's unnormalised accumulator (`Σ e^(s − m) · v`
/// with |V| near 3e38). Rather than slow every call down, `attention` checks the output after the
/// kernel: a row holding NaN or ±∞, or, when the scores could overflow, a row of zeros that sees
/// a key, is recomputed here exactly in Float64 (mask and bias honoured), as the oracle would.
/// The same recomputation gives a row that only a non-finite value it cannot see touched (with
/// `.propagate`) its finite answer, so NaN and ∞ reach exactly the rows that see them.
///
/// - Complexity: O(Nq · dv) to check (plus O((Nq + Nk) · dk) once if a row of zeros sees a key),
///   and O(Nk · (dk + dv)) per recomputed row, in scalar Float64.
package enum ExactRows {
  /// Recomputes the rows of `output` (and their log-sum-exp) that overflowed.
  ///
  /// - Returns: The number of rows recomputed.
  /// - Throws: `AttentionError.outputOverflow` when a log-sum-exp is beyond Float32's range.
  @discardableResult
  package static func repair(
    _ problem: AttentionProblem, output: UnsafeMutableBufferPointer<Float>
  ) throws(AttentionError) -> Int {
    let shape = problem.shape
    let dv = shape.valueDim
    guard let out = output.baseAddress, shape.queries > 0 else { return 0 }
    // Looked at only when a row of zeros that sees a key turns up (a scan of Q and K would
    // double what decoding reads).
    var scoresMayOverflow: Bool?
    var repaired = 0
    for row in 0..<shape.queries {
      let o = out + row * dv
      let (finite, zeros) = inspect(o, count: dv)
      var suspect = !finite
      if let lse = problem.logSumExp, lse[row].isNaN || lse[row] == .infinity { suspect = true }
      if !suspect && zeros && !problem.allowedKeys(row: row).isEmpty {
        if scoresMayOverflow == nil { scoresMayOverflow = Self.scoresMayOverflow(problem) }
        suspect = scoresMayOverflow ?? false
      }
      guard suspect else { continue }
      try recompute(problem, row: row, into: o)
      repaired += 1
    }
    return repaired
  }

  /// Whether `count` floats from `p` are all finite, and whether they are all zero: one pass over
  /// their bits, eight lanes at a time (a float is finite when its exponent bits are not all ones,
  /// zero when its bits past the sign are all zero).
  @inline(__always)
  package static func inspect(_ p: UnsafePointer<Float>, count: Int) -> (finite: Bool, zeros: Bool)
  {
    // (bits & exponent) + lowest exponent bit carries into the sign bit exactly when every
    // exponent bit is one.
    var carries = SIMD8<UInt32>()
    var magnitudes = SIMD8<UInt32>()
    var c = 0
    while c &+ 8 <= count {
      let bits = UnsafeRawPointer(p + c).loadUnaligned(as: SIMD8<UInt32>.self)
      carries |= (bits & 0x7F80_0000) &+ 0x0080_0000
      magnitudes |= bits & 0x7FFF_FFFF
      c &+= 8
    }
    // Lanes folded with ors: `any` on a mask goes lane by lane through memory.
    let c4 = carries.lowHalf | carries.highHalf
    let m4 = magnitudes.lowHalf | magnitudes.highHalf
    let c2 = c4.lowHalf | c4.highHalf
    let m2 = m4.lowHalf | m4.highHalf
    var finite = (c2[0] | c2[1]) < 0x8000_0000
    var zeros = (m2[0] | m2[1]) == 0
    while c < count {
      if !p[c].isFinite { finite = false }
      if p[c] != 0 { zeros = false }
      c &+= 1
    }
    return (finite, zeros)
  }

  /// Whether some `|q · k| · scale` may exceed Float32's range: `max|q| · max|k| · dk · scale`
  /// (a bound, in Float64) above a quarter of the largest Float.
  static func scoresMayOverflow(_ problem: AttentionProblem) -> Bool {
    func largest(_ buffer: UnsafeBufferPointer<Float>) -> Double {
      var m: Float = 0
      for x in buffer where x.isFinite { m = Swift.max(m, x.magnitude) }
      return Double(m)
    }
    let scale = abs(Double(problem.scale))
    if scale * Double(problem.shape.headDim) < 1e30 {
      // Only large inputs can overflow then: look at them.
      let bound =
        largest(problem.q) * largest(problem.k) * Double(problem.shape.headDim) * scale
      return bound > Double(Float.greatestFiniteMagnitude) / 4
    }
    return true
  }

  /// Row `row` of O (and its log-sum-exp) in Float64: scores, maximum, exponentials, weighted
  /// sum, then one rounding to Float32 per output.
  static func recompute(
    _ problem: AttentionProblem, row: Int, into o: UnsafeMutablePointer<Float>
  ) throws(AttentionError) {
    let shape = problem.shape
    let (dk, dv) = (shape.headDim, shape.valueDim)
    guard let qs = problem.q.baseAddress, let ks = problem.k.baseAddress,
      let vs = problem.v.baseAddress
    else { return }
    let allowed = problem.allowedKeys(row: row)
    let bias = problem.biasRow(row)
    let q = qs + row * dk
    var scores = [Double](repeating: -.infinity, count: allowed.count)
    var maximum = -Double.infinity
    for (index, j) in allowed.enumerated() {
      let k = ks + j * dk
      var dot = 0.0
      for c in 0..<dk { dot += Double(q[c]) * Double(k[c]) }
      var s = dot * Double(problem.scale)
      if let bias { s += Double(bias[j]) }
      scores[index] = s
      maximum = s.isNaN || maximum.isNaN ? .nan : Swift.max(maximum, s)
    }
    var sum = 0.0
    var accumulator = [Double](repeating: 0, count: dv)
    if maximum > -.infinity || maximum.isNaN {
      for (index, j) in allowed.enumerated() {
        let p = Platform.exp(scores[index] - maximum)
        guard p != 0 else { continue }  // hidden keys add nothing, even 0 · ∞
        sum += p
        let v = vs + j * dv
        for c in 0..<dv { accumulator[c] += p * Double(v[c]) }
      }
    }
    let inverse = sum > 0 ? 1 / sum : (sum.isNaN ? .nan : 0)
    for c in 0..<dv { o[c] = Float(accumulator[c] * inverse) }
    if let lse = problem.logSumExp {
      let value = sum > 0 ? maximum + Platform.log(sum) : (sum.isNaN ? .nan : -.infinity)
      guard
        value.isNaN || value == -.infinity || abs(value) <= Double(Float.greatestFiniteMagnitude)
      else { throw .outputOverflow(tensor: "log-sum-exp", index: row, value: "\(value)") }
      lse[row] = Float(value)
    }
  }
}
