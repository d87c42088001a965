/// The backward pass on whole matrices: `P` and `dS` as `Nq × Nk` arrays, one thread, plain
/// Float32 loops. The reference the tiled kernel is checked against, and its baseline.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time, `2 · Nq · Nk` floats of scratch.
public struct NaiveBackward: AttentionBackwardKernel {
  /// Creates the kernel.
  public init() {}

  /// `"naive"`.
  public var name: String { "naive" }

  /// `P` and `dS`.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    Platform.floatBytes(2 &* shape.queries &* shape.keys)
  }

  /// Computes the three gradients; see `AttentionBackwardKernel`.
  public func computeGradients(
    _ problem: BackwardProblem, dq: UnsafeMutablePointer<Float>,
    dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>
  ) {
    let forward = problem.forward
    let shape = forward.shape
    let (nq, nk, dkw, dvw) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
    let (q, k, v) = (forward.qBase, forward.kBase, forward.vBase)
    let dO = problem.gradOutput
    let d = problem.rowDots()
    var p = [Float](repeating: 0, count: nq * nk)
    var ds = [Float](repeating: 0, count: nq * nk)
    for i in 0..<nq {
      let lse = problem.logSumExp[i]
      guard lse > -.infinity else { continue }  // the row saw no key: P = 0
      let allowed = forward.allowedKeys(row: i)
      let bias = forward.biasRow(i)
      for j in allowed {
        var dot: Float = 0
        for c in 0..<dkw { dot += q[i * dkw + c] * k[j * dkw + c] }
        let s = dot * forward.scale + (bias?[j] ?? 0)
        let weight = s == -.infinity ? 0 : Platform.exp(Double(s - lse))
        p[i * nk + j] = Float(weight)
        var dp: Float = 0
        for c in 0..<dvw { dp += dO[i * dvw + c] * v[j * dvw + c] }
        ds[i * nk + j] = p[i * nk + j] * (dp - d.base[i])
      }
    }
    for j in 0..<nk {
      for c in 0..<dvw {
        var sum: Float = 0
        for i in 0..<nq { sum += p[i * nk + j] * dO[i * dvw + c] }
        dv[j * dvw + c] = sum
      }
      for c in 0..<dkw {
        var sum: Float = 0
        for i in 0..<nq { sum += ds[i * nk + j] * q[i * dkw + c] }
        dk[j * dkw + c] = sum * forward.scale
      }
    }
    for i in 0..<nq {
      for c in 0..<dkw {
        var sum: Float = 0
        for j in 0..<nk { sum += ds[i * nk + j] * k[j * dkw + c] }
        dq[i * dkw + c] = sum * forward.scale
      }
    }
  }
}
