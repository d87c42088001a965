import AttuneKernels
import Testing
import _AttuneTestSupport

/// The softmax's 16-lane `exp` against Float64 `exp`.
struct VectorExpTests {
  /// The documented bound: relative error below 3e-7 on [-87.33, 88].
  static let relativeBound = 3e-7

  func evaluate(_ xs: [Float]) -> [Float] {
    var out: [Float] = []
    for start in stride(from: 0, to: xs.count, by: 16) {
      var lanes = Vector(repeating: 0)
      for i in 0..<min(16, xs.count - start) { lanes[i] = xs[start + i] }
      let e = exponential(lanes)
      for i in 0..<min(16, xs.count - start) { out.append(e[i]) }
    }
    return out
  }

  @Test("relative error below 3e-7 across the whole domain")
  func accuracy() {
    // 2.1 million points: every step of 2^-13 from -87.33 to 88, plus the values near 0.
    var xs: [Float] = []
    var x: Float = -87.33
    while x <= 88 {
      xs.append(x)
      x += 0x1p-13
    }
    xs += (0..<2000).map { Float($0 - 1000) * 1e-6 }
    let got = evaluate(xs)
    var worst = 0.0
    for (x, e) in zip(xs, got) {
      let want = OracleMath.exp(Double(x))
      worst = max(worst, abs(Double(e) - want) / want)
    }
    #expect(worst < Self.relativeBound, "worst relative error \(worst)")
  }

  @Test("exactly 1 at 0, and exactly 0 below the smallest normal result and at -infinity")
  func specialValues() {
    let got = evaluate([0, -87.34, -88, -100, -1e4, -1e30, -.infinity, -.greatestFiniteMagnitude])
    #expect(got[0] == 1)
    #expect(got.dropFirst().allSatisfy { $0 == 0 })
  }

  @Test("NaN stays NaN")
  func nan() {
    let got = evaluate([.nan, -.nan, .signalingNaN])
    #expect(got.allSatisfy { $0.isNaN })
  }

  @Test("never NaN or infinite on its domain's edges")
  func edges() {
    let got = evaluate([-87.336, -87.3365, -87.33, 87.9, 88, -0.0, 0x1p-149])
    #expect(got.allSatisfy { $0.isFinite && $0 >= 0 })
  }
}
