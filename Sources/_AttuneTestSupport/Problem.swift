import AttuneKernels

/// One test problem: inputs, the scale to use, and how they were made, with its Float64 answer.
public struct Problem: Sendable {
  /// How the inputs were drawn.
  public enum Data: String, Sendable {
    /// Standard normal entries, default scale `1/√dk`.
    case random
    /// Integer entries in −100...100 and a power-of-two scale chosen so the largest |logit| lies in
    /// [5e3, 1e4]. Every score is then exact in Float32 whatever the summation order, so the only
    /// errors left are the softmax's and the products', and the 1e-5 tolerance still applies with
    /// logits of ±1e4 (where a plain `e^s` would overflow).
    case largeLogits
  }

  /// The inputs.
  public let inputs: AttentionInputs
  /// The score scale the kernels and the oracle both use.
  public let scale: Float
  /// How the inputs were drawn.
  public let data: Data

  /// Builds a problem of `shape` from `seed`.
  public init(shape: AttentionShape, data: Data, seed: UInt64) {
    var generator = SplitMix64(seed: seed)
    func draw(_ count: Int) -> [Float] {
      switch data {
      case .random: return (0..<count).map { _ in generator.nextGaussian() }
      case .largeLogits:
        return (0..<count).map { _ in Float(Int.random(in: -100...100, using: &generator)) }
      }
    }
    let q = draw(shape.queryCount)
    let k = draw(shape.keyCount)
    let v = (0..<shape.valueCount).map { _ in generator.nextGaussian() }
    inputs = AttentionInputs(q: q, k: k, v: v, shape: shape)
    self.data = data
    switch data {
    case .random:
      scale = shape.defaultScale
    case .largeLogits:
      scale = Self.powerOfTwoScale(q: q, k: k, shape: shape, target: 1e4)
    }
  }

  /// The largest power of two `2^e` with `max |q·k| · 2^e ≤ target`.
  static func powerOfTwoScale(q: [Float], k: [Float], shape: AttentionShape, target: Double)
    -> Float
  {
    var largest = 1.0
    for i in 0..<shape.queries {
      for j in 0..<shape.keys {
        var dot = 0.0
        for c in 0..<shape.headDim {
          dot += Double(q[i * shape.headDim + c]) * Double(k[j * shape.headDim + c])
        }
        largest = max(largest, abs(dot))
      }
    }
    var scale = 1.0
    while largest * scale > target { scale /= 2 }
    while largest * scale * 2 <= target { scale *= 2 }
    return Float(scale)
  }

  /// The Float64 answer.
  public func oracle() -> [Double] { Oracle.attention(inputs, scale: Double(scale)) }

  /// Options carrying this problem's scale.
  public var options: AttentionOptions { AttentionOptions(scale: scale) }

  /// The largest |v|.
  public var maxAbsValue: Double { inputs.v.map { Double(abs($0)) }.max() ?? 0 }

  /// The largest |logit| after scaling (exact for `.largeLogits`).
  public var maxAbsLogit: Double {
    let s = inputs.shape
    var largest = 0.0
    for i in 0..<s.queries {
      for j in 0..<s.keys {
        var dot = 0.0
        for c in 0..<s.headDim {
          dot += Double(inputs.q[i * s.headDim + c]) * Double(inputs.k[j * s.headDim + c])
        }
        largest = max(largest, abs(dot * Double(scale)))
      }
    }
    return largest
  }

  /// `"Nq=… Nk=… dk=… dv=… random"`.
  public var testDescription: String { "\(inputs.shape) \(data.rawValue)" }
}

/// The largest `|got[i] − want[i]|`, or infinity if any `got` is NaN or infinite.
public func maxAbsoluteError(_ got: [Float], _ want: [Double]) -> Double {
  precondition(got.count == want.count, "compared arrays differ in length")
  var worst = 0.0
  for (g, w) in zip(got, want) {
    guard g.isFinite else { return .infinity }
    worst = max(worst, abs(Double(g) - w))
  }
  return worst
}

/// The first row whose log-sum-exp disagrees with the oracle's, as `(row, got, want)`, or nil:
/// `−∞` must be exact (a row that sees no key), others within `4e-6 · max(1, |want|)`.
public func firstLogSumExpMismatch(_ got: [Float], _ want: [Double]) -> (
  row: Int, got: Float, want: Double
)? {
  for (row, (g, w)) in zip(got, want).enumerated() {
    let ok = w == -.infinity ? g == -.infinity : abs(Double(g) - w) <= 4e-6 * max(1, abs(w))
    if !ok { return (row, g, w) }
  }
  return nil
}
