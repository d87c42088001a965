import AttuneKernels
import Testing
import _AttuneTestSupport

/// Inputs at the edges of Float32: denormals, tiny and overflowing scores, wide heads, long
/// sequences.
struct AdversarialTests {
  static var kernels: [any AttentionKernel] {
    [NaiveAttention(), FusedAttention(), (try? SIMDAttention(blockSize: 32)) ?? NaiveAttention()]
  }

  @Test func denormalInputsMatchTheOracle() throws {
    let shape = AttentionShape(queries: 33, keys: 40, headDim: 16)
    var generator = SplitMix64(seed: 4)
    // Every Q and K entry a denormal (below 1.18e-38): the scores are 0 to Float32, the
    // softmax uniform; V's denormals must survive the products.
    let q = (0..<shape.queryCount).map { _ in Float(generator.nextGaussian()) * 1e-39 }
    let k = (0..<shape.keyCount).map { _ in Float(generator.nextGaussian()) * 1e-39 }
    let v = (0..<shape.valueCount).map { _ in Float(generator.nextGaussian()) * 1e-38 }
    let inputs = AttentionInputs(q: q, k: k, v: v, shape: shape)
    let want = Oracle.attention(inputs, scale: Double(shape.defaultScale))
    let maxV = Double(v.map { abs($0) }.max() ?? 0)
    for kernel in Self.kernels {
      let got = try inputs.run(kernel)
      #expect(got.allSatisfy { $0.isFinite })
      #expect(maxAbsoluteError(got, want) <= 1e-5 * maxV, "\(kernel.name)")
    }
  }

  @Test func tinyLogitsGiveTheMeanOfV() throws {
    let shape = AttentionShape(queries: 7, keys: 65, headDim: 8, valueDim: 3)
    let inputs = try AttentionInputs.random(shape: shape, seed: 2)
    for kernel in Self.kernels {
      let got = try inputs.run(kernel, options: AttentionOptions(scale: 1e-30))
      for column in 0..<3 {
        var mean = 0.0
        for key in 0..<65 { mean += Double(inputs.v[key * 3 + column]) / 65 }
        for row in 0..<7 {
          #expect(abs(Double(got[row * 3 + column]) - mean) <= 1e-6, "\(kernel.name)")
        }
      }
    }
  }

  @Test func scoresBeyondFloat32StillGiveTheOraclesAnswer() throws {
    // Finite inputs whose dot product overflows Float32 (1e20 · 1e20): the kernel's row is
    // recomputed in Float64 (`ExactRows`), so every row is finite and the oracle's.
    let shape = AttentionShape(queries: 4, keys: 5, headDim: 2)
    var q = [Float](repeating: 0.5, count: 8)
    q[2] = 1e20
    q[3] = 1e20
    var k = [Float](repeating: 0.5, count: 10)
    k[0] = 1e20
    let v = (0..<10).map { Float($0) }
    let want = Oracle.attention(
      AttentionInputs(q: q, k: k, v: v, shape: shape), scale: Double(shape.defaultScale))
    for kernel in Self.kernels {
      let got = try attention(q: q, k: k, v: v, shape: shape, kernel: kernel)
      #expect(got.allSatisfy { $0.isFinite }, "\(kernel.name)")
      #expect(maxAbsoluteError(got, want) <= 1e-5 * 9, "\(kernel.name)")
    }
  }

  @Test(arguments: [Float(3e38), 1e30])
  func aHugeScaleGivesTheOraclesAnswer(scale: Float) throws {
    // Scores of ±1e39 and more: +∞ (then ∞ − ∞) or −∞ everywhere in Float32, finite in Float64,
    // where the softmax is the arg-max.
    let shape = AttentionShape(queries: 33, keys: 65, headDim: 7)
    let inputs = try AttentionInputs.random(shape: shape, seed: 38)
    let (want, wantLSE) = Oracle.attentionAndLogSumExp(inputs, scale: Double(scale))
    for kernel in Self.kernels + [try FusedAttention(blockQ: 16, blockK: 32, threads: 2)] {
      let got = try inputs.run(kernel, options: AttentionOptions(scale: scale))
      #expect(got.allSatisfy { $0.isFinite }, "\(kernel.name)")
      #expect(maxAbsoluteError(got, want) <= 1e-6 * problemMaxV(inputs), "\(kernel.name)")
    }
    // The log-sum-exp itself is then beyond Float32: one clear error, never ∞.
    if wantLSE.contains(where: { abs($0) > Double(Float.greatestFiniteMagnitude) }) {
      var output = [Float](repeating: 0, count: shape.outputCount)
      var lse = [Float](repeating: 0, count: shape.queries)
      #expect(throws: AttentionError.self) {
        try inputs.q.withUnsafeBufferPointer { q in
          try inputs.k.withUnsafeBufferPointer { k in
            try inputs.v.withUnsafeBufferPointer { v in
              try output.withUnsafeMutableBufferPointer { o in
                try lse.withUnsafeMutableBufferPointer { l in
                  try attention(
                    q: q, k: k, v: v, shape: shape, into: o,
                    options: AttentionOptions(scale: scale),
                    logSumExp: l)
                }
              }
            }
          }
        }
      }
    }
  }

  @Test func valuesNearFloatMaxDoNotOverflowTheSums() throws {
    // |V| = 3e38: the fused kernel's unnormalised sum Σ e^(s − m) · v passes Float32's range;
    // the row is recomputed, and equals the oracle's (an average of V's rows).
    let shape = AttentionShape(queries: 9, keys: 40, headDim: 4, valueDim: 3)
    let base = try AttentionInputs.random(shape: shape, seed: 3)
    let v = (0..<shape.valueCount).map { $0 % 2 == 0 ? Float(3e38) : -3e38 }
    let inputs = AttentionInputs(q: base.q, k: base.k, v: v, shape: shape)
    let want = Oracle.attention(inputs, scale: Double(shape.defaultScale))
    for kernel in Self.kernels {
      let got = try inputs.run(kernel)
      #expect(got.allSatisfy { $0.isFinite }, "\(kernel.name)")
      #expect(maxAbsoluteError(got, want) <= 1e-6 * 3e38, "\(kernel.name)")
    }
  }

  @Test(arguments: [16, 48, 64])
  func aNonFiniteValueReachesOnlyTheRowsThatSeeIt(blockQ: Int) throws {
    // With `.propagate`, ∞ in key 80 and NaN in value 85, bottom-right causal with Nq = 70 and
    // Nk = 90: query i sees keys ≤ i + 20, so only rows 60...69 may be touched, whatever the
    // tiling.
    let shape = AttentionShape(queries: 70, keys: 90, headDim: 16)
    let base = try AttentionInputs.random(shape: shape, seed: 80)
    var k = base.k
    var v = base.v
    k[80 * 16 + 3] = .infinity
    v[85 * 16 + 5] = .nan
    let inputs = AttentionInputs(q: base.q, k: k, v: v, shape: shape)
    let options = AttentionOptions(nonFiniteInputs: .propagate, mask: .causal(.bottomRight))
    for kernel in [NaiveAttention(), try FusedAttention(blockQ: blockQ, blockK: 32, threads: 2)]
      as [any AttentionKernel]
    {
      let got = try inputs.run(kernel, options: options)
      let nonFinite = (0..<70).filter { row in
        got[(row * 16)..<(row * 16 + 16)].contains { !$0.isFinite }
      }
      // Rows 65...69 see the NaN; rows 60...64 see the ∞ key, whose score is +∞ (then ∞ − ∞)
      // or, where q[3] < 0, −∞: a key with no weight.
      let want = (0..<70).filter { row in
        row >= 65 || (row >= 60 && !(base.q[row * 16 + 3] < 0))
      }
      #expect(nonFinite == want, "\(kernel.name) blockQ \(blockQ)")
    }
  }

  func problemMaxV(_ inputs: AttentionInputs) -> Double {
    Double(inputs.v.map { abs($0) }.max() ?? 1)
  }

  @Test(arguments: [512, 1024])
  func wideHeadsMatchTheOracle(dk: Int) throws {
    let problem = Problem(
      shape: AttentionShape(queries: 65, keys: 70, headDim: dk, valueDim: dk), data: .random,
      seed: UInt64(dk))
    let want = problem.oracle()
    for kernel in Self.kernels + [try FusedAttention(blockQ: 16, blockK: 32, threads: 2)] {
      let got = try problem.inputs.run(kernel, options: problem.options)
      #expect(maxAbsoluteError(got, want) <= 2e-6 * problem.maxAbsValue, "\(kernel.name)")
    }
  }

  /// The fused kernel at 65 536 tokens on one side, checked on sampled rows (the oracle of the
  /// full problem would take minutes).
  @Test(arguments: [(65_536, 1024), (8, 65_536)])
  func longSequences(queries: Int, keys: Int) throws {
    let shape = AttentionShape(queries: queries, keys: keys, headDim: 32)
    let inputs = try AttentionInputs.random(shape: shape, seed: 65)
    let got = try inputs.run(FusedAttention())
    let rows = [0, 1, queries / 2, queries - 1]
    let sampled = AttentionInputs(
      q: rows.flatMap { Array(inputs.q[($0 * 32)..<($0 * 32 + 32)]) }, k: inputs.k, v: inputs.v,
      shape: AttentionShape(queries: rows.count, keys: keys, headDim: 32))
    let want = Oracle.attention(sampled, scale: Double(shape.defaultScale))
    let picked = rows.flatMap { Array(got[($0 * 32)..<($0 * 32 + 32)]) }
    let maxV = Double(inputs.v.map { abs($0) }.max() ?? 1)
    #expect(maxAbsoluteError(picked, want) <= 2e-6 * maxV)
  }
}
