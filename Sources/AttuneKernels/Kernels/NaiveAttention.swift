/// The report's baseline: whole-matrix passes with straightforward scalar loops.
///
/// Builds the full score matrix `S [Nq, Nk]`, then makes one pass per step, exactly as the NumPy
/// version does: `S = Q·Kᵀ`, `S *= scale`, row maxima, `S = e^(S − max)`, row sums, `S /= sum`,
/// `O = S·V`. It is the simplest kernel to check by eye and every other kernel's first reference.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time, `Nq · Nk` floats of scratch.
public struct NaiveAttention: AttentionKernel {
  /// Creates the kernel; it has no parameters.
  public init() {}

  /// `"naive"`.
  public var name: String { Self.descriptor.name }
  /// None.
  public var settings: [KernelSetting] { [] }

  /// The catalog entry.
  public static let descriptor = KernelDescriptor(
    name: "naive",
    summary: "whole-matrix passes (scores, scale, max, exp, sum, divide, product); O(N²) memory",
    parameters: []
  ) { _ throws(AttentionError) in NaiveAttention() }

  /// The score matrix and the row maxima and sums, `Nq · (Nk + 2)` floats.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let (n, overflow) = shape.queries.multipliedReportingOverflow(by: shape.keys + 2)
    return overflow ? Int.max : AlignedBuffer.bytes(n)
  }

  /// Honours masks, biases, log-sum-exp output and bfloat16 scores.
  public var supportsMasks: Bool { true }

  /// Computes `O` in seven whole-matrix passes.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    let (nq, nk) = (problem.shape.queries, problem.shape.keys)
    let (dk, dv) = (problem.shape.headDim, problem.shape.valueDim)
    let (q, k, v) = (problem.qBase, problem.kBase, problem.vBase)
    let o = SharedOutput(output).base
    let buffer = AlignedBuffer(count: nq * (nk + 2), for: problem)
    let s = buffer.base
    let rowMax = s + nq * nk
    let rowSum = rowMax + nq
    let rounds = problem.scoreArithmetic.roundsToBFloat16
    for i in 0..<nq {  // S = Q·Kᵀ (of Q and K rounded to bfloat16, when asked)
      for j in 0..<nk {
        var dot: Float = 0
        if rounds {
          for c in 0..<dk {
            dot += BFloat16Rounding.rounded(q[i * dk + c]) * BFloat16Rounding.rounded(k[j * dk + c])
          }
        } else {
          for c in 0..<dk { dot += q[i * dk + c] * k[j * dk + c] }
        }
        s[i * nk + j] = dot
      }
    }
    for x in 0..<(nq * nk) { s[x] *= problem.scale }  // S *= scale
    if problem.bias != nil {  // S += bias
      for i in 0..<nq {
        guard let bias = problem.biasRow(i) else { break }
        for j in 0..<nk { s[i * nk + j] += bias[j] }
      }
    }
    if !problem.mask.isNone {  // hide masked keys
      for i in 0..<nq {
        let allowed = problem.allowedKeys(row: i)
        for j in 0..<nk where !allowed.contains(j) { s[i * nk + j] = -.infinity }
      }
    }
    for i in 0..<nq { rowMax[i] = -.infinity }
    for i in 0..<nq {  // row maxima
      for j in 0..<nk { rowMax[i] = max(rowMax[i], s[i * nk + j]) }
    }
    for i in 0..<nq where rowMax[i] == -.infinity {  // a row that sees no key gives zeros
      for j in 0..<nk { s[i * nk + j] = s[i * nk + j] == -.infinity ? 0 : s[i * nk + j] * 0 }
    }
    for i in 0..<nq where rowMax[i] > -.infinity {  // S = e^(S - max)
      for j in 0..<nk { s[i * nk + j] = Platform.exp(s[i * nk + j] - rowMax[i]) }
    }
    for i in 0..<nq { rowSum[i] = 0 }
    for i in 0..<nq {  // row sums
      for j in 0..<nk { rowSum[i] += s[i * nk + j] }
    }
    if let lse = problem.logSumExp {
      for i in 0..<nq {
        lse[i] =
          rowSum[i] > 0
          ? rowMax[i] + Float(Platform.log(Double(rowSum[i]))) : rowSum[i] * 0 - .infinity
      }
    }
    for i in 0..<nq where rowSum[i] > 0 {  // S /= sum
      for j in 0..<nk { s[i * nk + j] /= rowSum[i] }
    }
    for x in 0..<(nq * dv) { o[x] = 0 }  // O = S·V
    for i in 0..<nq {
      for j in 0..<nk {
        let p = s[i * nk + j]
        for c in 0..<dv { o[i * dv + c] += p * v[j * dv + c] }
      }
    }
  }
}
